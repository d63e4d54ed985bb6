// Framing and (de)serialization of sandbox <-> worker messages.
#include "runtime/protocol.h"

#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace zooci {
namespace {

using json = nlohmann::json;

constexpr size_t kReadAheadBytes = 64 << 10;  // a pipe's default capacity

// One poll (until `deadline`) and one read of at most `size` bytes into `out`; `*got` is the
// count read.
ReadStatus ReadSome(int fd, char* out, size_t size, std::chrono::steady_clock::time_point deadline,
                    size_t* got, std::string* error) {
  for (;;) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return ReadStatus::kTimedOut;
    struct pollfd pfd {
      fd, POLLIN, 0
    };
    int ready = poll(&pfd, 1, static_cast<int>(std::min<int64_t>(remaining.count(), 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      *error = std::string("poll: ") + std::strerror(errno);
      return ReadStatus::kError;
    }
    if (ready == 0) return ReadStatus::kTimedOut;
    ssize_t count = read(fd, out, size);
    if (count < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (count < 0) {
      *error = std::string("read: ") + std::strerror(errno);
      return ReadStatus::kError;
    }
    if (count == 0) return ReadStatus::kClosed;
    *got = static_cast<size_t>(count);
    return ReadStatus::kOk;
  }
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
  // The frame's parts, gathered: lengths live in `lengths` (stable: reserved up front).
  std::vector<uint64_t> lengths;
  lengths.reserve(1 + message.blobs.size());
  std::vector<struct iovec> parts;
  auto add = [&](const void* data, size_t size) {
    if (size > 0) parts.push_back({const_cast<void*>(data), size});
  };
  lengths.push_back(header_text.size());  // x86-64 and aarch64 are little-endian
  add(&lengths.back(), 8);
  add(header_text.data(), header_text.size());
  for (const std::string& blob : message.blobs) {
    lengths.push_back(blob.size());
    add(&lengths.back(), 8);
    add(blob.data(), blob.size());
  }
  size_t part_idx = 0;
  while (part_idx < parts.size()) {
    int count = static_cast<int>(std::min<size_t>(parts.size() - part_idx, IOV_MAX));
    ssize_t wrote = writev(fd, parts.data() + part_idx, count);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return Error(std::string("write: ") + std::strerror(errno));
    // Skip what was written; a part written in part is trimmed.
    auto done = static_cast<size_t>(wrote);
    while (part_idx < parts.size() && done >= parts[part_idx].iov_len) {
      done -= parts[part_idx].iov_len;
      ++part_idx;
    }
    if (done > 0) {
      parts[part_idx].iov_base = static_cast<char*>(parts[part_idx].iov_base) + done;
      parts[part_idx].iov_len -= done;
    }
  }
  return OkStatus();
}

ReadStatus MessageReader::Take(char* out, size_t size,
                               std::chrono::steady_clock::time_point deadline, std::string* error) {
  size_t from_ahead = std::min(size, ahead_end_ - ahead_begin_);
  if (from_ahead > 0) std::memcpy(out, ahead_.data() + ahead_begin_, from_ahead);
  ahead_begin_ += from_ahead;
  out += from_ahead;
  size -= from_ahead;
  if (size == 0) return ReadStatus::kOk;
  // Nothing is ahead any more. A large part is read straight into place.
  ahead_begin_ = ahead_end_ = 0;
  if (size >= kReadAheadBytes) return ReadExact(fd_, out, size, deadline, error);
  if (ahead_.empty()) ahead_.resize(kReadAheadBytes);
  while (ahead_end_ < size) {
    size_t got = 0;
    ReadStatus status = ReadSome(fd_, ahead_.data() + ahead_end_, ahead_.size() - ahead_end_,
                                 deadline, &got, error);
    if (status != ReadStatus::kOk) {
      ahead_end_ = 0;
      return status;
    }
    ahead_end_ += got;
  }
  std::memcpy(out, ahead_.data(), size);
  ahead_begin_ = size;
  return ReadStatus::kOk;
}

Result<Message> MessageReader::Read(std::chrono::steady_clock::time_point deadline,
                                    ReadStatus* read_status) {
  std::string error;
  auto read_length = [&](uint64_t* length) {
    *read_status = Take(reinterpret_cast<char*>(length), 8, deadline, &error);
    return *read_status == ReadStatus::kOk;
  };
  auto read_bytes = [&](uint64_t length, std::string* bytes) {
    bytes->resize(length);
    *read_status = Take(bytes->data(), length, deadline, &error);
    return *read_status == ReadStatus::kOk;
  };
  uint64_t header_length = 0;
  if (!read_length(&header_length)) return Error(error.empty() ? "no message" : error);
  if (header_length > kMaxHeaderBytes)
    return Error("protocol: header of " + std::to_string(header_length) + " bytes");
  std::string header_text;
  if (!read_bytes(header_length, &header_text))
    return Error(error.empty() ? "message cut short" : error);
  Message message;
  message.header = json::parse(header_text, nullptr, /*allow_exceptions=*/false);
  if (message.header.is_discarded() || !message.header.is_object())
    return Error("protocol: header is not a JSON object");
  uint64_t blob_count = message.header.value("blobs", uint64_t{0});
  for (uint64_t blob_idx = 0; blob_idx < blob_count; ++blob_idx) {
    uint64_t blob_length = 0;
    if (!read_length(&blob_length)) return Error(error.empty() ? "message cut short" : error);
    if (blob_length > kMaxBlobBytes)
      return Error("protocol: blob of " + std::to_string(blob_length) + " bytes");
    std::string blob;
    if (!read_bytes(blob_length, &blob)) return Error(error.empty() ? "message cut short" : error);
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
                               {"device", bench.session.device},
                               {"settings", bench.session.settings},
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
      bench.session.device = bench_json.value("device", "");
      bench.session.settings = bench_json.value("settings", "");
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
