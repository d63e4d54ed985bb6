// Framing and (de)serialization of sandbox <-> worker messages.
#include "runtime/protocol.h"

#include <cstring>

namespace zooci {
namespace {

using json = nlohmann::json;

std::string EncodeLength(uint64_t length) {
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &length, 8);  // x86-64 and aarch64 are little-endian
  return bytes;
}

Result<uint64_t> ReadLength(int fd, std::chrono::steady_clock::time_point deadline,
                            ReadStatus* status) {
  uint64_t length = 0;
  std::string error;
  *status = ReadExact(fd, reinterpret_cast<char*>(&length), 8, deadline, &error);
  if (*status != ReadStatus::kOk) return Error(error.empty() ? "no message" : error);
  return length;
}

Result<std::string> ReadBytes(int fd, uint64_t length,
                              std::chrono::steady_clock::time_point deadline, ReadStatus* status) {
  std::string bytes(length, '\0');
  std::string error;
  *status = ReadExact(fd, bytes.data(), length, deadline, &error);
  if (*status != ReadStatus::kOk) return Error(error.empty() ? "message cut short" : error);
  return bytes;
}

json SessionToJson(const SessionConfig& config) {
  return {{"intra_op_threads", config.intra_op_threads},
          {"inter_op_threads", config.inter_op_threads},
          {"optimization", static_cast<int>(config.optimization)}};
}

SessionConfig SessionFromJson(const json& object) {
  SessionConfig config;
  config.intra_op_threads = object.value("intra_op_threads", 0);
  config.inter_op_threads = object.value("inter_op_threads", 0);
  config.optimization = static_cast<GraphOptimization>(object.value("optimization", 99));
  return config;
}

}  // namespace

ValueKind ParseValueKind(const std::string& name) {
  if (name == "sequence") return ValueKind::kSequence;
  if (name == "optional") return ValueKind::kOptional;
  return ValueKind::kTensor;
}

std::string RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kOk:
      return "ok";
    case RunStatus::kError:
      return "error";
    case RunStatus::kCrash:
      return "crash";
    case RunStatus::kTimeout:
      return "timeout";
    case RunStatus::kOutOfMemory:
      return "out-of-memory";
  }
  return "error";
}

namespace {

RunStatus ParseRunStatus(const std::string& name) {
  for (RunStatus status : {RunStatus::kOk, RunStatus::kError, RunStatus::kCrash,
                           RunStatus::kTimeout, RunStatus::kOutOfMemory}) {
    if (RunStatusName(status) == name) return status;
  }
  return RunStatus::kError;
}
}  // namespace

Status WriteMessage(int fd, const Message& message) {
  json header = message.header;
  header["blobs"] = message.blobs.size();
  std::string header_text = header.dump();
  std::string frame = EncodeLength(header_text.size()) + header_text;
  ZC_RETURN_IF_ERROR(WriteAll(fd, frame));
  for (const std::string& blob : message.blobs) {
    ZC_RETURN_IF_ERROR(WriteAll(fd, EncodeLength(blob.size())));
    ZC_RETURN_IF_ERROR(WriteAll(fd, blob));
  }
  return OkStatus();
}

Result<Message> ReadMessage(int fd, std::chrono::steady_clock::time_point deadline,
                            ReadStatus* read_status) {
  ZC_ASSIGN_OR_RETURN(uint64_t header_length, ReadLength(fd, deadline, read_status));
  if (header_length > kMaxHeaderBytes)
    return Error("protocol: header of " + std::to_string(header_length) + " bytes");
  ZC_ASSIGN_OR_RETURN(std::string header_text, ReadBytes(fd, header_length, deadline, read_status));
  Message message;
  message.header = json::parse(header_text, nullptr, /*allow_exceptions=*/false);
  if (message.header.is_discarded() || !message.header.is_object())
    return Error("protocol: header is not a JSON object");
  uint64_t blob_count = message.header.value("blobs", uint64_t{0});
  for (uint64_t blob_idx = 0; blob_idx < blob_count; ++blob_idx) {
    ZC_ASSIGN_OR_RETURN(uint64_t blob_length, ReadLength(fd, deadline, read_status));
    if (blob_length > kMaxBlobBytes)
      return Error("protocol: blob of " + std::to_string(blob_length) + " bytes");
    ZC_ASSIGN_OR_RETURN(std::string blob, ReadBytes(fd, blob_length, deadline, read_status));
    message.blobs.push_back(std::move(blob));
  }
  return message;
}

