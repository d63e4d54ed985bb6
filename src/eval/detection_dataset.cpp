// Detection datasets: COCO JSON and the boxes format (eval.h, docs/detection.md). Neither decodes
// an image: COCO's evaluation needs only the boxes, and images are decoded in the worker.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "eval/eval.h"

namespace zooci {
namespace {

using json = nlohmann::json;

bool IsImageFile(const fs::path& path) {
  static const std::set<std::string> extensions = {".png", ".jpg",  ".jpeg", ".bmp", ".ppm",
                                                   ".pgm", ".webp", ".tif",  ".tiff"};
  return extensions.count(AsciiLower(path.extension().string())) != 0;
}

// A file named by the dataset: relative, not climbing out, inside spec.root (links resolved).
Result<fs::path> DatasetFile(const DatasetSpec& spec, const fs::path& base, const std::string& name,
                             const std::string& where) {
  const fs::path relative = fs::path(name).lexically_normal();
  if (name.empty() || relative.is_absolute() || (!relative.empty() && *relative.begin() == "..")) {
    return Error(where + ": '" + name + "' is not a relative path inside the dataset");
  }
  const fs::path path = base / relative;
  std::error_code error;
  if (!fs::exists(fs::symlink_status(path, error))) {
    return Error(where + ": no such image " + path.string());
  }
  if (!spec.root.empty()) {
    if (Status inside = CheckFileInside(spec.root, path); !inside.ok()) {
      return Error(where + ": " + inside.error().message());
    }
  }
  if (!fs::is_regular_file(path, error)) return Error(where + ": not a file: " + path.string());
  return path;
}

Result<std::string> ReadInside(const DatasetSpec& spec, const fs::path& path, uint64_t max_bytes) {
  if (!spec.root.empty()) {
    ZC_RETURN_IF_ERROR(CheckFileInside(spec.root, path));
  }
  return ReadFile(path, max_bytes);
}

// ---- COCO JSON -----------------------------------------------------------------------------

Result<double> JsonNumber(const json& value, const std::string& where) {
  if (!value.is_number()) return Error(where + ": expected a number");
  const double number = value.get<double>();
  if (!std::isfinite(number)) return Error(where + ": not a finite number");
  return number;
}

Result<DetectionDataset> LoadCoco(const DatasetSpec& spec) {
  const std::string file = spec.annotations.string();
  ZC_ASSIGN_OR_RETURN(std::string text, ReadInside(spec, spec.annotations, uint64_t{1} << 30));
  json data = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (data.is_discarded() || !data.is_object()) return Error(file + ": not a JSON object");
  for (const char* key : {"images", "annotations", "categories"}) {
    if (!data.contains(key) || !data[key].is_array()) {
      return Error(file + ": no '" + key +
                   "' list (a COCO instances file has images, "
                   "annotations and categories)");
    }
  }
  DetectionDataset dataset;
  try {
    std::set<int64_t> category_ids;
    for (size_t idx = 0; idx < data["categories"].size(); ++idx) {
      const json& entry = data["categories"][idx];
      const std::string where = file + ": categories[" + std::to_string(idx) + "]";
      DetectionCategory category{entry.at("id").get<int64_t>(),
                                 entry.at("name").get<std::string>()};
      if (!category_ids.insert(category.id).second) {
        return Error(where + ": category id " + std::to_string(category.id) + " repeats");
      }
      dataset.truth.categories.push_back(std::move(category));
    }
    std::map<int64_t, DetectionImage> images;  // by id: COCO evaluates in id order
    for (size_t idx = 0; idx < data["images"].size(); ++idx) {
      const json& entry = data["images"][idx];
      const std::string where = file + ": images[" + std::to_string(idx) + "]";
      const int64_t id = entry.at("id").get<int64_t>();
      ZC_ASSIGN_OR_RETURN(
          fs::path path,
          DatasetFile(spec, spec.path, entry.at("file_name").get<std::string>(), where));
      if (!images.emplace(id, DetectionImage{id, path}).second) {
        return Error(where + ": image id " + std::to_string(id) + " repeats");
      }
    }
    if (spec.limit > 0 && static_cast<int64_t>(images.size()) > spec.limit) {
      images.erase(std::next(images.begin(), spec.limit), images.end());
    }
    for (size_t idx = 0; idx < data["annotations"].size(); ++idx) {
      const json& entry = data["annotations"][idx];
      const std::string where = file + ": annotations[" + std::to_string(idx) + "]";
      GroundTruthBox box;
      box.image_id = entry.at("image_id").get<int64_t>();
      box.category_id = entry.at("category_id").get<int64_t>();
      if (!images.count(box.image_id)) {
        if (spec.limit > 0) continue;  // an image past the limit
        return Error(where + ": image_id " + std::to_string(box.image_id) + " is not in images");
      }
      if (!category_ids.count(box.category_id)) {
        return Error(where + ": category_id " + std::to_string(box.category_id) +
                     " is not in categories");
      }
      const json& bbox = entry.at("bbox");
      if (!bbox.is_array() || bbox.size() != 4) return Error(where + ": bbox is not [x, y, w, h]");
      double* fields[] = {&box.box.x, &box.box.y, &box.box.width, &box.box.height};
      for (size_t k = 0; k < 4; ++k) {
        ZC_ASSIGN_OR_RETURN(*fields[k],
                            JsonNumber(bbox[k], where + ": bbox[" + std::to_string(k) + "]"));
      }
      box.area = box.box.width * box.box.height;
      if (entry.contains("area")) {
        ZC_ASSIGN_OR_RETURN(box.area, JsonNumber(entry["area"], where + ": area"));
      }
      if (entry.contains("iscrowd")) {
        ZC_ASSIGN_OR_RETURN(double crowd, JsonNumber(entry["iscrowd"], where + ": iscrowd"));
        box.crowd = crowd != 0;
      }
      dataset.truth.boxes.push_back(box);
    }
    for (auto& [id, image] : images) {
      dataset.truth.image_ids.push_back(id);
      dataset.images.push_back(std::move(image));
    }
  } catch (const json::exception& error) {
    return Error(file + ": " + error.what());
  }
  return dataset;
}

// ---- Boxes format --------------------------------------------------------------------------

// One line: "<class name> x_min y_min x_max y_max [crowd]"; the name may contain spaces.
Status ParseBoxLine(std::string_view line, const std::map<std::string, int64_t>& categories,
                    const std::string& where, GroundTruthBox* box) {
  std::vector<std::string> tokens;
  for (const std::string& token : SplitString(line, ' ')) {
    for (const std::string& part : SplitString(token, '\t')) {
      if (!part.empty()) tokens.push_back(part);
    }
  }
  if (!tokens.empty() && tokens.back() == "crowd") {
    box->crowd = true;
    tokens.pop_back();
  }
  if (tokens.size() < 5) {
    return Error(where + ": expected '<class name> x_min y_min x_max y_max [crowd]'");
  }
  double xyxy[4];
  for (size_t k = 0; k < 4; ++k) {
    auto value = ParseDouble(tokens[tokens.size() - 4 + k], "coordinate");
    if (!value.ok() || !std::isfinite(*value)) {
      return Error(where + ": '" + tokens[tokens.size() - 4 + k] + "' is not a number");
    }
    xyxy[k] = *value;
  }
  tokens.resize(tokens.size() - 4);
  const std::string name = JoinStrings(tokens, " ");
  auto category = categories.find(name);
  if (category == categories.end())
    return Error(where + ": class '" + name + "' is not in the labels file");
  if (xyxy[2] < xyxy[0] || xyxy[3] < xyxy[1])
    return Error(where + ": x_max < x_min or y_max < y_min");
  box->category_id = category->second;
  box->box = {xyxy[0], xyxy[1], xyxy[2] - xyxy[0], xyxy[3] - xyxy[1]};
  box->area = box->box.width * box->box.height;
  return OkStatus();
}

Result<DetectionDataset> LoadBoxes(const DatasetSpec& spec) {
  DetectionDataset dataset;
  ZC_ASSIGN_OR_RETURN(std::string labels_text, ReadInside(spec, spec.labels, uint64_t{16} << 20));
  std::map<std::string, int64_t> categories;
  for (const std::string& line : SplitString(labels_text, '\n')) {
    const std::string name(Trim(line));
    if (name.empty()) continue;
    const auto id = static_cast<int64_t>(dataset.truth.categories.size()) + 1;
    if (!categories.emplace(name, id).second) {
      return Error(spec.labels.string() + ": class '" + name + "' repeats");
    }
    dataset.truth.categories.push_back({id, name});
  }
  if (categories.empty()) return Error(spec.labels.string() + ": no class names");
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(spec.path, error)) {
    if (IsImageFile(entry.path())) files.push_back(entry.path());
  }
  if (error) return Error(spec.path.string() + ": " + error.message());
  std::sort(files.begin(), files.end());
  if (spec.limit > 0 && static_cast<int64_t>(files.size()) > spec.limit) files.resize(spec.limit);
  for (const fs::path& file : files) {
    const std::string where = file.string();
    ZC_ASSIGN_OR_RETURN(fs::path image,
                        DatasetFile(spec, spec.path, file.filename().string(), where));
    const auto id = static_cast<int64_t>(dataset.images.size()) + 1;
    dataset.images.push_back({id, image});
    dataset.truth.image_ids.push_back(id);
    const fs::path annotations = spec.annotations / (file.stem().string() + ".txt");
    auto text = ReadInside(spec, annotations, uint64_t{16} << 20);
    if (!text.ok()) {
      return Error(annotations.string() + ": cannot read the annotations of " +
                   file.filename().string() +
                   " (an image without objects has an empty file): " + text.error().message());
    }
    std::vector<std::string> lines = SplitString(*text, '\n');
    for (size_t line = 0; line < lines.size(); ++line) {
      std::string_view content = Trim(lines[line]);
      if (content.empty() || content.front() == '#') continue;
      GroundTruthBox box;
      box.image_id = id;
      ZC_RETURN_IF_ERROR(ParseBoxLine(content, categories,
                                      annotations.string() + ":" + std::to_string(line + 1), &box));
      dataset.truth.boxes.push_back(box);
    }
  }
  return dataset;
}

}  // namespace

