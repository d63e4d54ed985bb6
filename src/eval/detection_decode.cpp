// Decoding a detector's outputs (detection_decode.h states the order of the steps). All
// arithmetic is in double from the outputs' float values.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "eval/detection_decode.h"
#include "eval/tensor_element.h"

namespace zooci {
namespace {

struct Candidate {
  double xyxy[4];
  double score;
  int64_t label;
};

const Value* FindOutput(const std::vector<Value>& outputs, const std::string& name) {
  for (const Value& output : outputs) {
    if (output.name == name) return &output;
  }
  return nullptr;
}

std::string OutputNames(const std::vector<Value>& outputs) {
  std::vector<std::string> names;
  for (const Value& output : outputs) names.push_back("'" + output.name + "'");
  return JoinStrings(names, ", ");
}

Result<const Tensor*> NumericOutput(const std::vector<Value>& outputs, const std::string& name) {
  const Value* value = FindOutput(outputs, name);
  if (value == nullptr) {
    return Error("the model has no output '" + name + "' (outputs: " + OutputNames(outputs) + ")");
  }
  const ElemType type = value->tensor.elem_type;
  if (value->kind != ValueKind::kTensor || (type != ElemType::kFloat && type != ElemType::kDouble &&
                                            type != ElemType::kInt64 && type != ElemType::kInt32)) {
    return Error("output '" + name + "' is " + value->Describe() +
                 "; expected a float, double, int64 or int32 tensor");
  }
  return &value->tensor;
}

double Sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// ---- Boxes outputs ------------------------------------------------------------------------

struct BoxesLayout {
  const Tensor* boxes;
  const Tensor* scores;
  const Tensor* labels;
  const Tensor* count;  // may be null
  int64_t per_image;    // K
};

Result<BoxesLayout> BoxesOutputs(const DetectionOutputSpec& spec, const std::vector<Value>& outputs,
                                 int64_t rows) {
  BoxesLayout layout{};
  ZC_ASSIGN_OR_RETURN(layout.boxes, NumericOutput(outputs, spec.boxes_output));
  ZC_ASSIGN_OR_RETURN(layout.scores, NumericOutput(outputs, spec.scores_output));
  ZC_ASSIGN_OR_RETURN(layout.labels, NumericOutput(outputs, spec.labels_output));
  if (!spec.count_output.empty()) {
    ZC_ASSIGN_OR_RETURN(layout.count, NumericOutput(outputs, spec.count_output));
  }
  const std::vector<int64_t>& shape = layout.boxes->shape;
  const size_t rank = spec.batch_axis ? 3 : 2;
  if (rows < 0) rows = spec.batch_axis && !shape.empty() ? shape[0] : 1;  // per image: no check
  if (shape.size() != rank || shape.back() != 4 || (spec.batch_axis && shape[0] != rows)) {
    return Error("output '" + spec.boxes_output + "' has shape " + FormatDims(shape) +
                 "; expected " +
                 (spec.batch_axis ? "[" + std::to_string(rows) + ",K,4]" : "[K,4]") +
                 (spec.batch_axis ? "" : " (batch_axis: false)"));
  }
  layout.per_image = shape[rank - 2];
  const int64_t expected = (spec.batch_axis ? rows : 1) * layout.per_image;
  for (const auto& [tensor, name] : {std::pair{layout.scores, spec.scores_output},
                                     std::pair{layout.labels, spec.labels_output}}) {
    if (tensor->ElementCount() != expected) {
      return Error("output '" + name + "' has shape " + FormatDims(tensor->shape) + "; expected " +
                   std::to_string(expected) + " values, one per box of '" + spec.boxes_output +
                   "' " + FormatDims(shape));
    }
  }
  if (layout.count != nullptr && layout.count->ElementCount() != (spec.batch_axis ? rows : 1)) {
    return Error("output '" + spec.count_output + "' has shape " + FormatDims(layout.count->shape) +
                 "; expected one count per image");
  }
  return layout;
}

void BoxesCandidates(const DetectionOutputSpec& spec, const BoxesLayout& layout, int64_t row,
                     int64_t input_height, int64_t input_width, std::vector<Candidate>* out) {
  const int64_t base = spec.batch_axis ? row * layout.per_image : 0;
  int64_t count = layout.per_image;
  if (layout.count != nullptr) {
    const double stated = NumericElement(*layout.count, spec.batch_axis ? row : 0);
    count = std::isfinite(stated) ? std::clamp<int64_t>(std::llround(stated), 0, count) : 0;
  }
  const double sx = spec.normalized ? static_cast<double>(input_width) : 1.0;
  const double sy = spec.normalized ? static_cast<double>(input_height) : 1.0;
  for (int64_t k = 0; k < count; ++k) {
    double v[4];
    for (int idx = 0; idx < 4; ++idx) v[idx] = NumericElement(*layout.boxes, (base + k) * 4 + idx);
    Candidate c{};
    switch (spec.coordinates) {
      case BoxCoordinates::kXyxy:
        c.xyxy[0] = v[0], c.xyxy[1] = v[1], c.xyxy[2] = v[2], c.xyxy[3] = v[3];
        break;
      case BoxCoordinates::kYxyx:
        c.xyxy[0] = v[1], c.xyxy[1] = v[0], c.xyxy[2] = v[3], c.xyxy[3] = v[2];
        break;
      case BoxCoordinates::kXywh:
        c.xyxy[0] = v[0], c.xyxy[1] = v[1], c.xyxy[2] = v[0] + v[2], c.xyxy[3] = v[1] + v[3];
        break;
      case BoxCoordinates::kCxcywh:
        c.xyxy[0] = v[0] - v[2] / 2, c.xyxy[1] = v[1] - v[3] / 2;
        c.xyxy[2] = v[0] + v[2] / 2, c.xyxy[3] = v[1] + v[3] / 2;
        break;
    }
    c.xyxy[0] *= sx, c.xyxy[2] *= sx, c.xyxy[1] *= sy, c.xyxy[3] *= sy;
    c.score = NumericElement(*layout.scores, base + k);
    const double label = NumericElement(*layout.labels, base + k);
    c.label = std::isfinite(label) ? std::llround(label) : INT64_MIN;
    out->push_back(c);
  }
}

// ---- YOLO grids ---------------------------------------------------------------------------

struct GridLayout {
  const Tensor* tensor;
  int64_t height, width, classes;
};

Result<GridLayout> Grid(const DetectionOutputSpec& spec, const YoloHead& head,
                        const std::vector<Value>& outputs, int64_t rows) {
  GridLayout grid{};
  ZC_ASSIGN_OR_RETURN(grid.tensor, NumericOutput(outputs, head.output));
  const std::vector<int64_t>& shape = grid.tensor->shape;
  if (rows < 0 && !shape.empty()) rows = shape[0];  // per image: no check
  const auto anchors = static_cast<int64_t>(head.anchors.size());
  const int64_t channels = shape.size() == 4 ? shape[spec.channels_last ? 3 : 1] : 0;
  if (shape.size() != 4 || shape[0] != rows || channels % anchors != 0 || channels / anchors < 6) {
    return Error("output '" + head.output + "' has shape " + FormatDims(shape) + "; expected " +
                 (spec.channels_last ? "[" + std::to_string(rows) + ",H,W,A*(5+C)]"
                                     : "[" + std::to_string(rows) + ",A*(5+C),H,W]") +
                 " with A = " + std::to_string(anchors) + " anchors and C >= 1 classes");
  }
  grid.height = shape[spec.channels_last ? 1 : 2];
  grid.width = shape[spec.channels_last ? 2 : 3];
  grid.classes = channels / anchors - 5;
  return grid;
}

void YoloCandidates(const DetectionOutputSpec& spec, const YoloHead& head, const GridLayout& grid,
                    int64_t row, std::vector<Candidate>* out) {
  const auto anchors = static_cast<int64_t>(head.anchors.size());
  const int64_t fields = 5 + grid.classes;
  const int64_t cells = grid.height * grid.width;
  const auto stride = static_cast<double>(head.stride);
  std::vector<double> class_scores(static_cast<size_t>(grid.classes));
  for (int64_t a = 0; a < anchors; ++a) {
    for (int64_t i = 0; i < grid.height; ++i) {
      for (int64_t j = 0; j < grid.width; ++j) {
        // Element k of this (anchor, cell).
        auto value = [&](int64_t k) {
          const int64_t index =
              spec.channels_last
                  ? ((row * grid.height + i) * grid.width + j) * anchors * fields + a * fields + k
                  : ((row * anchors + a) * fields + k) * cells + i * grid.width + j;
          return NumericElement(*grid.tensor, index);
        };
        const double objectness = Sigmoid(value(4));
        // A score is objectness times a class score of at most 1: below the threshold already,
        // the anchor cannot give a detection (most of a grid; skipping it is most of the speed).
        if (objectness < spec.score_threshold) continue;
        if (spec.class_scores == ClassScores::kSoftmax) {
          double largest = -INFINITY;
          for (int64_t k = 0; k < grid.classes; ++k) largest = std::max(largest, value(5 + k));
          double sum = 0;
          for (int64_t k = 0; k < grid.classes; ++k) {
            class_scores[k] = std::exp(value(5 + k) - largest);
            sum += class_scores[k];
          }
          for (double& score : class_scores) score /= sum;
        } else {
          for (int64_t k = 0; k < grid.classes; ++k) class_scores[k] = Sigmoid(value(5 + k));
        }
        Candidate c{};
        const double cx = (Sigmoid(value(0)) + static_cast<double>(j)) * stride;
        const double cy = (Sigmoid(value(1)) + static_cast<double>(i)) * stride;
        const double w = head.anchors[a].first * std::exp(value(2));
        const double h = head.anchors[a].second * std::exp(value(3));
        c.xyxy[0] = cx - w / 2, c.xyxy[1] = cy - h / 2, c.xyxy[2] = cx + w / 2;
        c.xyxy[3] = cy + h / 2;
        if (spec.multi_label) {
          for (int64_t k = 0; k < grid.classes; ++k) {
            c.score = objectness * class_scores[k];
            c.label = k;
            if (c.score >= spec.score_threshold) out->push_back(c);
          }
        } else {
          const auto best = static_cast<int64_t>(
              std::max_element(class_scores.begin(), class_scores.end()) - class_scores.begin());
          c.score = objectness * class_scores[best];
          c.label = best;
          out->push_back(c);
        }
      }
    }
  }
}

// ---- Common -------------------------------------------------------------------------------

bool Finite(const Candidate& c) {
  return std::isfinite(c.xyxy[0]) && std::isfinite(c.xyxy[1]) && std::isfinite(c.xyxy[2]) &&
         std::isfinite(c.xyxy[3]) && std::isfinite(c.score) && c.label != INT64_MIN;
}

// Keeps the candidates that survive greedy suppression, best first (ties: output order).
std::vector<Candidate> Suppress(std::vector<Candidate> candidates, double iou_limit,
                                bool agnostic) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  if (iou_limit <= 0) return candidates;
  std::vector<Candidate> kept;
  for (const Candidate& candidate : candidates) {
    bool suppressed = false;
    for (const Candidate& winner : kept) {
      if (!agnostic && winner.label != candidate.label) continue;
      if (XyxyIou(winner.xyxy, candidate.xyxy) > iou_limit) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push_back(candidate);
  }
  return kept;
}

}  // namespace

double XyxyIou(const double* a, const double* b) {
  const double width = std::min(a[2], b[2]) - std::max(a[0], b[0]);
  const double height = std::min(a[3], b[3]) - std::max(a[1], b[1]);
  if (width <= 0 || height <= 0) return 0;
  const double intersection = width * height;
  const double uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection;
  return uni > 0 ? intersection / uni : 0;
}

Status CheckDetectionOutputs(const DetectionOutputSpec& spec, const std::vector<Value>& outputs,
                             int64_t batch_rows) {
  if (spec.format == DetectionFormat::kBoxes) {
    auto layout = BoxesOutputs(spec, outputs, batch_rows);
    return layout.ok() ? OkStatus() : Status(layout.error());
  }
  for (const YoloHead& head : spec.heads) {
    auto grid = Grid(spec, head, outputs, batch_rows);
    if (!grid.ok()) return grid.error();
  }
  return OkStatus();
}

Result<DecodedImage> DecodeDetections(const DetectionOutputSpec& spec,
                                      const std::vector<Value>& outputs, int64_t row,
                                      int64_t input_height, int64_t input_width,
                                      const ImageGeometry& geometry) {
  std::vector<Candidate> candidates;
  if (spec.format == DetectionFormat::kBoxes) {
    ZC_ASSIGN_OR_RETURN(BoxesLayout layout, BoxesOutputs(spec, outputs, -1));
    if (spec.batch_axis ? row >= layout.boxes->shape[0] : row != 0) {
      return Error("output '" + spec.boxes_output + "' has no row " + std::to_string(row));
    }
    BoxesCandidates(spec, layout, row, input_height, input_width, &candidates);
  } else {
    for (const YoloHead& head : spec.heads) {
      ZC_ASSIGN_OR_RETURN(GridLayout grid, Grid(spec, head, outputs, -1));
      if (row >= grid.tensor->shape[0]) {
        return Error("output '" + head.output + "' has no row " + std::to_string(row));
      }
      YoloCandidates(spec, head, grid, row, &candidates);
    }
  }
  DecodedImage image;
  std::vector<Candidate> kept;
  kept.reserve(candidates.size());
  for (const Candidate& c : candidates) {
    if (!Finite(c)) {
      ++image.non_finite;
    } else if (c.score >= spec.score_threshold) {
      kept.push_back(c);
    }
  }
  kept = Suppress(std::move(kept), spec.nms_iou, spec.class_agnostic_nms);
  if (kept.size() > static_cast<size_t>(spec.max_detections)) kept.resize(spec.max_detections);
  const auto width = static_cast<double>(geometry.width);
  const auto height = static_cast<double>(geometry.height);
  for (const Candidate& c : kept) {
    double x1 = (c.xyxy[0] - geometry.offset_x) / geometry.scale_x;
    double y1 = (c.xyxy[1] - geometry.offset_y) / geometry.scale_y;
    double x2 = (c.xyxy[2] - geometry.offset_x) / geometry.scale_x;
    double y2 = (c.xyxy[3] - geometry.offset_y) / geometry.scale_y;
    if (spec.clip) {
      x1 = std::clamp(x1, 0.0, width), x2 = std::clamp(x2, 0.0, width);
      y1 = std::clamp(y1, 0.0, height), y2 = std::clamp(y2, 0.0, height);
    }
    image.boxes.push_back({c.label, c.score, BoxXywh{x1, y1, x2 - x1, y2 - y1}});
  }
  return image;
}

}  // namespace zooci
