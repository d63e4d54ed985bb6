// Private to eval: the parameters and results of the eval worker jobs.
#pragma once

#include <nlohmann/json.hpp>

#include "eval/scenario.h"

namespace zooci {

inline constexpr const char* kEvalJob = "eval-classification";
inline constexpr const char* kDetectionJob = "eval-detection";
inline constexpr const char* kSegmentationJob = "eval-segmentation";

nlohmann::json StepsToJson(const std::vector<PreprocessStep>& steps);
std::vector<PreprocessStep> StepsFromJson(const nlohmann::json& steps);  // throws json errors

nlohmann::json DetectionSpecToJson(const DetectionOutputSpec& spec);
DetectionOutputSpec DetectionSpecFromJson(const nlohmann::json& spec);  // throws json errors

// Both jobs' parameters (JSON): images (paths), preprocessing, input_name, input_shape (declared
// dims, -1 when free), input_elem_type, batch_size, decode_threads. Both results (JSON):
// sample_shape, decode_ns (summed over threads), inference_ns, wall_ns.
//
// eval-classification: parameters output_name ("" = first), top_k; result classes (the output's
// class count); blob 0: int64 little-endian, top_k model class indices per image, best first.
//
// eval-detection: parameter detection (DetectionSpecToJson); result postprocess_ns (decoding and
// suppression), non_finite (candidates dropped); blob 0: kDetectionFields int64 little-endian
// values per detection: image index in the request, model label, then score, x, y, width, height
// as the bit patterns of doubles (original image pixels), each image's best first.
inline constexpr size_t kDetectionFields = 7;
//
// eval-segmentation: parameters masks (paths, one per image), output_name ("" = first),
// compare_at (SegmentationCompare), upsample (Upsample), ignore_index, classes (the dataset's
// class count, which the output's channels must equal); result classes, postprocess_ns (mask
// decoding and comparison), ignored (pixels not evaluated); blob 0: the classes x
// classes confusion matrix (row = ground truth, column = prediction) summed over the request's
// images, int64 little-endian.

}  // namespace zooci
