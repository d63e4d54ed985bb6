// The segmentation job ("eval-segmentation"): run the images through the model, decode each
// image's mask and add its pixels to a confusion matrix (segmentation_metrics.h). Only the
// summed C x C matrix crosses the pipe, not the [C, H, W] scores nor a label map per image.
// OpenCV's exceptions stay inside this file.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-enum-enum-conversion"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>  // the IMREAD_ flags; the library is loaded on demand
#pragma GCC diagnostic pop

#include <climits>
#include <cstdio>
#include <optional>
#include <unordered_map>

#include "eval/eval.h"
#include "eval/job_protocol.h"
#include "eval/preprocess_internal.h"
#include "eval/segmentation_metrics.h"
#include "eval/tensor_element.h"
#include "eval/worker_jobs.h"

namespace zooci {
namespace {

using json = nlohmann::json;

uint32_t ReadBigEndian32(const std::string& bytes, size_t at) {
  return (uint32_t{static_cast<uint8_t>(bytes[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(bytes[at + 3])};
}

// The colours (0xRRGGBB) of a palette PNG's PLTE chunk, in index order; nullopt for any other
// file (another PNG colour type, another format: OpenCV decodes those). PASCAL VOC's masks are
// palette PNGs whose indices are the classes; OpenCV only ever gives their colours, so the
// colours are mapped back to indices through this table.
using Palette = std::optional<std::vector<uint32_t>>;

Result<Palette> PngPalette(const std::string& png) {
  static const char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (png.size() < 8 + 25 || png.compare(0, 8, kSignature, 8) != 0) return Palette();
  if (png.compare(12, 4, "IHDR") != 0) return Palette();  // OpenCV will say what is wrong
  constexpr uint8_t kPaletteColourType = 3;
  if (static_cast<uint8_t>(png[8 + 8 + 9]) != kPaletteColourType) return Palette();
  for (size_t at = 8; at + 12 <= png.size();) {  // chunks: length, type, data, CRC
    const uint32_t length = ReadBigEndian32(png, at);
    if (length > png.size() - at - 12) break;
    const std::string type = png.substr(at + 4, 4);
    if (type == "PLTE") {
      if (length == 0 || length % 3 != 0 || length > 256 * 3) {
        return Error("the mask's palette has " + std::to_string(length) +
                     " bytes; a PNG palette is 1 to 256 RGB entries");
      }
      std::vector<uint32_t> colours;
      for (size_t entry = at + 8; entry < at + 8 + length; entry += 3) {
        colours.push_back((uint32_t{static_cast<uint8_t>(png[entry])} << 16) |
                          (uint32_t{static_cast<uint8_t>(png[entry + 1])} << 8) |
                          uint32_t{static_cast<uint8_t>(png[entry + 2])});
      }
      return Palette(std::move(colours));
    }
    if (type == "IDAT" || type == "IEND") break;
    at += 12 + length;
  }
  return Error("the mask is a palette PNG without a palette (PLTE chunk)");
}

// A mask the size of `image`, pixel (col, row) holding label_at(row, col).
template <typename LabelAt>
LabelMask MaskOf(const cv::Mat& image, LabelAt label_at) {
  LabelMask mask;
  mask.height = image.rows;
  mask.width = image.cols;
  mask.labels.resize(static_cast<size_t>(mask.height * mask.width));
  for (int row = 0; row < image.rows; ++row) {
    for (int col = 0; col < image.cols; ++col) {
      mask.labels[static_cast<size_t>(row) * image.cols + col] = label_at(row, col);
    }
  }
  return mask;
}

// A palette PNG's indices from OpenCV's decoding of its colours (BGR, 8 bits): each colour back
// to its palette index. A colour the palette does not hold, or holds twice (its class is
// ambiguous), is an error naming the first pixel that has it.
Result<LabelMask> PaletteIndices(const cv::Mat& bgr, const std::vector<uint32_t>& palette) {
  constexpr int32_t kAmbiguous = -1, kMissing = -2;
  std::unordered_map<uint32_t, int32_t> index_of;
  for (size_t index = 0; index < palette.size(); ++index) {
    auto [slot, inserted] = index_of.emplace(palette[index], static_cast<int32_t>(index));
    if (!inserted) slot->second = kAmbiguous;
  }
  auto colour_at = [&](int row, int col) {
    const cv::Vec3b& pixel = bgr.at<cv::Vec3b>(row, col);
    return (uint32_t{pixel[2]} << 16) | (uint32_t{pixel[1]} << 8) | pixel[0];
  };
  LabelMask mask = MaskOf(bgr, [&](int row, int col) {
    auto found = index_of.find(colour_at(row, col));
    return found == index_of.end() ? kMissing : found->second;
  });
  for (size_t at = 0; at < mask.labels.size(); ++at) {
    if (mask.labels[at] >= 0) continue;
    const int row = static_cast<int>(at / static_cast<size_t>(bgr.cols));
    const int col = static_cast<int>(at % static_cast<size_t>(bgr.cols));
    char hex[8];
    std::snprintf(hex, sizeof(hex), "%06x", colour_at(row, col));
    return Error(std::string("palette colour #") + hex + " at (x " + std::to_string(col) + ", y " +
                 std::to_string(row) + ") " +
                 (mask.labels[at] == kMissing
                      ? "is not in the palette"
                      : "is more than one palette entry: its class is ambiguous"));
  }
  return mask;
}

// A mask PNG: one channel, 8 or 16 bits, each pixel a class index (or ignore_index); or a palette
// PNG (PASCAL VOC's), each pixel's palette index being its class.
Result<LabelMask> DecodeLabelMask(const std::string& encoded) {
  if (encoded.empty()) return Error("cannot decode the mask (empty file)");
  if (encoded.size() > static_cast<size_t>(INT_MAX)) return Error("the mask is too large");
  ZC_ASSIGN_OR_RETURN(Palette palette, PngPalette(encoded));
  try {
    cv::Mat buffer(1, static_cast<int>(encoded.size()), CV_8U, const_cast<char*>(encoded.data()));
    const int flags = (palette ? cv::IMREAD_COLOR : cv::IMREAD_UNCHANGED) |
                      cv::IMREAD_IGNORE_ORIENTATION;
    ZC_ASSIGN_OR_RETURN(cv::Mat image, preprocess_internal::ImageDecode(buffer, flags));
    if (image.empty()) return Error("cannot decode the mask (not a format OpenCV reads)");
    if (int64_t{image.rows} * image.cols > preprocess_internal::kMaxPixels) {
      return Error("the mask is over the limit of " +
                   std::to_string(preprocess_internal::kMaxPixels) + " pixels");
    }
    if (palette) {
      if (image.type() != CV_8UC3) return Error("cannot decode the palette mask's colours");
      return PaletteIndices(image, *palette);
    }
    if (image.channels() != 1 || (image.depth() != CV_8U && image.depth() != CV_16U)) {
      return Error("the mask has " + std::to_string(image.channels()) +
                   " channels; a mask is one 8- or 16-bit channel holding the class index of "
                   "each pixel, or a palette PNG whose indices are the classes");
    }
    if (image.depth() == CV_8U) {
      return MaskOf(image, [&](int row, int col) { return image.at<uint8_t>(row, col); });
    }
    return MaskOf(image, [&](int row, int col) { return image.at<uint16_t>(row, col); });
  } catch (const cv::Exception& error) {
    return Error(std::string("cannot decode the mask: ") + error.what());
  }
}

// One image's class indices (`kind: labels`), checked to be classes: an index outside them is
// an error naming it and its place.
Status ImageLabels(const Tensor& labels, size_t image, int64_t classes, std::vector<int32_t>* out) {
  const int64_t height = labels.shape[labels.shape.size() - 2];
  const int64_t width = labels.shape.back();
  const auto plane = static_cast<size_t>(height * width);
  out->resize(plane);
  for (size_t pixel = 0; pixel < plane; ++pixel) {
    const double label = NumericElement(labels, static_cast<int64_t>(image * plane + pixel));
    if (!(label >= 0 && label < static_cast<double>(classes))) {
      return Error("output '" + labels.name + "' has class index " + FormatNumber(label) +
                   " at (x " + std::to_string(pixel % static_cast<size_t>(width)) + ", y " +
                   std::to_string(pixel / static_cast<size_t>(width)) + ") of image " +
                   std::to_string(image) + " of the batch; the labels file has " +
                   std::to_string(classes) + " classes");
    }
    (*out)[pixel] = static_cast<int32_t>(label);
  }
  return OkStatus();
}

}  // namespace

Result<JobResult> EvalSegmentationJob(Session& session, const JobRequest& request) {
  std::vector<std::string> masks;
  std::string output_name;
  ConfusionOptions options;
  int64_t classes = 0;
  bool labels_output = false;  // `kind: labels`: [N, h, w] class indices instead of scores
  json data;
  try {
    data = json::parse(request.params_json);
    masks = data.at("masks").get<std::vector<std::string>>();
    output_name = data.at("output_name").get<std::string>();
    options.compare_at = static_cast<SegmentationCompare>(data.at("compare_at").get<int>());
    options.upsample = static_cast<Upsample>(data.at("upsample").get<int>());
    options.ignore_index = data.at("ignore_index").get<int64_t>();
    labels_output = data.value("labels_output", false);
    classes = data.at("classes").get<int64_t>();
  } catch (const json::exception& error) {
    return Error(std::string("eval job: bad parameters: ") + error.what());
  }
  ZC_ASSIGN_OR_RETURN(BatchParams params, ParseBatchParams(data));
  if (masks.size() != params.images.size() || classes <= 0 || classes > kMaxSegmentationClasses) {
    return Error("eval job: bad parameters: masks and images differ, or classes out of range");
  }
  bool nchw = true;  // the preprocessing's default layout
  for (const PreprocessStep& step : params.steps) {
    if (step.kind == PreprocessKind::kLayout) nchw = step.text == "NCHW";
  }
  std::vector<int64_t> confusion(static_cast<size_t>(classes * classes), 0);
  int64_t postprocess_ns = 0, ignored = 0;
  auto compare_batch = [&](const std::vector<Value>& outputs, const Batch& batch) -> Status {
    const int64_t start_ns = SystemClock().NowNs();
    const Value* scores = nullptr;
    for (const Value& output : outputs) {
      if (output_name.empty() || output.name == output_name) {
        scores = &output;
        break;
      }
    }
    if (scores == nullptr) return Error("the model has no output '" + output_name + "'");
    const Tensor& tensor = scores->tensor;
    if (labels_output) {
      const bool integer = tensor.elem_type == ElemType::kInt64 ||
                           tensor.elem_type == ElemType::kInt32 ||
                           tensor.elem_type == ElemType::kUint8;
      const size_t rank = tensor.shape.size();
      if (scores->kind != ValueKind::kTensor || !integer || (rank != 3 && rank != 4) ||
          tensor.shape[0] != batch.rows || (rank == 4 && tensor.shape[1] != 1) ||
          tensor.shape[rank - 2] <= 0 || tensor.shape[rank - 1] <= 0) {
        return Error("output '" + scores->name + "' is " + scores->Describe() +
                     "; expected class indices (int64, int32 or uint8) [" +
                     std::to_string(batch.rows) + ", H, W] or [" + std::to_string(batch.rows) +
                     ", 1, H, W] (output.kind labels)");
      }
    } else if (scores->kind != ValueKind::kTensor || tensor.elem_type != ElemType::kFloat ||
        tensor.shape.size() != 4 || tensor.shape[0] != batch.rows || tensor.shape[1] != classes ||
        tensor.shape[2] <= 0 || tensor.shape[3] <= 0) {
      return Error("output '" + scores->name + "' is " + scores->Describe() +
                   "; expected float scores [" + std::to_string(batch.rows) + ", " +
                   std::to_string(classes) + ", H, W]: one channel per class of the labels file");
    }
    if (batch.sample_shape.size() != 3) {
      return Error("the model input is " + FormatDims(batch.sample_shape) +
                   " per image; expected an image [C, H, W] or [H, W, C]");
    }
    options.input_height = batch.sample_shape[nchw ? 1 : 0];
    options.input_width = batch.sample_shape[nchw ? 2 : 1];
    const size_t rank = tensor.shape.size();
    ScoreMap map{nullptr, classes, tensor.shape[rank - 2], tensor.shape[rank - 1]};
    const auto* all = reinterpret_cast<const float*>(tensor.data.data());
    std::vector<int32_t> image_labels;  // `kind: labels`: the image's class indices
    for (size_t offset = 0; offset < batch.count; ++offset) {
      const size_t index = batch.start + offset;
      const ImageGeometry& geometry = batch.geometry[offset];
      auto bytes = ReadFile(masks[index], uint64_t{256} << 20);
      if (!bytes.ok()) return bytes.error();
      auto mask = DecodeLabelMask(*bytes);
      if (!mask.ok()) return mask.error().WithContext(masks[index]);
      if (mask->width != geometry.width || mask->height != geometry.height) {
        return Error(masks[index] + ": the mask is " + std::to_string(mask->width) + "x" +
                     std::to_string(mask->height) + " but its image " + params.images[index] +
                     " is " + std::to_string(geometry.width) + "x" +
                     std::to_string(geometry.height));
      }
      if (labels_output) {
        ZC_RETURN_IF_ERROR(ImageLabels(tensor, offset, classes, &image_labels));
        map.labels = image_labels.data();
      } else {
        map.data = all + static_cast<int64_t>(offset) * classes * map.height * map.width;
      }
      Status added = AccumulateConfusion(map, *mask, geometry, options, &confusion, &ignored);
      if (!added.ok()) return added.error().WithContext(masks[index]);
    }
    postprocess_ns += SystemClock().NowNs() - start_ns;
    return OkStatus();
  };
  ZC_ASSIGN_OR_RETURN(BatchTotals totals, RunBatches(session, params, compare_batch));
  JobResult result;
  result.result_json = json{
      {"classes", classes},
      {"sample_shape", totals.sample_shape},
      {"decode_ns", totals.decode_ns},
      {"inference_ns", totals.inference_ns},
      {"postprocess_ns", postprocess_ns},
      {"ignored", ignored},
      {"wall_ns",
       totals.wall_ns}}.dump();
  result.blobs.push_back(PackInt64(confusion));
  return result;
}

}  // namespace zooci
