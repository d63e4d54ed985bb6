// Private to the onnx module: protobuf parsing with explicit size and depth limits.
#pragma once

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message_lite.h>

#include <climits>
#include <string>
#include <string_view>

#include "base/base.h"

namespace zooci {

// Parses `bytes` as `message`, with recursion bounded by `max_depth`. An error names `what`.
// Protobuf itself caps a message at 2 GiB; bytes beyond that are refused before parsing.
inline Status ParseProtoBytes(std::string_view bytes, google::protobuf::MessageLite* message,
                              const char* what, int max_depth = 256) {
  if (bytes.empty() && std::string_view(what) == "ModelProto") return Error("file is empty");
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Error(std::string(what) + " is over protobuf's 2 GiB limit");
  }
  google::protobuf::io::CodedInputStream stream(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                static_cast<int>(bytes.size()));
  stream.SetRecursionLimit(max_depth);
  if (!message->MergeFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
    return Error("not a valid " + std::string(what) +
                 " (truncated or corrupt protobuf, or nested deeper than " +
                 std::to_string(max_depth) + " levels)");
  }
  return OkStatus();
}

}  // namespace zooci
