// Private to eval: what the preprocessing pipeline's validation (preprocess_plan.cpp) and its
// OpenCV implementation (preprocess.cpp) share.
#pragma once

#include <cstdint>
#include <string>

#include "eval/preprocess.h"

namespace cv {
class Mat;
}

namespace zooci::preprocess_internal {

// Bounds that keep a hostile scenario or image from asking for absurd allocations.
inline constexpr int64_t kMaxSide = 16384;               // any configured size
inline constexpr int64_t kMaxPixels = int64_t{1} << 26;  // any intermediate image (H*W)

const char* StepName(PreprocessKind kind);
std::string StepLabel(size_t idx, const PreprocessStep& step);  // "preprocessing[2] resize"
std::string HxW(int64_t height, int64_t width);                 // "224x224"
bool ValidSide(int64_t side);
// Checks one step's own parameters (not its position); `channels` known at that point.
Status CheckParameters(const PreprocessStep& step, int channels);

// cv::imdecode(buffer, flags) from OpenCV's codec library, which is loaded on the first call
// (image_codecs.cpp says why). An error when the library cannot be loaded; may throw
// cv::Exception as cv::imdecode does. Thread-safe.
Result<cv::Mat> ImageDecode(const cv::Mat& buffer, int flags);

}  // namespace zooci::preprocess_internal
