// The `output` section of an object-detection scenario: how the model's outputs become boxes.
// Keys that belong to the other format are errors (a yolo scenario naming a `boxes` output is a
// mistake, not something to ignore), and so is a yolo scenario without nms_iou: raw grids give
// many overlapping boxes per object, which COCO's evaluation would count as false positives.
#include <climits>

#include "eval/scenario_parser.h"

namespace zooci::scenario_internal {
namespace {

const Names kBoxesKeys = {"boxes",      "scores",      "labels",    "count",
                          "batch_axis", "coordinates", "normalized"};
const Names kYoloKeys = {"heads", "grid_layout", "class_scores", "multi_label"};

bool In(const Names& names, std::string_view name) {
  for (std::string_view candidate : names) {
    if (candidate == name) return true;
  }
  return false;
}

}  // namespace

Status Parser::ParseDetectionOutput(const Field& field, DetectionOutputSpec* output) const {
  const std::string path = "output";
  Names valid = {"format"};
  valid.insert(valid.end(), kBoxesKeys.begin(), kBoxesKeys.end());
  valid.insert(valid.end(), kYoloKeys.begin(), kYoloKeys.end());
  for (std::string_view key : {"score_threshold", "nms_iou", "class_agnostic_nms", "max_detections",
                               "clip", "label_map", "label_offset", "label_names"}) {
    valid.push_back(key);
  }
  ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(field.value, path, valid));
  ZC_ASSIGN_OR_RETURN(const Field* format, Require(fields, "format", field.key, path));
  ZC_ASSIGN_OR_RETURN(std::string format_name, Enum(*format, path + ".format", {"boxes", "yolo"}));
  const bool yolo = format_name == "yolo";
  output->format = yolo ? DetectionFormat::kYolo : DetectionFormat::kBoxes;
  for (const Field& entry : fields.entries) {
    if (In(yolo ? kBoxesKeys : kYoloKeys, entry.name)) {
      return Fail(entry.key, path,
                  "'" + entry.name + "' does not apply to format " + format_name + " (it is " +
                      (yolo ? "boxes" : "yolo") + "'s)");
    }
  }

  if (!yolo) {
    ZC_ASSIGN_OR_RETURN(const Field* boxes, Require(fields, "boxes", field.key, path));
    ZC_ASSIGN_OR_RETURN(const Field* scores, Require(fields, "scores", field.key, path));
    ZC_ASSIGN_OR_RETURN(const Field* labels, Require(fields, "labels", field.key, path));
    ZC_ASSIGN_OR_RETURN(output->boxes_output, String(*boxes, path + ".boxes"));
    ZC_ASSIGN_OR_RETURN(output->scores_output, String(*scores, path + ".scores"));
    ZC_ASSIGN_OR_RETURN(output->labels_output, String(*labels, path + ".labels"));
    if (const Field* count = fields.Find("count")) {
      ZC_ASSIGN_OR_RETURN(output->count_output, String(*count, path + ".count"));
    }
    if (const Field* batch_axis = fields.Find("batch_axis")) {
      ZC_ASSIGN_OR_RETURN(output->batch_axis, Bool(*batch_axis, path + ".batch_axis"));
    }
    if (const Field* coordinates = fields.Find("coordinates")) {
      ZC_ASSIGN_OR_RETURN(std::string name, Enum(*coordinates, path + ".coordinates",
                                                 {"xyxy", "yxyx", "xywh", "cxcywh"}));
      output->coordinates = name == "yxyx"     ? BoxCoordinates::kYxyx
                            : name == "xywh"   ? BoxCoordinates::kXywh
                            : name == "cxcywh" ? BoxCoordinates::kCxcywh
                                               : BoxCoordinates::kXyxy;
    }
    if (const Field* normalized = fields.Find("normalized")) {
      ZC_ASSIGN_OR_RETURN(output->normalized, Bool(*normalized, path + ".normalized"));
    }
  } else {
    output->coordinates = BoxCoordinates::kCxcywh;
    ZC_ASSIGN_OR_RETURN(const Field* heads, Require(fields, "heads", field.key, path));
    if (!heads->value.IsSequence() || heads->value.size() == 0) {
      return Fail(heads->key, path + ".heads",
                  "expected a non-empty list of {name, stride, anchors}");
    }
    for (size_t idx = 0; idx < heads->value.size(); ++idx) {
      const std::string head_path = path + ".heads[" + std::to_string(idx) + "]";
      ZC_ASSIGN_OR_RETURN(Fields head_fields,
                          ReadFields(heads->value[idx], head_path, {"name", "stride", "anchors"}));
      const Field item{"", heads->value[idx], heads->value[idx]};
      ZC_ASSIGN_OR_RETURN(const Field* name, Require(head_fields, "name", item.key, head_path));
      ZC_ASSIGN_OR_RETURN(const Field* stride, Require(head_fields, "stride", item.key, head_path));
      ZC_ASSIGN_OR_RETURN(const Field* anchors,
                          Require(head_fields, "anchors", item.key, head_path));
      YoloHead head;
      ZC_ASSIGN_OR_RETURN(head.output, String(*name, head_path + ".name"));
      ZC_ASSIGN_OR_RETURN(head.stride, Int(*stride, head_path + ".stride", 1, 4096));
      if (!anchors->value.IsSequence() || anchors->value.size() == 0 ||
          anchors->value.size() > 64) {
        return Fail(anchors->key, head_path + ".anchors",
                    "expected a list of 1 to 64 [width, height] pairs");
      }
      for (size_t anchor = 0; anchor < anchors->value.size(); ++anchor) {
        const Field pair{"", anchors->value[anchor], anchors->value[anchor]};
        const std::string anchor_path = head_path + ".anchors[" + std::to_string(anchor) + "]";
        ZC_ASSIGN_OR_RETURN(std::vector<double> size, NumberList(pair, anchor_path));
        if (size.size() != 2 || !(size[0] > 0) || !(size[1] > 0)) {
          return Fail(pair.key, anchor_path, "expected [width, height], both positive");
        }
        head.anchors.emplace_back(size[0], size[1]);
      }
      output->heads.push_back(std::move(head));
    }
    if (const Field* layout = fields.Find("grid_layout")) {
      ZC_ASSIGN_OR_RETURN(std::string name, Enum(*layout, path + ".grid_layout",
                                                 {"channels_first", "channels_last"}));
      output->channels_last = name == "channels_last";
    }
    if (const Field* scores = fields.Find("class_scores")) {
      ZC_ASSIGN_OR_RETURN(std::string name,
                          Enum(*scores, path + ".class_scores", {"sigmoid", "softmax"}));
      output->class_scores = name == "softmax" ? ClassScores::kSoftmax : ClassScores::kSigmoid;
    }
    if (const Field* multi_label = fields.Find("multi_label")) {
      ZC_ASSIGN_OR_RETURN(output->multi_label, Bool(*multi_label, path + ".multi_label"));
    }
    if (fields.Find("nms_iou") == nullptr) {
      return Fail(field.key, path,
                  "missing required key 'nms_iou' (a yolo grid needs non-maximum suppression)");
    }
  }

