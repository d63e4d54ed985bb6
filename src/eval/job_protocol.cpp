// The eval job's preprocessing steps on the wire (both sides of the worker pipe).
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
                    {"std", step.std}});
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
    list.push_back(std::move(step));
  }
  return list;
}

}  // namespace zooci
