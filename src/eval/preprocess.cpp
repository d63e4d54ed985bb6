// Image preprocessing with OpenCV. OpenCV's exceptions (and std::bad_alloc) stay inside this
// file: each becomes an Error naming the image and the step.
//
// Pixel semantics, chosen to match the usual PIL/torchvision reference pipelines:
//   - decode ignores EXIF orientation (as PIL's Image.open does) and drops alpha;
//   - pixels stay uint8 through decode, color, resize and center_crop (resizing saturates as
//     PIL does); the first scale or normalize converts to float32 without scaling (0..255), and
//     all later arithmetic is float32;
//   - normalize's mean/std apply in the current channel order (after `color: RGB`, index 0 is R);
//   - dtype uint8 is only valid when no scale/normalize step exists (rejected rather than
//     saturating silently); dtype float32 without any arithmetic step gives values 0..255;
//   - letterbox scales by r = min(H/h, W/w) to round(w*r) x round(h*r) (no resize when that is
//     the image's size), then pads with `color` to HxW, the image at ((W - w')/2, (H - h')/2)
//     rounded down; the geometry's scale is the exact ratio of the sizes (w'/w), so boxes map back
//     onto the pixels the model saw.
// OpenCV 4.6's headers mix enum types in arithmetic, which C++20 deprecates; they are included
// with that warning off, whether or not the build marks them as system headers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-enum-enum-conversion"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>  // the IMREAD_ flags; the library is loaded on demand
#include <opencv2/imgproc.hpp>
#pragma GCC diagnostic pop

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>

#include "eval/preprocess.h"
#include "eval/preprocess_internal.h"

