// pipeline: `zooci validate`. Reviews the model folders of a zoo (all, or those changed since a
// git ref) step by step — artifacts, integrity, check, test, eval, bench — and decides ACCEPT or
// DECLINE per model and overall, with every reason pointing at a file (and line or node).
// Step results are cached by the SHA-256 of their inputs, zooci's and the runtime's versions and
// the step's configuration. With several runtimes (--runtimes, or the zoo's `runtimes`), a matrix
// step runs each model folder's test data on every one of them and compares them (RuntimeMatrix).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"
#include "runtime/runtime.h"

namespace zooci {

enum class StepStatus {
  kPass,     // ran, nothing declines the model
  kFail,     // ran, something declines the model
  kSkipped,  // did not run; `summary` says why and whether that declines (it then is kFail)
};
std::string StepStatusName(StepStatus status);  // "pass", "fail", "skipped"

// ACCEPT: every check ran and nothing declines. DECLINE: something declines. INCOMPLETE: nothing
// declines, but something required could not be verified for a reason outside the submission
// (Git LFS content not fetched, a runtime that cannot load the model's opset, ...): the review
// says what was not checked and why, and never passes silently.
enum class Verdict { kAccept, kDecline, kIncomplete };
std::string VerdictName(Verdict verdict);  // "ACCEPT", "DECLINE", "INCOMPLETE"

// How a finding weighs on the verdict.
enum class ReasonLevel {
  kDecline,     // a defect of the submission: the model is declined
  kUnverified,  // something required was not checked, for a reason outside the submission
  kWarning,     // reported; does not decide the verdict
};
std::string ReasonLevelName(ReasonLevel level);  // "decline", "unverified", "warning"

// One finding, pointing at a repository-relative file (and line or node) when it has one.
struct Reason {
  std::string step;     // "artifacts", "integrity", "check", "test", "eval", "bench", "zoo"
  std::string message;  // a full sentence a submitter can act on
  std::string file;     // relative to the zoo root; empty when it concerns the folder
  int line = 0;         // README line, when it applies
  std::string node;     // model node, when it applies ("node 'Conv_3' (#3)")
  ReasonLevel level = ReasonLevel::kDecline;

  bool declines() const { return level == ReasonLevel::kDecline; }
  bool unverified() const { return level == ReasonLevel::kUnverified; }
};

struct StepResult {
  std::string name;  // "artifacts", "integrity", "check", "test", "eval", "bench"
  StepStatus status = StepStatus::kPass;
  std::string summary;          // one line: "3 of 3 cases passed", "skipped: no zooci.yaml"
  std::vector<Reason> reasons;  // declining and non-declining findings of this step
  double seconds = 0;
  bool cached = false;
  // The result depends on the machine, not only on the inputs (a timeout, a crash or a memory
  // limit in the sandbox): it is never stored in the step cache.
  bool transient = false;
  // Step-specific figures for reports (JSON text): bench latency samples summary and histogram
  // samples, eval metrics, test case results. "{}" when none.
  std::string details_json = "{}";
};

struct ModelReview {
  std::string folder;  // relative to the zoo root: "validated/vision/classification/digits"
  std::string change;  // "added", "modified", "renamed from X", or "" when reviewing all
  std::vector<StepResult> steps;
  Verdict verdict = Verdict::kAccept;

