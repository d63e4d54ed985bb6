// Preprocessing checked against tensors computed by hand from tiny PNGs built in the test.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-enum-enum-conversion"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#pragma GCC diagnostic pop

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eval/preprocess.h"

namespace zooci {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string Png(const cv::Mat& image) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(".png", image, bytes));
  return std::string(bytes.begin(), bytes.end());
}

// The 4x6 (HxW) BGR test image: B = 10y + x, G = 100 + 10y + x, R = 200 + 10y + x.
int B(int y, int x) {
  return 10 * y + x;
}
int G(int y, int x) {
  return 100 + 10 * y + x;
}
int R(int y, int x) {
  return 200 + 10 * y + x;
}

std::string ColorPng() {
  cv::Mat image(4, 6, CV_8UC3);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 6; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(B(y, x), G(y, x), R(y, x));
  }
  return Png(image);
}

// The 2x2 grey test image [[0, 51], [102, 255]].
std::string GrayPng() {
  cv::Mat image(2, 2, CV_8UC1);
  image.at<uchar>(0, 0) = 0;
  image.at<uchar>(0, 1) = 51;
  image.at<uchar>(1, 0) = 102;
  image.at<uchar>(1, 1) = 255;
  return Png(image);
}

PreprocessStep Step(PreprocessKind kind, const std::string& text = "") {
  PreprocessStep step;
  step.kind = kind;
  step.text = text;
  return step;
}
PreprocessStep Decode(const std::string& mode) {
  return Step(PreprocessKind::kDecode, mode);
}
PreprocessStep Color(const std::string& order) {
  return Step(PreprocessKind::kColor, order);
}
PreprocessStep Layout(const std::string& layout) {
  return Step(PreprocessKind::kLayout, layout);
}
PreprocessStep Dtype(const std::string& dtype) {
  return Step(PreprocessKind::kDtype, dtype);
}
PreprocessStep Scale(double factor) {
  PreprocessStep step = Step(PreprocessKind::kScale);
  step.scale = factor;
  return step;
}
PreprocessStep ResizeTo(int64_t height, int64_t width, const std::string& interpolation) {
  PreprocessStep step = Step(PreprocessKind::kResize, interpolation);
  step.height = height;
  step.width = width;
  return step;
}
PreprocessStep ResizeShorter(int64_t side, const std::string& interpolation) {
  PreprocessStep step = Step(PreprocessKind::kResize, interpolation);
  step.shorter_side = side;
  return step;
}
PreprocessStep Crop(int64_t height, int64_t width) {
  PreprocessStep step = Step(PreprocessKind::kCenterCrop);
  step.height = height;
  step.width = width;
  return step;
}
PreprocessStep Letterbox(int64_t height, int64_t width, std::vector<double> fill,
                         const std::string& interpolation = "nearest") {
  PreprocessStep step = Step(PreprocessKind::kLetterbox, interpolation);
  step.height = height;
  step.width = width;
  step.fill = std::move(fill);
  return step;
}
PreprocessStep Normalize(std::vector<double> mean, std::vector<double> std) {
  PreprocessStep step = Step(PreprocessKind::kNormalize);
  step.mean = std::move(mean);
  step.std = std::move(std);
  return step;
}

// Decodes little-endian float32 data.
std::vector<float> Floats(const SampleTensor& tensor) {
  EXPECT_EQ(tensor.elem_type, ElemType::kFloat);
  std::vector<float> values(tensor.data.size() / 4);
  for (size_t idx = 0; idx < values.size(); ++idx) {
    uint32_t bits = 0;
    for (int byte = 0; byte < 4; ++byte) {
      bits |= uint32_t{static_cast<unsigned char>(tensor.data[idx * 4 + byte])} << (8 * byte);
    }
    std::memcpy(&values[idx], &bits, 4);
  }
  return values;
}

SampleTensor Preprocess(const std::string& encoded, const std::vector<PreprocessStep>& steps) {
  Result<SampleTensor> tensor = PreprocessImage(encoded, "img.png", steps);
  EXPECT_TRUE(tensor.ok()) << tensor.error().message();
  return tensor.ok() ? *tensor : SampleTensor{};
}