namespace zooci {
namespace {

using namespace preprocess_internal;

enum class Order { kBgr, kRgb, kGray };

// The image between steps. Invariant: `image` is CV_8UC{1,3} or CV_32FC{1,3}, with 1 channel
// exactly when `order` is kGray.
struct State {
  cv::Mat image;
  Order order = Order::kBgr;
  bool nchw = true;
  bool uint8_output = false;
  ImageGeometry geometry;
};

// The image is now `cols` x `rows` by scaling the previous one: the geometry follows.
void Rescaled(State* state, int64_t old_cols, int64_t old_rows) {
  const double sx = static_cast<double>(state->image.cols) / static_cast<double>(old_cols);
  const double sy = static_cast<double>(state->image.rows) / static_cast<double>(old_rows);
  ImageGeometry& g = state->geometry;
  g.scale_x *= sx;
  g.offset_x *= sx;
  g.scale_y *= sy;
  g.offset_y *= sy;
}

int Interpolation(const std::string& name) {
  return name == "nearest"   ? cv::INTER_NEAREST
         : name == "bicubic" ? cv::INTER_CUBIC
         : name == "area"    ? cv::INTER_AREA
                             : cv::INTER_LINEAR;
}

void ToFloat(State* state) {
  if (state->image.depth() != CV_32F) state->image.convertTo(state->image, CV_32F);
  if (!state->image.isContinuous()) state->image = state->image.clone();
}

Status Decode(const PreprocessStep& step, const std::string& encoded, State* state) {
  if (encoded.empty()) return Error("cannot decode image (empty file)");
  if (encoded.size() > static_cast<size_t>(INT_MAX))
    return Error("cannot decode image (too large)");
  cv::Mat buffer(1, static_cast<int>(encoded.size()), CV_8U, const_cast<char*>(encoded.data()));
  const bool gray = step.text == "grayscale";
  const int flags =
      (gray ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR) | cv::IMREAD_IGNORE_ORIENTATION;
  ZC_ASSIGN_OR_RETURN(state->image, ImageDecode(buffer, flags));
  if (state->image.empty()) {
    return Error("cannot decode image (" + std::to_string(encoded.size()) +
                 " bytes, not a format OpenCV reads)");
  }
  if (state->image.type() != (gray ? CV_8UC1 : CV_8UC3)) {
    return Error("decoded to an unexpected pixel type " + std::to_string(state->image.type()));
  }
  if (int64_t{state->image.rows} * state->image.cols > kMaxPixels) {
    return Error("image is " + HxW(state->image.rows, state->image.cols) + ", over the limit of " +
                 std::to_string(kMaxPixels) + " pixels");
  }
  state->order = gray ? Order::kGray : Order::kBgr;
  state->geometry = ImageGeometry{state->image.cols, state->image.rows};
  return OkStatus();
}

void ConvertColor(const PreprocessStep& step, State* state) {
  const Order target = step.text == "RGB"   ? Order::kRgb
                       : step.text == "BGR" ? Order::kBgr
                                            : Order::kGray;
  if (target == state->order) return;
  int code = 0;
  switch (state->order) {
    case Order::kBgr:
      code = target == Order::kRgb ? cv::COLOR_BGR2RGB : cv::COLOR_BGR2GRAY;
      break;
    case Order::kRgb:
      code = target == Order::kBgr ? cv::COLOR_RGB2BGR : cv::COLOR_RGB2GRAY;
      break;
    case Order::kGray:
      code = target == Order::kRgb ? cv::COLOR_GRAY2RGB : cv::COLOR_GRAY2BGR;
      break;
  }
  cv::Mat converted;
  cv::cvtColor(state->image, converted, code);
  state->image = converted;
  state->order = target;
}

Status Resize(const PreprocessStep& step, State* state) {
  const int64_t rows = state->image.rows;
  const int64_t cols = state->image.cols;
  int64_t height = step.height;
  int64_t width = step.width;
  if (step.shorter_side > 0) {
    // The shorter side becomes exactly shorter_side; the longer keeps the aspect ratio.
    const int64_t shorter = std::min(rows, cols);
    const int64_t longer =
        std::llround(static_cast<double>(std::max(rows, cols)) *
                     static_cast<double>(step.shorter_side) / static_cast<double>(shorter));
    height = rows <= cols ? step.shorter_side : longer;
    width = rows <= cols ? longer : step.shorter_side;
  }
  if (height < 1 || width < 1 || height > INT_MAX || width > INT_MAX ||
      height * width > kMaxPixels) {
    return Error("resizing " + HxW(rows, cols) + " would give " + HxW(height, width) +
                 ", over the limit of " + std::to_string(kMaxPixels) + " pixels");
  }
  cv::Mat resized;
  cv::resize(state->image, resized, cv::Size(static_cast<int>(width), static_cast<int>(height)), 0,
             0, Interpolation(step.text));
  state->image = resized;
  Rescaled(state, cols, rows);
  return OkStatus();
}

Status CenterCrop(const PreprocessStep& step, State* state) {
  const int64_t rows = state->image.rows;
  const int64_t cols = state->image.cols;
  if (rows < step.height || cols < step.width) {
    return Error("image is " + HxW(rows, cols) + " (HxW), smaller than the crop " +
                 HxW(step.height, step.width));
  }
  const cv::Rect roi(static_cast<int>((cols - step.width) / 2),
                     static_cast<int>((rows - step.height) / 2), static_cast<int>(step.width),
                     static_cast<int>(step.height));
  state->image = state->image(roi).clone();
  state->geometry.offset_x -= roi.x;
  state->geometry.offset_y -= roi.y;
  return OkStatus();
}

Status Letterbox(const PreprocessStep& step, State* state) {
  const int64_t rows = state->image.rows;
  const int64_t cols = state->image.cols;
  const double ratio = std::min(static_cast<double>(step.height) / static_cast<double>(rows),
                                static_cast<double>(step.width) / static_cast<double>(cols));
  const int64_t width =
      std::clamp<int64_t>(std::llround(static_cast<double>(cols) * ratio), 1, step.width);
  const int64_t height =
      std::clamp<int64_t>(std::llround(static_cast<double>(rows) * ratio), 1, step.height);
  if (width != cols || height != rows) {
    cv::Mat resized;
    cv::resize(state->image, resized, cv::Size(static_cast<int>(width), static_cast<int>(height)),
               0, 0, Interpolation(step.text));
    state->image = resized;
    Rescaled(state, cols, rows);
  }
  const int64_t left = (step.width - width) / 2;
  const int64_t top = (step.height - height) / 2;
  cv::Scalar color;
  for (int channel = 0; channel < state->image.channels() && channel < 4; ++channel) {
    color[channel] = step.fill.size() == 1 ? step.fill[0] : step.fill[channel];
  }
  cv::Mat padded;
  cv::copyMakeBorder(state->image, padded, static_cast<int>(top),
                     static_cast<int>(step.height - height - top), static_cast<int>(left),
                     static_cast<int>(step.width - width - left), cv::BORDER_CONSTANT, color);
  state->image = padded;
  state->geometry.offset_x += static_cast<double>(left);
  state->geometry.offset_y += static_cast<double>(top);
  return OkStatus();
}

void Scale(const PreprocessStep& step, State* state) {
  ToFloat(state);
  const float factor = static_cast<float>(step.scale);
  float* values = state->image.ptr<float>(0);
  const size_t count = state->image.total() * state->image.channels();
  for (size_t idx = 0; idx < count; ++idx) values[idx] *= factor;
}

void Normalize(const PreprocessStep& step, State* state) {
  ToFloat(state);
  const size_t channels = state->image.channels();
  std::vector<float> mean(channels), std_dev(channels);
  for (size_t channel = 0; channel < channels; ++channel) {
    mean[channel] = static_cast<float>(step.mean.size() == 1 ? step.mean[0] : step.mean[channel]);
    std_dev[channel] = static_cast<float>(step.std.size() == 1 ? step.std[0] : step.std[channel]);
  }
  float* values = state->image.ptr<float>(0);
  const size_t count = state->image.total() * channels;
  for (size_t idx = 0; idx < count; ++idx) {
    const size_t channel = idx % channels;  // interleaved HWC
    values[idx] = (values[idx] - mean[channel]) / std_dev[channel];
  }
}

template <typename T>
void Put(T value, char** out) {
  if constexpr (sizeof(T) == 1) {
    *(*out)++ = static_cast<char>(value);
  } else {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    for (int byte = 0; byte < 4; ++byte) *(*out)++ = static_cast<char>(bits >> (8 * byte));
  }
}

// Packs the interleaved (HWC) image as little-endian T in NCHW or NHWC order.
template <typename T>
SampleTensor Pack(const cv::Mat& image, bool nchw, ElemType elem_type) {
  const size_t channels = image.channels();
  const size_t pixels = image.total();
  SampleTensor tensor;
  tensor.elem_type = elem_type;
  const int64_t c = static_cast<int64_t>(channels);
  tensor.shape = nchw ? std::vector<int64_t>{c, image.rows, image.cols}
                      : std::vector<int64_t>{image.rows, image.cols, c};
  tensor.data.resize(pixels * channels * sizeof(T));
  char* out = tensor.data.data();
  const T* values = image.ptr<T>(0);
  if (nchw) {
    for (size_t channel = 0; channel < channels; ++channel) {
      for (size_t pixel = 0; pixel < pixels; ++pixel) Put(values[pixel * channels + channel], &out);
    }
  } else {
    for (size_t idx = 0; idx < pixels * channels; ++idx) Put(values[idx], &out);
  }
  return tensor;
}

Status Apply(const PreprocessStep& step, const std::string& encoded, State* state) {
  switch (step.kind) {
    case PreprocessKind::kDecode:
      return Decode(step, encoded, state);
    case PreprocessKind::kColor:
      ConvertColor(step, state);
      return OkStatus();
    case PreprocessKind::kResize:
      return Resize(step, state);
    case PreprocessKind::kCenterCrop:
      return CenterCrop(step, state);
    case PreprocessKind::kLetterbox:
      return Letterbox(step, state);
    case PreprocessKind::kScale:
      Scale(step, state);
      return OkStatus();
    case PreprocessKind::kNormalize:
      Normalize(step, state);
      return OkStatus();
    case PreprocessKind::kLayout:
      state->nchw = step.text == "NCHW";
      return OkStatus();
    case PreprocessKind::kDtype:
      state->uint8_output = step.text == "uint8";
      return OkStatus();
  }
  return Error("unknown step kind");
}

}  // namespace

Result<SampleTensor> PreprocessImage(const std::string& encoded, const std::string& name,
                                     const std::vector<PreprocessStep>& steps) {
  Status valid = ValidatePipeline(steps);
  if (!valid.ok()) return valid.error().WithContext(name);
  State state;
  std::string where = name + ": preprocessing";
  try {
    for (size_t idx = 0; idx < steps.size(); ++idx) {
      where = name + ": " + StepLabel(idx, steps[idx]);
      Status applied = Apply(steps[idx], encoded, &state);
      if (!applied.ok()) return applied.error().WithContext(where);
    }
    where = name + ": packing the tensor";
    if (!state.image.isContinuous()) state.image = state.image.clone();
    if (state.uint8_output) {
      // ValidatePipeline rejects uint8 after scale/normalize, so the pixels are still uint8.
      if (state.image.depth() != CV_8U) return Error(where + ": uint8 output of float pixels");
      SampleTensor tensor = Pack<uint8_t>(state.image, state.nchw, ElemType::kUint8);
      tensor.geometry = state.geometry;
      return tensor;
    }
    ToFloat(&state);
    SampleTensor tensor = Pack<float>(state.image, state.nchw, ElemType::kFloat);
    tensor.geometry = state.geometry;
    return tensor;
  } catch (const cv::Exception& e) {
    return Error(where + ": OpenCV: " + e.err);
  } catch (const std::exception& e) {
    return Error(where + ": " + e.what());
  }
}

}  // namespace zooci
