// The pipeline's results as data: the names of statuses, verdicts and reason levels, the verdict
// rule, and the typed figures of a step's details_json (ParseStepDetails), which the baseline
// step and every report view read.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "pipeline/pipeline.h"

namespace zooci {

std::string StepStatusName(StepStatus status) {
  switch (status) {
    case StepStatus::kPass:
      return "pass";
    case StepStatus::kFail:
      return "fail";
    case StepStatus::kSkipped:
      return "skipped";
  }
  return "fail";
}

std::string VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccept:
      return "ACCEPT";
    case Verdict::kDecline:
      return "DECLINE";
    case Verdict::kIncomplete:
      return "INCOMPLETE";
  }
  return "DECLINE";
}

std::string ReasonLevelName(ReasonLevel level) {
  switch (level) {
    case ReasonLevel::kDecline:
      return "decline";
    case ReasonLevel::kUnverified:
      return "unverified";
    case ReasonLevel::kWarning:
      return "warning";
  }
  return "decline";
}

std::string MatrixStatusName(MatrixStatus status) {
  switch (status) {
    case MatrixStatus::kOk:
      return "ok";
    case MatrixStatus::kMismatch:
      return "mismatch";
    case MatrixStatus::kRunError:
      return "run-error";
    case MatrixStatus::kRefused:
      return "refused";
    case MatrixStatus::kCrash:
      return "crash";
    case MatrixStatus::kTimeout:
      return "timeout";
    case MatrixStatus::kOutOfMemory:
      return "out-of-memory";
    case MatrixStatus::kNotChecked:
      return "not-checked";
  }
  return "not-checked";
}

Verdict VerdictOf(const std::vector<StepResult>& steps, const std::vector<Reason>& extra) {
  bool declined = false, unverified = false;
  auto weigh = [&](const Reason& reason) {
    declined = declined || reason.declines();
    unverified = unverified || reason.unverified();
  };
  for (const StepResult& step : steps) {
    declined = declined || step.status == StepStatus::kFail;
    for (const Reason& reason : step.reasons) weigh(reason);
  }
  for (const Reason& reason : extra) weigh(reason);
  return declined ? Verdict::kDecline : unverified ? Verdict::kIncomplete : Verdict::kAccept;
}

std::vector<const Reason*> ModelReview::DecliningReasons() const {
  std::vector<const Reason*> reasons;
  for (const StepResult& step : steps) {
    for (const Reason& reason : step.reasons) {
      if (reason.declines()) reasons.push_back(&reason);
    }
  }
  return reasons;
}