std::string RunError(const std::string& encoded, const std::vector<PreprocessStep>& steps) {
  Result<SampleTensor> tensor = PreprocessImage(encoded, "img.png", steps);
  EXPECT_FALSE(tensor.ok());
  return tensor.ok() ? "" : tensor.error().message();
}

TEST(PreprocessTest, GrayscaleDecodeAndScale) {
  SampleTensor tensor = Preprocess(GrayPng(), {Decode("grayscale"), Scale(1.0 / 255)});
  EXPECT_EQ(tensor.shape, (std::vector<int64_t>{1, 2, 2}));
  const float factor = static_cast<float>(1.0 / 255);
  EXPECT_EQ(Floats(tensor),
            (std::vector<float>{0.0f, 51.0f * factor, 102.0f * factor, 255.0f * factor}));
  std::vector<float> values = Floats(tensor);
  EXPECT_NEAR(values[1], 0.2, 1e-7);
  EXPECT_NEAR(values[2], 0.4, 1e-7);
  EXPECT_NEAR(values[3], 1.0, 1e-7);
}

TEST(PreprocessTest, PacksLittleEndianFloat32) {
  SampleTensor tensor = Preprocess(GrayPng(), {Decode("grayscale"), Scale(1.0 / 255)});
  ASSERT_EQ(tensor.data.size(), 16u);
  EXPECT_EQ(tensor.data.substr(0, 4), std::string("\0\0\0\0", 4));
  // 255 * float(1/255) is 1.0f: 0x3F800000, least significant byte first.
  EXPECT_EQ(tensor.data.substr(12, 4), std::string("\x00\x00\x80\x3f", 4));
}

TEST(PreprocessTest, ColorDecodeIsBgrAndColorRgbReorders) {
  SampleTensor bgr = Preprocess(ColorPng(), {Decode("color")});
  SampleTensor rgb = Preprocess(ColorPng(), {Decode("color"), Color("RGB")});
  ASSERT_EQ(bgr.shape, (std::vector<int64_t>{3, 4, 6}));
  ASSERT_EQ(rgb.shape, (std::vector<int64_t>{3, 4, 6}));
  std::vector<float> bgr_values = Floats(bgr);
  std::vector<float> rgb_values = Floats(rgb);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 6; ++x) {
      const size_t at = y * 6 + x;  // NCHW: plane c starts at c * 24
      EXPECT_EQ(bgr_values[at], B(y, x));
      EXPECT_EQ(bgr_values[24 + at], G(y, x));
      EXPECT_EQ(bgr_values[48 + at], R(y, x));
      EXPECT_EQ(rgb_values[at], R(y, x));
      EXPECT_EQ(rgb_values[24 + at], G(y, x));
      EXPECT_EQ(rgb_values[48 + at], B(y, x));
    }
  }
}

TEST(PreprocessTest, GrayToRgbReplicates) {
  SampleTensor tensor = Preprocess(GrayPng(), {Decode("grayscale"), Color("RGB"), Layout("NHWC")});
  EXPECT_EQ(tensor.shape, (std::vector<int64_t>{2, 2, 3}));
  EXPECT_EQ(Floats(tensor),
            (std::vector<float>{0, 0, 0, 51, 51, 51, 102, 102, 102, 255, 255, 255}));
}

TEST(PreprocessTest, NchwAndNhwcOrder) {
  SampleTensor nhwc = Preprocess(ColorPng(), {Decode("color"), Crop(1, 2), Layout("NHWC")});
  SampleTensor nchw = Preprocess(ColorPng(), {Decode("color"), Crop(1, 2), Layout("NCHW")});
  // The 1x2 crop starts at (1, 2): pixels (1,2) and (1,3).
  EXPECT_EQ(nhwc.shape, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Floats(nhwc), (std::vector<float>{12, 112, 212, 13, 113, 213}));
  EXPECT_EQ(nchw.shape, (std::vector<int64_t>{3, 1, 2}));
  EXPECT_EQ(Floats(nchw), (std::vector<float>{12, 13, 112, 113, 212, 213}));
}

