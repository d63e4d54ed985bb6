// Private to the runtime module: the wire protocol between the sandbox and its workers.
//
// A message is a JSON header followed by binary blobs (serialized ONNX protos), framed as
//   u64 header_bytes, header JSON, then per blob: u64 blob_bytes, blob.
// (little-endian lengths). The header's "blobs" field counts the blobs.
// Requests: {"type":"hello"}, {"type":"run", ...RunRequest} and {"type":"job", ...JobRequest};
// every request gets one response.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace zooci {

struct Message {
  nlohmann::json header;
  std::vector<std::string> blobs;
};

inline constexpr uint64_t kMaxHeaderBytes = uint64_t{64} << 20;
inline constexpr uint64_t kMaxBlobBytes = uint64_t{4} << 30;

Status WriteMessage(int fd, const Message& message);
// Reads one message, waiting at most until `deadline`. `read_status` says whether the peer closed
// the pipe or the deadline passed when the result is an error.
Result<Message> ReadMessage(int fd, std::chrono::steady_clock::time_point deadline,
                            ReadStatus* read_status);

Message EncodeRunRequest(const RunRequest& request);
Result<RunRequest> DecodeRunRequest(const Message& message);
Result<Message> EncodeRunOutcome(const RunOutcome& outcome);
Result<RunOutcome> DecodeRunOutcome(const Message& message);

Message EncodeJobRequest(const JobRequest& request);
Result<JobRequest> DecodeJobRequest(const Message& message);
Message EncodeJobOutcome(const JobOutcome& outcome);
Result<JobOutcome> DecodeJobOutcome(const Message& message);

ValueKind ParseValueKind(const std::string& name);  // inverse of ValueKindName; tensor default

// The worker side of a request with a BenchPlan (bench_loop.cpp).
RunOutcome ExecuteBench(Backend& backend, const RunRequest& request);

// The worker side of a job request (job.cpp): a cached session and the registered handler.
JobOutcome ExecuteJob(Backend& backend, const JobRequest& request);

}  // namespace zooci