Message EncodeRunRequest(const RunRequest& request) {
  Message message;
  json data_sets = json::array();
  for (const RunDataSet& data_set : request.data_sets) {
    json inputs = json::array();
    for (const WireValue& input : data_set.inputs) {
      inputs.push_back({{"name", input.name}, {"kind", ValueKindName(input.kind)}});
      message.blobs.push_back(input.bytes);
    }
    data_sets.push_back({{"name", data_set.name}, {"inputs", inputs}});
  }
  message.header = {{"type", "run"},
                    {"model_path", request.model_path.string()},
                    {"session", SessionToJson(request.session)},
                    {"data_sets", data_sets}};
  if (request.bench.has_value()) {
    const BenchPlan& plan = *request.bench;
    message.header["bench"] = {
        {"warmup_runs", plan.warmup_runs}, {"min_duration_ms", plan.min_duration_ms},
        {"min_queries", plan.min_queries}, {"max_duration_ms", plan.max_duration_ms},
        {"max_queries", plan.max_queries}, {"concurrency", plan.concurrency}};
  }
  return message;
}

Result<RunRequest> DecodeRunRequest(const Message& message) {
  try {
    RunRequest request;
    request.model_path = message.header.at("model_path").get<std::string>();
    request.session = SessionFromJson(message.header.value("session", json::object()));
    size_t blob_idx = 0;
    for (const json& data_set_json : message.header.at("data_sets")) {
      RunDataSet data_set;
      data_set.name = data_set_json.at("name").get<std::string>();
      for (const json& input_json : data_set_json.at("inputs")) {
        if (blob_idx >= message.blobs.size()) return Error("protocol: fewer blobs than inputs");
        data_set.inputs.push_back({input_json.at("name").get<std::string>(),
                                   ParseValueKind(input_json.at("kind").get<std::string>()),
                                   message.blobs[blob_idx++]});
      }
      request.data_sets.push_back(std::move(data_set));
    }
    if (message.header.contains("bench")) {
      const json& plan_json = message.header.at("bench");
      BenchPlan plan;
      plan.warmup_runs = plan_json.at("warmup_runs").get<int>();
      plan.min_duration_ms = plan_json.at("min_duration_ms").get<int64_t>();
      plan.min_queries = plan_json.at("min_queries").get<int64_t>();
      plan.max_duration_ms = plan_json.at("max_duration_ms").get<int64_t>();
      plan.max_queries = plan_json.at("max_queries").get<int64_t>();
      plan.concurrency = plan_json.at("concurrency").get<int>();
      request.bench = plan;
    }
    return request;
  } catch (const json::exception& e) {
    return Error(std::string("protocol: bad run request: ") + e.what());
  }
}

Result<Message> EncodeRunOutcome(const RunOutcome& outcome) {
  Message message;
  json data_sets = json::array();
  for (const DataSetOutcome& data_set : outcome.data_sets) {
    json outputs = json::array();
    for (const Value& output : data_set.outputs) {
      ZC_ASSIGN_OR_RETURN(std::string bytes, EncodeValue(output));
      outputs.push_back({{"name", output.name}, {"kind", ValueKindName(output.kind)}});
      message.blobs.push_back(std::move(bytes));
    }
    data_sets.push_back({{"name", data_set.name},
                         {"status", RunStatusName(data_set.status)},
                         {"error", data_set.error},
                         {"run_ns", data_set.run_ns},
                         {"outputs", outputs}});
  }
  message.header = {{"status", RunStatusName(outcome.status)},
                    {"message", outcome.message},
                    {"session_create_ns", outcome.session_create_ns},
                    {"data_sets", data_sets}};
  const BenchMeasurement& bench = outcome.bench;
  if (!bench.latency_ns.empty() || !bench.warmup_ns.empty()) {
    // Latencies travel as packed little-endian int64 blobs: 8 bytes per sample, no JSON.
    message.header["bench"] = {{"measured_wall_ns", bench.measured_wall_ns},
                               {"rss_after_load_bytes", bench.rss_after_load_bytes},
                               {"rss_peak_runs_bytes", bench.rss_peak_runs_bytes},
                               {"rss_split", bench.rss_split},
                               {"warmup_blob", message.blobs.size()},
                               {"latency_blob", message.blobs.size() + 1}};
    message.blobs.push_back(PackInt64(bench.warmup_ns));
    message.blobs.push_back(PackInt64(bench.latency_ns));
  }
  return message;
}