namespace {

using ojson = nlohmann::ordered_json;

constexpr int kMaxDetailsDepth = 64;

// True when `text` nests arrays and objects no deeper than kMaxDetailsDepth (strings skipped).
bool ShallowEnough(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDetailsDepth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

const ojson* Member(const ojson& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<double> DoubleAt(const ojson& object, const char* key) {
  const ojson* value = Member(object, key);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  const double number = value->get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

std::optional<int64_t> IntAt(const ojson& object, const char* key) {
  const ojson* value = Member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) {
    const auto number = value->get<uint64_t>();
    if (number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(number);
  }
  if (value->is_number_integer()) return value->get<int64_t>();
  if (value->is_number_float()) {
    const double number = value->get<double>();
    if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9e15) {
      return static_cast<int64_t>(number);
    }
  }
  return std::nullopt;
}

std::string StringAt(const ojson& object, const char* key) {
  const ojson* value = Member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::optional<bool> BoolAt(const ojson& object, const char* key) {
  const ojson* value = Member(object, key);
  if (value == nullptr || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

// The array at `key`, or an empty array.
const ojson& ArrayAt(const ojson& object, const char* key) {
  static const ojson kEmpty = ojson::array();
  const ojson* value = Member(object, key);
  return value != nullptr && value->is_array() ? *value : kEmpty;
}

// ---- The matrix as JSON and back ---------------------------------------------------------------

ojson OptionalBool(const std::optional<bool>& value) {
  return value ? ojson(*value) : ojson(nullptr);
}

ojson MatrixOutputJson(const MatrixOutput& output) {
  ojson item = {{"name", output.name},
                {"elements", output.elements},
                {"mismatches", output.mismatches},
                {"max_abs_error", output.max_abs_error},
                {"max_rel_error", output.max_rel_error},
                {"within_tolerance", output.within_tolerance},
                {"structure_error", output.structure_error},
                {"first_mismatch", nullptr}};
  if (output.first_mismatch) {
    item["first_mismatch"] = {{"data_set", output.first_mismatch->data_set},
                              {"flat_index", output.first_mismatch->flat_index},
                              {"expected", output.first_mismatch->expected},
                              {"actual", output.first_mismatch->actual}};
  }
  return item;
}

ojson MatrixOutputsJson(const std::vector<MatrixOutput>& outputs) {
  ojson array = ojson::array();
  for (const MatrixOutput& output : outputs) array.push_back(MatrixOutputJson(output));
  return array;
}

std::vector<MatrixOutput> ParseMatrixOutputs(const ojson& array) {
  std::vector<MatrixOutput> outputs;
  if (!array.is_array()) return outputs;
  for (const ojson& item : array) {
    if (!item.is_object()) continue;
    MatrixOutput output;
    output.name = StringAt(item, "name");
    output.elements = IntAt(item, "elements").value_or(0);
    output.mismatches = IntAt(item, "mismatches").value_or(0);
    output.max_abs_error = DoubleAt(item, "max_abs_error").value_or(0);
    output.max_rel_error = DoubleAt(item, "max_rel_error").value_or(0);
    output.within_tolerance = BoolAt(item, "within_tolerance").value_or(false);
    output.structure_error = StringAt(item, "structure_error");
    if (const ojson* first = Member(item, "first_mismatch"); first && first->is_object()) {
      output.first_mismatch = MatrixMismatch{StringAt(*first, "data_set"),
                                             IntAt(*first, "flat_index").value_or(0),
                                             StringAt(*first, "expected"),
                                             StringAt(*first, "actual")};
    }
    outputs.push_back(std::move(output));
  }
  return outputs;
}

MatrixStatus ParseMatrixStatus(const std::string& name) {
  for (MatrixStatus status :
       {MatrixStatus::kOk, MatrixStatus::kMismatch, MatrixStatus::kRunError,
        MatrixStatus::kRefused, MatrixStatus::kCrash, MatrixStatus::kTimeout,
        MatrixStatus::kOutOfMemory}) {
    if (MatrixStatusName(status) == name) return status;
  }
  return MatrixStatus::kNotChecked;  // an unknown status never reads as ok
}

RuntimeMatrix ParseRuntimeMatrix(const ojson& object) {
  RuntimeMatrix matrix;
  matrix.inputs = StringAt(object, "inputs");
  matrix.reference = BoolAt(object, "reference").value_or(false);
  if (const ojson* tolerance = Member(object, "tolerance")) {
    matrix.rtol = DoubleAt(*tolerance, "rtol").value_or(0);
    matrix.atol = DoubleAt(*tolerance, "atol").value_or(0);
  }
  if (const ojson* latency = Member(object, "latency")) {
    matrix.warmup_runs = IntAt(*latency, "warmup_runs").value_or(0);
    matrix.latency_runs = IntAt(*latency, "runs").value_or(0);
  }
  for (const ojson& item : ArrayAt(object, "runtimes")) {
    if (!item.is_object()) continue;
    MatrixRow row;
    row.runtime = StringAt(item, "runtime");
    row.backend = StringAt(item, "backend");
    row.required = BoolAt(item, "required").value_or(false);
    row.primary = BoolAt(item, "primary").value_or(false);
    row.status = ParseMatrixStatus(StringAt(item, "status"));
    row.loads = BoolAt(item, "loads");
    row.runs = BoolAt(item, "runs");
    row.within_tolerance = BoolAt(item, "within_tolerance");
    row.reason = StringAt(item, "reason");
    row.outputs = ParseMatrixOutputs(ArrayAt(item, "outputs"));
    row.p50_ms = DoubleAt(item, "p50_ms");
    row.latency_runs = IntAt(item, "latency_runs").value_or(0);
    matrix.rows.push_back(std::move(row));
  }
  for (const ojson& item : ArrayAt(object, "agreement")) {
    if (!item.is_object()) continue;
    MatrixAgreement agreement;
    agreement.runtime = StringAt(item, "runtime");
    agreement.against = StringAt(item, "against");
    agreement.agrees = BoolAt(item, "agrees");
    agreement.note = StringAt(item, "note");
    agreement.outputs = ParseMatrixOutputs(ArrayAt(item, "outputs"));
    matrix.agreement.push_back(std::move(agreement));
  }
  return matrix;
}

}  // namespace

std::string RuntimeMatrixJson(const RuntimeMatrix& matrix) {
  ojson rows = ojson::array();
  for (const MatrixRow& row : matrix.rows) {
    rows.push_back({{"runtime", row.runtime},
                    {"backend", row.backend},
                    {"required", row.required},
                    {"primary", row.primary},
                    {"status", MatrixStatusName(row.status)},
                    {"loads", OptionalBool(row.loads)},
                    {"runs", OptionalBool(row.runs)},
                    {"within_tolerance", OptionalBool(row.within_tolerance)},
                    {"reason", row.reason},
                    {"outputs", MatrixOutputsJson(row.outputs)},
                    {"p50_ms", row.p50_ms ? ojson(*row.p50_ms) : ojson(nullptr)},
                    {"latency_runs", row.latency_runs}});
  }
  ojson agreement = ojson::array();
  for (const MatrixAgreement& item : matrix.agreement) {
    agreement.push_back({{"runtime", item.runtime},
                         {"against", item.against},
                         {"agrees", OptionalBool(item.agrees)},
                         {"note", item.note},
                         {"outputs", MatrixOutputsJson(item.outputs)}});
  }
  ojson root = {{"matrix",
                 {{"inputs", matrix.inputs},
                  {"reference", matrix.reference},
                  {"tolerance", {{"rtol", matrix.rtol}, {"atol", matrix.atol}}},
                  {"latency",
                   {{"warmup_runs", matrix.warmup_runs}, {"runs", matrix.latency_runs}}},
                  {"runtimes", std::move(rows)},
                  {"agreement", std::move(agreement)}}}};
  return root.dump(2, ' ', false, ojson::error_handler_t::replace);
}

// The parsed details, or nothing when they are not JSON (or too deeply nested to handle safely).
std::optional<nlohmann::ordered_json> ParseDetailsJson(const std::string& text) {
  if (!ShallowEnough(text)) return std::nullopt;
  try {
    ojson value = ojson::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

StepDetails ParseStepDetails(const std::string& details_json) {
  StepDetails details;
  std::optional<ojson> parsed = ParseDetailsJson(details_json);
  if (!parsed || !parsed->is_object()) return details;
  const ojson& root = *parsed;
  details.valid = true;
  details.errors = IntAt(root, "errors");
  details.warnings = IntAt(root, "warnings");
  details.infos = IntAt(root, "infos");
  details.passed = IntAt(root, "passed");
  details.failed = IntAt(root, "failed");
  for (const ojson& item : ArrayAt(root, "cases")) {
    if (!item.is_object()) continue;
    details.cases.push_back(
        {StringAt(item, "id"), StringAt(item, "status"), StringAt(item, "message")});
  }
  details.top1_percent = DoubleAt(root, "top1_percent");
  details.topk_percent = DoubleAt(root, "topk_percent");
  details.images_per_s = DoubleAt(root, "images_per_s");
  if (const ojson* timing = Member(root, "timing"); timing != nullptr && !details.images_per_s) {
    details.images_per_s = DoubleAt(*timing, "images_per_s");  // zooci eval's JSON report
  }
  details.top_k = IntAt(root, "top_k");
  details.total = IntAt(root, "total");
  details.top1_correct = IntAt(root, "top1_correct");
  details.map_percent = DoubleAt(root, "map_percent");
  details.map50_percent = DoubleAt(root, "map50_percent");
  details.map75_percent = DoubleAt(root, "map75_percent");
  details.miou_percent = DoubleAt(root, "miou_percent");
  details.pixel_accuracy_percent = DoubleAt(root, "pixel_accuracy_percent");
  details.images = IntAt(root, "images");
  for (const ojson& item : ArrayAt(root, "per_class")) {
    if (!item.is_object() || Member(item, "ap") == nullptr) continue;  // classification's rows
    auto percent = [&](const char* key) -> std::optional<double> {
      std::optional<double> fraction = DoubleAt(item, key);
      if (!fraction || *fraction < 0) return std::nullopt;
      return *fraction * 100;
    };
    details.class_ap.push_back(
        {StringAt(item, "class"), percent("ap"), percent("ap50"), percent("recall")});
  }
  for (const ojson& item : ArrayAt(root, "claims")) {
    if (!item.is_object()) continue;
    details.claims.push_back({StringAt(item, "metric"), StringAt(item, "source"),
                              DoubleAt(item, "claimed_percent"), DoubleAt(item, "measured_percent"),
                              DoubleAt(item, "tolerance_pp"), BoolAt(item, "passed")});
  }
  details.bench_result = StringAt(root, "result");
  details.bench_unstable = StringAt(root, "unstable_reason");
  details.bench_settings = StringAt(root, "settings");
  details.samples_stand_for_runs = IntAt(root, "samples_stand_for_runs");
  if (const ojson* latency = Member(root, "latency_ms"); latency != nullptr) {
    details.p50_ms = DoubleAt(*latency, "p50");
    details.p90_ms = DoubleAt(*latency, "p90");
    details.p99_ms = DoubleAt(*latency, "p99");
    details.mean_ms = DoubleAt(*latency, "mean");
    details.cv = DoubleAt(*latency, "cv");
    details.latency_count = IntAt(*latency, "count");
  }
  details.samples_per_s = DoubleAt(root, "samples_per_s");
  for (const ojson& item : ArrayAt(root, "samples_ms")) {
    if (item.is_number() && std::isfinite(item.get<double>())) {
      details.samples_ms.push_back(item.get<double>());
    }
  }
  if (const ojson* matrix = Member(root, "matrix"); matrix != nullptr && matrix->is_object()) {
    details.matrix = ParseRuntimeMatrix(*matrix);
  }
  return details;
}

}  // namespace zooci
