// The eval job's preprocessing steps on the wire (both sides of the worker pipe).
#include <algorithm>

#include "eval/job_protocol.h"

namespace zooci {

using json = nlohmann::json;

json StepsToJson(const std::vector<PreprocessStep>& steps) {
  json list = json::array();
  for (const PreprocessStep& step : steps) {
    list.push_back({{"kind", static_cast<int>(step.kind)},
                    {"text", step.text},
                    {"shorter_side", step.shorter_side},
                    {"height", step.height},
                    {"width", step.width},
                    {"scale", step.scale},
                    {"mean", step.mean},
                    {"std", step.std},
                    {"fill", step.fill}});
  }
  return list;
}

std::vector<PreprocessStep> StepsFromJson(const json& steps) {
  std::vector<PreprocessStep> list;
  for (const json& item : steps) {
    PreprocessStep step;
    step.kind = static_cast<PreprocessKind>(item.at("kind").get<int>());
    step.text = item.at("text").get<std::string>();
    step.shorter_side = item.at("shorter_side").get<int64_t>();
    step.height = item.at("height").get<int64_t>();
    step.width = item.at("width").get<int64_t>();
    step.scale = item.at("scale").get<double>();
    step.mean = item.at("mean").get<std::vector<double>>();
    step.std = item.at("std").get<std::vector<double>>();
    step.fill = item.at("fill").get<std::vector<double>>();
    list.push_back(std::move(step));
  }
  return list;
}

json DetectionSpecToJson(const DetectionOutputSpec& spec) {
  json heads = json::array();
  for (const YoloHead& head : spec.heads) {
    json anchors = json::array();
    for (const auto& [width, height] : head.anchors) anchors.push_back({width, height});
    heads.push_back({{"output", head.output}, {"stride", head.stride}, {"anchors", anchors}});
  }
  return {{"format", static_cast<int>(spec.format)},
          {"boxes", spec.boxes_output},
          {"scores", spec.scores_output},
          {"labels", spec.labels_output},
          {"count", spec.count_output},
          {"batch_axis", spec.batch_axis},
          {"coordinates", static_cast<int>(spec.coordinates)},
          {"normalized", spec.normalized},
          {"heads", heads},
          {"channels_last", spec.channels_last},
          {"class_scores", static_cast<int>(spec.class_scores)},
          {"multi_label", spec.multi_label},
          {"score_threshold", spec.score_threshold},
          {"nms_iou", spec.nms_iou},
          {"class_agnostic_nms", spec.class_agnostic_nms},
          {"max_detections", spec.max_detections},
          {"clip", spec.clip}};
}

DetectionOutputSpec DetectionSpecFromJson(const json& data) {
  DetectionOutputSpec spec;
  spec.format = static_cast<DetectionFormat>(data.at("format").get<int>());
  spec.boxes_output = data.at("boxes").get<std::string>();
  spec.scores_output = data.at("scores").get<std::string>();
  spec.labels_output = data.at("labels").get<std::string>();
  spec.count_output = data.at("count").get<std::string>();
  spec.batch_axis = data.at("batch_axis").get<bool>();
  spec.coordinates = static_cast<BoxCoordinates>(data.at("coordinates").get<int>());
  spec.normalized = data.at("normalized").get<bool>();
  for (const json& item : data.at("heads")) {
    YoloHead head;
    head.output = item.at("output").get<std::string>();
    head.stride = item.at("stride").get<int64_t>();
    for (const json& anchor : item.at("anchors")) {
      head.anchors.emplace_back(anchor.at(0).get<double>(), anchor.at(1).get<double>());
    }
    spec.heads.push_back(std::move(head));
  }
  spec.channels_last = data.at("channels_last").get<bool>();
  spec.class_scores = static_cast<ClassScores>(data.at("class_scores").get<int>());
  spec.multi_label = data.at("multi_label").get<bool>();
  spec.score_threshold = data.at("score_threshold").get<double>();
  spec.nms_iou = data.at("nms_iou").get<double>();
  spec.class_agnostic_nms = data.at("class_agnostic_nms").get<bool>();
  spec.max_detections = std::max(1, data.at("max_detections").get<int>());
  spec.clip = data.at("clip").get<bool>();
  return spec;
}

}  // namespace zooci
