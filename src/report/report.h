// report: the views of a review — plain text, JSON, Markdown (a PR comment), JUnit XML and a
// self-contained HTML page. Each is a pure function of a ValidateReport (pipeline's typed
// result); the CLI, the robot's check runs and comments, and the dashboard all render through
// these, so a review reads the same wherever it is shown.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/pipeline.h"

namespace zooci {

// ---- Views of a review (text_json.cpp, markdown.cpp, junit.cpp, html.cpp) ----------------------
std::string FormatValidateText(const ValidateReport& report);
std::string FormatValidateJson(const ValidateReport& report);
// Ready to be a PR comment: verdict first, a table per model, details folded (<details>).
std::string FormatValidateMarkdown(const ValidateReport& report);
// JUnit XML: one testsuite per model, one testcase per step; failures carry the reasons.
std::string FormatValidateJunit(const ValidateReport& report);
// A self-contained HTML page (inline CSS and SVG, no scripts from elsewhere): the verdicts, a
// table per model, latency histograms and accuracy results from the steps' details.
std::string FormatValidateHtml(const ValidateReport& report);
// GitHub Actions workflow commands (github.cpp): one ::error (declining) or ::warning (not
// verified, warnings) per reason on its file and line, then the verdict. `path_prefix` turns the
// zoo-relative paths into workspace-relative ones ("zoo/" when the zoo is a folder of the
// repository). Every value from the submission is escaped: no message can start another command.
std::string FormatValidateGithub(const ValidateReport& report, const std::string& path_prefix);

// ---- Internals (text_json.cpp): shared by the writers above, not for other callers -----------
namespace report_internal {

// `text` as valid UTF-8 (each byte that starts no well-formed sequence becomes U+FFFD) in which
// characters that could forge lines, drive a terminal or break XML — C0 controls, DEL, C1
// controls, U+FFFE/U+FFFF and the bidirectional overrides U+202A..U+202E, U+2066..U+2069 — are
// written as visible escapes ("\x1b", "\u009b"), or removed when `drop` is set. Tab, LF and CR
// are kept when `keep_whitespace` is set, else escaped (or dropped) too. Never throws.
std::string CleanText(std::string_view text, bool keep_whitespace, bool drop = false);

// Where a reason points, unescaped: "file:line", "file", or "" (line only when > 0 and a file).
std::string ReasonLocation(const Reason& reason);
// The verdict's counts: "1 of 2 models declined", "2 models accepted", "no models to review";
// ", 1 zoo reason" is appended when zoo-level reasons decline.
std::string VerdictCounts(const ValidateReport& report);
// "0.12 s"; "? s" for a non-finite value.
std::string FormatSeconds(double seconds);

// ---- The compatibility matrix in plain words (matrix.cpp); each view escapes them ---------------
std::string MatrixStatusText(MatrixStatus status);  // "ok", "refused to load", "crashed", ...
// "opencv (opencv-dnn 4.6.0, reported)"
std::string MatrixRowTitle(const MatrixRow& row);
// The row on one line: title, status, loads/runs/reference, p50 and the one-line reason.
std::string MatrixRowText(const MatrixRow& row);
// "output 'y': max abs 0.02, max rel 0.5, 3 of 1000 elements beyond tolerance; first at flat index
// 17 of test_data_set_0: <expected_name> 1.5, <actual_name> 1.52" (or its structure error).
std::string MatrixOutputText(const MatrixOutput& output, const std::string& expected_name,
                             const std::string& actual_name);
// "opencv against ort: agree within tolerance", "... DIFFER beyond tolerance", or the note.
std::string MatrixAgreementText(const MatrixAgreement& agreement);
// The inputs, the tolerance and the latency run's length.
std::string MatrixPlanText(const RuntimeMatrix& matrix);
// "opencv = opencv-dnn 4.6.0 (reported, never declines, default): the matrix only (...)".
std::string ReviewRuntimeText(const ReviewRuntime& runtime);
// The model's matrix step, or nullptr when the review has none.
const StepResult* MatrixStepOf(const ModelReview& model);
// True when an agreement says `row`'s runtime differs beyond tolerance from another.
bool MatrixRowDiffers(const MatrixRow& row, const RuntimeMatrix& matrix);
// A short table cell: "ok · 0.052 ms", "refused to load", "ok · 1.2 ms · differs from ort".
std::string MatrixCellText(const MatrixRow& row, const RuntimeMatrix& matrix);

}  // namespace report_internal

}  // namespace zooci