TEST(PreprocessTest, ResizeExactSizeNearest) {
  // Nearest from 4x6 to 2x3 takes rows {0, 2} and columns {0, 2, 4}.
  SampleTensor tensor = Preprocess(ColorPng(), {Decode("color"), ResizeTo(2, 3, "nearest")});
  EXPECT_EQ(tensor.shape, (std::vector<int64_t>{3, 2, 3}));
  std::vector<float> values = Floats(tensor);
  EXPECT_EQ(std::vector<float>(values.begin(), values.begin() + 6),
            (std::vector<float>{0, 2, 4, 20, 22, 24}));
  EXPECT_EQ(values[6 + 5], G(2, 4));
  EXPECT_EQ(values[12 + 5], R(2, 4));
}

TEST(PreprocessTest, ResizeShorterSideKeepsAspect) {
  // 4x6 with shorter_side 3: height 3, width round(6 * 3 / 4 = 4.5) = 5.
  SampleTensor tensor =
      Preprocess(ColorPng(), {Decode("color"), ResizeShorter(3, "nearest"), Layout("NHWC")});
  EXPECT_EQ(tensor.shape, (std::vector<int64_t>{3, 5, 3}));
  // Nearest: output (2, 4) reads source (floor(2 * 4/3), floor(4 * 6/5)) = (2, 4).
  std::vector<float> values = Floats(tensor);
  EXPECT_EQ(values[(2 * 5 + 4) * 3 + 0], B(2, 4));
  EXPECT_EQ(values[(2 * 5 + 4) * 3 + 2], R(2, 4));
  // Portrait: a 6x4 image becomes width 3, height round(6 * 3 / 4) = 5.
  cv::Mat portrait(6, 4, CV_8UC1, cv::Scalar(7));
  SampleTensor tall =
      Preprocess(Png(portrait), {Decode("grayscale"), ResizeShorter(3, "bilinear")});
  EXPECT_EQ(tall.shape, (std::vector<int64_t>{1, 5, 3}));
  EXPECT_EQ(Floats(tall), std::vector<float>(15, 7.0f));  // a flat image stays flat
}

TEST(PreprocessTest, EveryInterpolationRuns) {
  for (const char* interpolation : {"nearest", "bilinear", "bicubic", "area"}) {
    SampleTensor tensor = Preprocess(ColorPng(), {Decode("color"), ResizeTo(3, 3, interpolation)});
    EXPECT_EQ(tensor.shape, (std::vector<int64_t>{3, 3, 3})) << interpolation;
  }
}

TEST(PreprocessTest, CenterCropOffsets) {
  // 4x6 to 2x3: offsets floor(2/2) = 1 (top) and floor(3/2) = 1 (left).
  SampleTensor tensor = Preprocess(ColorPng(), {Decode("color"), Crop(2, 3)});
  EXPECT_EQ(tensor.shape, (std::vector<int64_t>{3, 2, 3}));
  std::vector<float> values = Floats(tensor);
  EXPECT_EQ(std::vector<float>(values.begin(), values.begin() + 6),
            (std::vector<float>{11, 12, 13, 21, 22, 23}));
  // 4x6 to 3x3: offsets floor(1/2) = 0 and floor(3/2) = 1.
  SampleTensor odd = Preprocess(ColorPng(), {Decode("color"), Crop(3, 3)});
  std::vector<float> odd_values = Floats(odd);
  EXPECT_EQ(std::vector<float>(odd_values.begin(), odd_values.begin() + 9),
            (std::vector<float>{1, 2, 3, 11, 12, 13, 21, 22, 23}));
}

TEST(PreprocessTest, NormalizePerChannel) {
  SampleTensor tensor =
      Preprocess(ColorPng(), {Decode("color"), Color("RGB"), Crop(1, 1),
                              Normalize({200, 100, 0}, {2, 4, 8}), Layout("NHWC")});
  // The 1x1 crop is pixel (1, 2): R 212, G 112, B 12; channel order is RGB after `color`.
  EXPECT_EQ(Floats(tensor),
            (std::vector<float>{(212.0f - 200.0f) / 2.0f, (112.0f - 100.0f) / 4.0f, 12.0f / 8.0f}));
  EXPECT_EQ(Floats(tensor), (std::vector<float>{6.0f, 3.0f, 1.5f}));
  // mean/std of size 1 apply to every channel; scale then normalize is float32 throughout.
  SampleTensor broadcast = Preprocess(
      ColorPng(), {Decode("color"), Crop(1, 1), Scale(0.5), Normalize({1}, {0.5}), Layout("NHWC")});
  EXPECT_EQ(Floats(broadcast), (std::vector<float>{(6.0f - 1.0f) / 0.5f, (56.0f - 1.0f) / 0.5f,
                                                   (106.0f - 1.0f) / 0.5f}));
}