Result<DetectionDataset> LoadDetectionDataset(const DatasetSpec& spec) {
  Result<DetectionDataset> dataset =
      spec.format == DatasetFormat::kCoco ? LoadCoco(spec) : LoadBoxes(spec);
  if (!dataset.ok()) return dataset;
  if (dataset->images.empty()) return Error(spec.path.string() + ": the dataset has no images");
  int64_t boxes = 0, crowd = 0;
  for (const GroundTruthBox& box : dataset->truth.boxes) (box.crowd ? crowd : boxes) += 1;
  const fs::path& source = spec.format == DatasetFormat::kCoco ? spec.annotations : spec.path;
  if (boxes == 0) {
    return Error(source.string() + ": no ground-truth box (crowd regions aside): mAP is undefined");
  }
  dataset->description = std::string(spec.format == DatasetFormat::kCoco ? "coco " : "boxes ") +
                         source.string() + ": " + std::to_string(dataset->images.size()) +
                         " images, " + std::to_string(dataset->truth.categories.size()) +
                         " categories, " + std::to_string(boxes) + " boxes" +
                         (crowd > 0 ? ", " + std::to_string(crowd) + " crowd regions" : "");
  return dataset;
}

Result<std::vector<fs::path>> DatasetInputFiles(const EvalScenario& scenario) {
  const DatasetSpec& spec = scenario.dataset;
  std::vector<fs::path> files;
  if (!spec.labels.empty()) files.push_back(spec.labels);
  if (scenario.task == EvalTask::kObjectDetection) {
    if (scenario.detection.label_map == LabelMap::kNames) {
      files.push_back(scenario.detection.label_names);
    }
    if (spec.format == DatasetFormat::kCoco) files.push_back(spec.annotations);
    ZC_ASSIGN_OR_RETURN(DetectionDataset dataset, LoadDetectionDataset(spec));
    for (const DetectionImage& image : dataset.images) {
      files.push_back(image.path);
      if (spec.format == DatasetFormat::kBoxes) {
        files.push_back(spec.annotations / (image.path.stem().string() + ".txt"));
      }
    }
    return files;
  }
  if (scenario.task == EvalTask::kSemanticSegmentation) {
    ZC_ASSIGN_OR_RETURN(SegmentationDataset dataset, LoadSegmentationDataset(spec));
    for (const SegmentationSample& sample : dataset.samples) {
      files.push_back(sample.image);
      files.push_back(sample.mask);
    }
    return files;
  }
  if (spec.format != DatasetFormat::kImageFolder) files.push_back(spec.path);
  ZC_ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(spec));
  for (const Sample& sample : dataset.samples) files.push_back(sample.path);
  return files;
}

}  // namespace zooci