  if (const Field* threshold = fields.Find("score_threshold")) {
    ZC_ASSIGN_OR_RETURN(output->score_threshold, Number(*threshold, path + ".score_threshold"));
  }
  if (const Field* nms = fields.Find("nms_iou")) {
    ZC_ASSIGN_OR_RETURN(output->nms_iou, Number(*nms, path + ".nms_iou"));
    if (!(output->nms_iou > 0 && output->nms_iou <= 1)) {
      return Fail(nms->value, path + ".nms_iou", "must be within (0, 1]");
    }
  }
  if (const Field* agnostic = fields.Find("class_agnostic_nms")) {
    ZC_ASSIGN_OR_RETURN(output->class_agnostic_nms, Bool(*agnostic, path + ".class_agnostic_nms"));
  }
  if (const Field* max_detections = fields.Find("max_detections")) {
    ZC_ASSIGN_OR_RETURN(int64_t value, Int(*max_detections, path + ".max_detections", 1, 100000));
    output->max_detections = static_cast<int>(value);
  }
  if (const Field* clip = fields.Find("clip")) {
    ZC_ASSIGN_OR_RETURN(output->clip, Bool(*clip, path + ".clip"));
  }
  if (const Field* label_map = fields.Find("label_map")) {
    ZC_ASSIGN_OR_RETURN(std::string name, Enum(*label_map, path + ".label_map",
                                               {"contiguous", "category_id", "names"}));
    output->label_map = name == "category_id" ? LabelMap::kCategoryId
                        : name == "names"     ? LabelMap::kNames
                                              : LabelMap::kContiguous;
  }
  if (const Field* offset = fields.Find("label_offset")) {
    if (output->label_map == LabelMap::kCategoryId) {
      return Fail(offset->key, path, "'label_offset' does not apply to label_map category_id");
    }
    ZC_ASSIGN_OR_RETURN(output->label_offset,
                        Int(*offset, path + ".label_offset", INT32_MIN, INT32_MAX));
  }
  const Field* names = fields.Find("label_names");
  if ((names != nullptr) != (output->label_map == LabelMap::kNames)) {
    return Fail(names != nullptr ? names->key : field.key, path,
                "'label_names' goes with label_map names, and only with it");
  }
  if (names != nullptr) {
    ZC_ASSIGN_OR_RETURN(output->label_names,
                        InsidePath(*names, path + ".label_names", PathKind::kFile));
  }
  return OkStatus();
}

}  // namespace zooci::scenario_internal
