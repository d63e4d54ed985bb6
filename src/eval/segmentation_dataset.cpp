// The segmentation dataset (format masks, docs/segmentation.md): images in one folder, for each
// a mask PNG of the same stem in the masks folder, and the class names. Nothing is decoded here:
// images and masks are decoded in the worker.
#include <algorithm>
#include <set>

#include "eval/eval.h"

namespace zooci {
namespace {

bool IsImageFile(const fs::path& path) {
  static const std::set<std::string> extensions = {".png", ".jpg",  ".jpeg", ".bmp", ".ppm",
                                                   ".pgm", ".webp", ".tif",  ".tiff"};
  return extensions.count(AsciiLower(path.extension().string())) != 0;
}

Status CheckInside(const DatasetSpec& spec, const fs::path& path) {
  if (spec.root.empty()) return OkStatus();
  return CheckFileInside(spec.root, path);
}

}  // namespace

Result<SegmentationDataset> LoadSegmentationDataset(const DatasetSpec& spec) {
  SegmentationDataset dataset;
  ZC_RETURN_IF_ERROR(CheckInside(spec, spec.labels));
  ZC_ASSIGN_OR_RETURN(std::string labels, ReadFile(spec.labels, uint64_t{16} << 20));
  std::set<std::string> seen;
  for (const std::string& line : SplitString(labels, '\n')) {
    const std::string name(Trim(line));
    if (name.empty()) continue;
    if (!seen.insert(name).second) {
      return Error(spec.labels.string() + ": class '" + name + "' repeats");
    }
    dataset.class_names.push_back(name);
  }
  if (dataset.class_names.empty()) return Error(spec.labels.string() + ": no class names");
  if (static_cast<int64_t>(dataset.class_names.size()) > kMaxSegmentationClasses) {
    return Error(spec.labels.string() + ": " + std::to_string(dataset.class_names.size()) +
                 " classes; at most " + std::to_string(kMaxSegmentationClasses) + " are supported");
  }
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(spec.path, error)) {
    if (IsImageFile(entry.path())) files.push_back(entry.path());
  }
  if (error) return Error(spec.path.string() + ": " + error.message());
  std::sort(files.begin(), files.end());
  if (spec.limit > 0 && static_cast<int64_t>(files.size()) > spec.limit) files.resize(spec.limit);
  for (const fs::path& image : files) {
    ZC_RETURN_IF_ERROR(CheckInside(spec, image));
    const fs::path mask = spec.annotations / (image.stem().string() + ".png");
    if (!fs::is_regular_file(mask, error)) {
      return Error(mask.string() + ": no mask for " + image.filename().string() +
                   " (each image NAME.* needs masks/NAME.png)");
    }
    ZC_RETURN_IF_ERROR(CheckInside(spec, mask));
    dataset.samples.push_back({image, mask});
  }
  if (dataset.samples.empty()) return Error(spec.path.string() + ": the dataset has no images");
  dataset.description = "masks " + spec.path.string() + ": " +
                        std::to_string(dataset.samples.size()) + " images, " +
                        std::to_string(dataset.class_names.size()) + " classes, ignore_index " +
                        std::to_string(spec.ignore_index);
  return dataset;
}

}  // namespace zooci
