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

// Writes the whole frame with as few writes as the pipe allows (one when it fits), so the reader
// is woken once per message rather than once per part.
Status WriteMessage(int fd, const Message& message);

// Reads messages from one pipe. A message that has arrived whole costs one poll and one read:
// parts are read ahead in chunks, and bytes read past a message (the peer's next one, when
// requests are pipelined) are kept for the next Read. Use one reader per pipe for its lifetime.
class MessageReader {
 public:
  explicit MessageReader(int fd) : fd_(fd) {}
  // Reads one message, waiting at most until `deadline`. `read_status` says whether the peer
  // closed the pipe or the deadline passed when the result is an error.
  Result<Message> Read(std::chrono::steady_clock::time_point deadline, ReadStatus* read_status);

 private:
  // Copies the next `size` bytes of the stream to `out`.
  ReadStatus Take(char* out, size_t size, std::chrono::steady_clock::time_point deadline,
                  std::string* error);
  int fd_;
  std::vector<char> ahead_;  // read-ahead buffer: bytes [ahead_begin_, ahead_end_) not taken yet
  size_t ahead_begin_ = 0;
  size_t ahead_end_ = 0;
};

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