Result<RunOutcome> DecodeRunOutcome(const Message& message) {
  try {
    RunOutcome outcome;
    outcome.status = ParseRunStatus(message.header.at("status").get<std::string>());
    outcome.message = message.header.value("message", "");
    outcome.session_create_ns = message.header.value("session_create_ns", int64_t{0});
    if (message.header.contains("bench")) {
      const json& bench_json = message.header.at("bench");
      BenchMeasurement& bench = outcome.bench;
      bench.measured_wall_ns = bench_json.at("measured_wall_ns").get<int64_t>();
      bench.rss_after_load_bytes = bench_json.at("rss_after_load_bytes").get<uint64_t>();
      bench.rss_peak_runs_bytes = bench_json.at("rss_peak_runs_bytes").get<uint64_t>();
      bench.rss_split = bench_json.at("rss_split").get<bool>();
      size_t warmup_blob = bench_json.at("warmup_blob").get<size_t>();
      size_t latency_blob = bench_json.at("latency_blob").get<size_t>();
      if (warmup_blob >= message.blobs.size() || latency_blob >= message.blobs.size()) {
        return Error("protocol: bench blobs missing");
      }
      ZC_ASSIGN_OR_RETURN(bench.warmup_ns, UnpackInt64(message.blobs[warmup_blob]));
      ZC_ASSIGN_OR_RETURN(bench.latency_ns, UnpackInt64(message.blobs[latency_blob]));
    }
    size_t blob_idx = 0;
    for (const json& data_set_json : message.header.value("data_sets", json::array())) {
      DataSetOutcome data_set;
      data_set.name = data_set_json.at("name").get<std::string>();
      data_set.status = ParseRunStatus(data_set_json.at("status").get<std::string>());
      data_set.error = data_set_json.value("error", "");
      data_set.run_ns = data_set_json.value("run_ns", int64_t{0});
      for (const json& output_json : data_set_json.at("outputs")) {
        if (blob_idx >= message.blobs.size()) return Error("protocol: fewer blobs than outputs");
        ValueKind kind = ParseValueKind(output_json.at("kind").get<std::string>());
        auto value = DecodeValue(message.blobs[blob_idx++], kind);
        if (!value.ok()) return value.error().WithContext("protocol: output");
        value->name = output_json.at("name").get<std::string>();
        data_set.outputs.push_back(std::move(*value));
      }
      outcome.data_sets.push_back(std::move(data_set));
    }
    return outcome;
  } catch (const json::exception& e) {
    return Error(std::string("protocol: bad run outcome: ") + e.what());
  }
}

}  // namespace zooci

namespace zooci {

Message EncodeJobRequest(const JobRequest& request) {
  Message message;
  message.header = {{"type", "job"},
                    {"job", request.job},
                    {"model_path", request.model_path.string()},
                    {"session", SessionToJson(request.session)},
                    {"params", request.params_json}};
  message.blobs = request.blobs;
  return message;
}

Result<JobRequest> DecodeJobRequest(const Message& message) {
  try {
    JobRequest request;
    request.job = message.header.at("job").get<std::string>();
    request.model_path = message.header.at("model_path").get<std::string>();
    request.session = SessionFromJson(message.header.value("session", json::object()));
    request.params_json = message.header.at("params").get<std::string>();
    request.blobs = message.blobs;
    return request;
  } catch (const json::exception& e) {
    return Error(std::string("protocol: bad job request: ") + e.what());
  }
}

Message EncodeJobOutcome(const JobOutcome& outcome) {
  Message message;
  message.header = {{"status", RunStatusName(outcome.status)},
                    {"message", outcome.message},
                    {"session_create_ns", outcome.session_create_ns},
                    {"result", outcome.result.result_json}};
  message.blobs = outcome.result.blobs;
  return message;
}

Result<JobOutcome> DecodeJobOutcome(const Message& message) {
  try {
    JobOutcome outcome;
    outcome.status = ParseRunStatus(message.header.at("status").get<std::string>());
    outcome.message = message.header.value("message", "");
    outcome.session_create_ns = message.header.value("session_create_ns", int64_t{0});
    outcome.result.result_json = message.header.value("result", "");
    outcome.result.blobs = message.blobs;
    return outcome;
  } catch (const json::exception& e) {
    return Error(std::string("protocol: bad job outcome: ") + e.what());
  }
}

}  // namespace zooci