TEST(PreprocessTest, Uint8AndPlainFloatOutputs) {
  SampleTensor bytes = Preprocess(GrayPng(), {Decode("grayscale"), Dtype("uint8")});
  EXPECT_EQ(bytes.elem_type, ElemType::kUint8);
  EXPECT_EQ(bytes.shape, (std::vector<int64_t>{1, 2, 2}));
  EXPECT_EQ(bytes.data, std::string("\x00\x33\x66\xff", 4));
  SampleTensor floats = Preprocess(GrayPng(), {Decode("grayscale"), Dtype("float32")});
  EXPECT_EQ(floats.elem_type, ElemType::kFloat);
  EXPECT_EQ(Floats(floats), (std::vector<float>{0, 51, 102, 255}));  // no implicit scaling
}

TEST(PreprocessTest, ErrorsNameTheFileAndStep) {
  std::string message = RunError("not an image", {Decode("color")});
  EXPECT_TRUE(Contains(message, "img.png: preprocessing[0] decode: cannot decode image"))
      << message;
  message = RunError("", {Decode("color")});
  EXPECT_TRUE(Contains(message, "img.png: preprocessing[0] decode: cannot decode image"))
      << message;
  std::string truncated = ColorPng();
  truncated.resize(truncated.size() / 2);
  message = RunError(truncated, {Decode("color")});
  EXPECT_TRUE(Contains(message, "img.png: preprocessing[0] decode:")) << message;
  message = RunError(ColorPng(), {Decode("color"), Color("RGB"), Crop(5, 5)});
  EXPECT_TRUE(Contains(message,
                       "img.png: preprocessing[2] center_crop: image is 4x6 (HxW), "
                       "smaller than the crop 5x5"))
      << message;
  message = RunError(ColorPng(), {Decode("color"), Scale(1), Normalize({0.5, 0.5}, {1})});
  EXPECT_TRUE(Contains(message,
                       "img.png: preprocessing[2] normalize: mean has 2 values; the "
                       "image has 3 channel(s) here"))
      << message;
}

std::string PipelineError(const std::vector<PreprocessStep>& steps) {
  Status status = ValidatePipeline(steps);
  EXPECT_FALSE(status.ok());
  return status.ok() ? "" : status.error().message();
}

TEST(ValidatePipelineTest, ChecksOrderAndParameters) {
  EXPECT_TRUE(ValidatePipeline({Decode("color"), Color("GRAY"), Normalize({0.5}, {0.25}),
                                Dtype("float32"), Layout("NHWC")})
                  .ok());
  EXPECT_TRUE(Contains(PipelineError({}), "no steps"));
  EXPECT_TRUE(Contains(PipelineError({Scale(2), Decode("color")}),
                       "preprocessing[0] scale: the first step must be decode"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Decode("color")}),
                       "preprocessing[1] decode: decode must come first, once"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Layout("NCHW"), Layout("NHWC")}),
                       "preprocessing[2] layout: layout given more than once"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Layout("NCHW"), Scale(2)}),
                       "preprocessing[2] scale: pixel steps must come before layout and dtype"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Scale(2), Dtype("uint8")}),
                       "preprocessing[2] dtype: uint8 output cannot hold"));
  EXPECT_TRUE(Contains(PipelineError({Decode("grayscale"), Normalize({1, 2, 3}, {1})}),
                       "mean has 3 values; the image has 1 channel(s)"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Color("GRAY"), Normalize({1}, {1, 2, 3})}),
                       "std has 3 values; the image has 1 channel(s)"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Normalize({1}, {0})}), "must not be 0"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Crop(0, 2)}),
                       "preprocessing[1] center_crop: sizes must be between 1 and"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), ResizeTo(2, 2, "cubic")}),
                       "preprocessing[1] resize: bad value 'cubic'"));
  EXPECT_TRUE(Contains(PipelineError({Decode("colour")}), "bad value 'colour'"));
}

TEST(PreprocessTest, RefusesHugeResizes) {
  cv::Mat wide(1, 200, CV_8UC1, cv::Scalar(1));
  std::string message = RunError(Png(wide), {Decode("grayscale"), ResizeShorter(16384, "area")});
  EXPECT_TRUE(Contains(message,
                       "img.png: preprocessing[1] resize: resizing 1x200 would give "
                       "16384x3276800"))
      << message;
}