  std::vector<const Reason*> DecliningReasons() const;
};

// The verdict of a set of reasons (and step statuses): DECLINE over INCOMPLETE over ACCEPT.
Verdict VerdictOf(const std::vector<StepResult>& steps, const std::vector<Reason>& extra = {});

// A runtime of the review's compatibility matrix, as the review ran it.
struct ReviewRuntime {
  std::string name;     // as zooci-worker's --backend takes it: "ort", "opencv"
  std::string backend;  // "opencv-dnn 4.6.0"; empty when its workers could not start
  bool required = false;  // what it gets wrong declines; otherwise it is reported (warnings)
  bool primary = false;   // runs the test, eval and bench steps too (always required)
  std::string role_source;  // where its role comes from: "zooci-zoo.yaml:4", "--runtimes", "default"
  // What this runtime checks, and what it does not: "every model step and the matrix", or "the
  // matrix only (load, run, reference and cross-runtime agreement, latency p50); not eval or bench".
  std::string scope;
  std::string not_checked;  // why it checked nothing (its workers could not start); "" when it ran
};

struct ValidateReport {
  std::string zoo;            // the zoo directory as given
  std::string changed_since;  // the ref, or "" for all models
  std::string zooci_version;
  std::string runtime;  // "onnxruntime 1.30.0": the runtime of the test, eval and bench steps
  // The compatibility matrix's runtimes, the primary first; empty when the review has no matrix
  // (neither --runtimes nor the zoo's `runtimes` set them).
  std::vector<ReviewRuntime> runtimes;
  std::vector<ModelReview> models;
  std::vector<Reason> zoo_reasons;  // beyond any one model: deletions leaving dangling links
  Verdict verdict = Verdict::kAccept;
  double seconds = 0;
};

// One entry of --runtimes: "opencv", "opencv:required", "opencv:reported".
struct RuntimeSelection {
  std::string name;
  std::optional<bool> required;  // unset: the zoo's role for it, else the default
};
// Parses --runtimes ("ort,opencv:required"): names separated by commas, each with an optional
// ":required" or ":reported". Names are checked against RuntimeNames(); duplicates are errors.
Result<std::vector<RuntimeSelection>> ParseRuntimesFlag(std::string_view text);

// Makes the executor of a matrix runtime (a sandbox whose workers load it), by name.
using ExecutorFactory = std::function<Result<std::unique_ptr<Executor>>(const std::string& name)>;

struct ValidateOptions {
  fs::path zoo;
  std::string changed_since;  // "" = every model folder
  int jobs = 1;               // models reviewed in parallel
  fs::path cache_dir;         // empty = no cache
  bool run_bench = true;
  // Fetch the Git LFS content of the reviewed folders' pointers first (git lfs, in the zoo's
  // repository); without it, pointers whose content is missing leave their folders INCOMPLETE.
  bool fetch_lfs = false;
  int64_t bench_min_duration_ms = 1000;
  int64_t bench_min_queries = 50;
  std::string zooci_version;
  // The identity of the zooci and zooci-worker builds (BuildIdentity): part of every cache key,
  // so that a rebuilt zooci never replays what an older build computed.
  std::string build_id;
  // The sandbox's limits ("timeout_ms=...,memory_limit_mb=..."): part of every model step's
  // cache key, since a step that hit a limit under one setting may pass under another.
  std::string executor_config;
  // The runtime that `executor` runs (a name of RuntimeNames()): the test, eval and bench steps
  // run on it, and in the compatibility matrix it is always required.
  std::string runtime = "ort";
  // The compatibility matrix's runtimes (--runtimes), replacing the zoo's `runtimes` list
  // (zooci-zoo.yaml). A runtime's role, when not given, is the zoo's for it, else required for
  // `runtime` and reported for the others. With neither, the review has no matrix step.
  std::vector<RuntimeSelection> runtimes;
  // Makes the executors of the matrix's other runtimes, once each per review. Unset, or failing:
  // that runtime is not checked, and the report says so (a required one leaves the models
  // INCOMPLETE).
  ExecutorFactory make_executor;
};

// Called after each model's review (from worker threads, serialized by the caller's lock).
using ValidateProgress = std::function<void(const ModelReview& review, int done, int total)>;

// Reviews the zoo. Models run in `executor` (a sandbox with at least `jobs` workers). Errors are
// for the zoo as a whole (not a directory, not a git repository with --changed-since, bad ref);
// everything about a model is a Reason in its review.
Result<ValidateReport> Validate(const ValidateOptions& options, Executor& executor,
                                const ValidateProgress& progress);

// The figures in StepResult::details_json, whose conventions are (every field optional):
//   check: {"errors": N, "warnings": N, "infos": N}
//   test:  {"passed": N, "failed": N, "cases": [{"id", "status", "message"}]}
//   eval:  zooci eval's JSON report: {"top1_percent", "topk_percent", "top_k", "total",
//           "top1_correct", "timing": {"images_per_s"} (or "images_per_s" at the top),
//           detection: "map_percent", "map50_percent", "map75_percent", "images",
//           "per_class": [{"class", "ap", "ap50", "recall"}] (fractions, -1 undefined),
//           segmentation: "miou_percent", "pixel_accuracy_percent", "images",
//           "claims": [{"metric", "claimed_percent", "measured_percent", "tolerance_pp",
//                       "passed", "source"}], ...}
//   bench: zooci bench's JSON report with samples: {"result": "VALID|INVALID",
//           "latency_ms": {"p50", "p90", "p99", "mean", "cv", "count"}, "samples_per_s",
//           "samples_ms": [...], ...}
//   matrix: {"matrix": RuntimeMatrix} (docs/validate-json.md; RuntimeMatrixJson writes it)
// Absent, ill-typed and non-finite fields stay unset (or empty); malformed JSON, or JSON nested
// deeper than 64 levels, parses to nothing (`valid` false).
// ---- A step's figures (results.cpp): shared by the baseline step and every report view ------

struct TestCaseDetail {
  std::string id, status, message;
};
struct ClassApDetail {  // a detector's figures for one class, in percent (unset: undefined)
  std::string name;
  std::optional<double> ap_percent, ap50_percent, recall_percent;
};
struct ClaimDetail {
  std::string metric, source;
  std::optional<double> claimed_percent, measured_percent, tolerance_pp;
  std::optional<bool> passed;
};
// ---- The compatibility matrix: the figures of the "matrix" step --------------------------------

// Where a runtime stands on a model folder's cases.
enum class MatrixStatus {
  kOk,           // loads, runs, and its outputs are within tolerance of the reference (if any)
  kMismatch,     // runs, but an output is beyond tolerance of the reference
  kRunError,     // loads, but a run fails
  kRefused,      // cannot load the model (the runtime's one-line reason)
  kCrash,        // the worker died loading or running it
  kTimeout,      // the sandbox's time limit
  kOutOfMemory,  // the sandbox's memory limit
  kNotChecked,   // nothing ran (the runtime's workers could not start; no input to run)
};
// "ok", "mismatch", "run-error", "refused", "crash", "timeout", "out-of-memory", "not-checked".
std::string MatrixStatusName(MatrixStatus status);

// The first element beyond tolerance: where it is, and both values.
struct MatrixMismatch {
  std::string data_set;  // "test_data_set_0"
  int64_t flat_index = 0;
  std::string expected;  // the reference's value, or the other runtime's in an agreement
  std::string actual;    // this runtime's value
};

// One output compared over every data set: with the reference, or with another runtime.
struct MatrixOutput {
  std::string name;
  int64_t elements = 0;    // compared, over all data sets
  int64_t mismatches = 0;  // beyond tolerance
  double max_abs_error = 0;
  double max_rel_error = 0;
  bool within_tolerance = true;
  std::string structure_error;  // "dtype: expected float, got double"; "" when values compared
  std::optional<MatrixMismatch> first_mismatch;
};

// A runtime's row of the matrix for one model folder.
struct MatrixRow {
  std::string runtime;  // "opencv"
  std::string backend;  // "opencv-dnn 4.6.0"
  bool required = false;
  bool primary = false;
  MatrixStatus status = MatrixStatus::kNotChecked;
  // Unset when not known (a crash before anything was reported; nothing to compare with).
  std::optional<bool> loads, runs, within_tolerance;
  std::string reason;                // one line: why it is not ok (the runtime's own words)
  std::vector<MatrixOutput> outputs;  // against the reference outputs; empty without them
  std::optional<double> p50_ms;      // of the short latency run
  int64_t latency_runs = 0;
};

// One runtime's outputs against another's, on the same inputs.
struct MatrixAgreement {
  std::string runtime;  // "opencv"
  std::string against;  // "ort"
  std::optional<bool> agrees;  // unset: not compared (`note` says why)
  std::string note;
  std::vector<MatrixOutput> outputs;
};

struct RuntimeMatrix {
  // What ran: "test data: 1 data set (model/digits-cnn-13.tar.gz)", or generated inputs.
  std::string inputs;
  bool reference = false;  // the inputs came with reference outputs
  double rtol = 0, atol = 0;
  int64_t warmup_runs = 0, latency_runs = 0;  // the latency run's plan, per runtime
  std::vector<MatrixRow> rows;                // the primary runtime first
  std::vector<MatrixAgreement> agreement;     // every other runtime against the primary
};
// {"matrix": {...}} (the step's details_json).
std::string RuntimeMatrixJson(const RuntimeMatrix& matrix);

struct StepDetails {
  bool valid = false;  // details_json parsed as a JSON object
  std::optional<int64_t> errors, warnings, infos, passed, failed;
  std::vector<TestCaseDetail> cases;
  std::optional<double> top1_percent, topk_percent, images_per_s;
  std::optional<int64_t> top_k, total, top1_correct;
  std::optional<double> map_percent, map50_percent, map75_percent;  // object detection
  std::optional<double> miou_percent, pixel_accuracy_percent;       // semantic segmentation
  std::optional<int64_t> images;
  std::vector<ClassApDetail> class_ap;
  std::vector<ClaimDetail> claims;
  std::string bench_result;
  std::string bench_unstable;  // why a valid run's figures are unreliable ("" when steady)
  std::string bench_settings;  // what validate's bench did, when it differs from zooci bench
  std::optional<int64_t> samples_stand_for_runs;  // samples_ms are quantiles of this many runs
  std::optional<double> p50_ms, p90_ms, p99_ms, mean_ms, cv, samples_per_s;
  std::optional<int64_t> latency_count;
  std::vector<double> samples_ms;  // finite values only
  std::optional<RuntimeMatrix> matrix;  // the matrix step's figures
};
StepDetails ParseStepDetails(const std::string& details_json);
// details_json as JSON, or nothing when it is malformed or nested deeper than 64 levels.
std::optional<nlohmann::ordered_json> ParseDetailsJson(const std::string& details_json);

}  // namespace zooci
