// Private to eval: the parameters and results of the "eval-classification" worker job.
#pragma once

#include <nlohmann/json.hpp>

#include "eval/scenario.h"

namespace zooci {

inline constexpr const char* kEvalJob = "eval-classification";

nlohmann::json StepsToJson(const std::vector<PreprocessStep>& steps);
std::vector<PreprocessStep> StepsFromJson(const nlohmann::json& steps);  // throws json errors

// Job parameters (JSON): images (paths), preprocessing, input_name, input_shape (declared dims,
// -1 when free), input_elem_type, output_name ("" = first), top_k, batch_size, decode_threads.
// Job result (JSON): classes (the output's class count), sample_shape, decode_ns (summed over
// threads), inference_ns, wall_ns; blob 0: int64 little-endian, top_k model class indices per
// image, best first.

}  // namespace zooci