// 2x2 into 4x6: scaled by 2 to 4x4 (nearest: each pixel a 2x2 block), one padding column each side.
TEST(PreprocessTest, LetterboxScalesToFitAndPadsCentred) {
  SampleTensor tensor =
      Preprocess(GrayPng(), {Decode("grayscale"), Letterbox(4, 6, {114}), Layout("NHWC")});
  EXPECT_EQ(tensor.shape, (std::vector<int64_t>{4, 6, 1}));
  EXPECT_EQ(Floats(tensor), (std::vector<float>{114, 0,   0,   51,  51,  114,  //
                                                114, 0,   0,   51,  51,  114,  //
                                                114, 102, 102, 255, 255, 114,  //
                                                114, 102, 102, 255, 255, 114}));
  const ImageGeometry& g = tensor.geometry;
  EXPECT_EQ(g.width, 2);
  EXPECT_EQ(g.height, 2);
  EXPECT_EQ(g.scale_x, 2);
  EXPECT_EQ(g.scale_y, 2);
  EXPECT_EQ(g.offset_x, 1);
  EXPECT_EQ(g.offset_y, 0);
}

// 4x6 into 6x6: no resampling (ratio 1), a row of padding above and below, colour per channel.
TEST(PreprocessTest, LetterboxWithoutResizeOnlyPads) {
  SampleTensor tensor =
      Preprocess(ColorPng(), {Decode("color"), Letterbox(6, 6, {1, 2, 3}, "bilinear")});
  EXPECT_EQ(tensor.shape, (std::vector<int64_t>{3, 6, 6}));
  std::vector<float> values = Floats(tensor);
  for (int x = 0; x < 6; ++x) {
    EXPECT_EQ(values[x], 1);            // B plane, top row: padding
    EXPECT_EQ(values[36 + 30 + x], 2);  // G plane, bottom row
    EXPECT_EQ(values[6 + x], B(0, x));  // B plane, row 1 is the image's row 0
    EXPECT_EQ(values[72 + 6 * 4 + x], R(3, x));
  }
  EXPECT_EQ(tensor.geometry.scale_x, 1);
  EXPECT_EQ(tensor.geometry.offset_y, 1);
  EXPECT_EQ(tensor.geometry.offset_x, 0);
}

// Every geometric step moves the map from original to input pixels; a plain resize scales the
// axes apart, a center crop shifts them.
TEST(PreprocessTest, GeometryFollowsResizeAndCrop) {
  SampleTensor tensor =
      Preprocess(ColorPng(), {Decode("color"), ResizeTo(8, 18, "nearest"), Crop(6, 12)});
  const ImageGeometry& g = tensor.geometry;
  EXPECT_EQ(g.width, 6);
  EXPECT_EQ(g.height, 4);
  EXPECT_EQ(g.scale_x, 3);
  EXPECT_EQ(g.scale_y, 2);
  EXPECT_EQ(g.offset_x, -3);  // (18 - 12) / 2
  EXPECT_EQ(g.offset_y, -1);  // (8 - 6) / 2
  // An odd ratio: 4x6 letterboxed into 5x5 is scaled by 5/6 to round(3.33) = 3 rows x 5 columns;
  // the geometry's scale is the exact ratio of the sizes (3/4 and 5/6), not the 5/6 asked for.
  SampleTensor odd = Preprocess(ColorPng(), {Decode("color"), Letterbox(5, 5, {0}, "area")});
  EXPECT_DOUBLE_EQ(odd.geometry.scale_y, 3.0 / 4);
  EXPECT_DOUBLE_EQ(odd.geometry.scale_x, 5.0 / 6);
  EXPECT_EQ(odd.geometry.offset_y, 1);
}

TEST(PreprocessTest, LetterboxColorMustMatchTheChannels) {
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Letterbox(4, 4, {1, 2})}),
                       "preprocessing[1] letterbox: color has 2 values; the image has 3"));
  EXPECT_TRUE(Contains(PipelineError({Decode("color"), Letterbox(4, 4, {300})}),
                       "color values must be within [0, 255]"));
}

}  // namespace
}  // namespace zooci
