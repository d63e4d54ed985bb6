#include "runtime/protocol.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "testing/testing.h"

namespace zooci {
namespace {

using testing::FloatTensor;

auto Soon() {
  return std::chrono::steady_clock::now() + std::chrono::seconds(5);
}

TEST(ProtocolTest, RunRequestSurvivesThePipe) {
  RunRequest request;
  request.model_path = "/models/a.onnx";
  request.session.intra_op_threads = 3;
  request.session.optimization = GraphOptimization::kBasic;
  auto bytes = EncodeValue(Value::FromTensor(FloatTensor("x", {2}, {1.5f, -2.0f})));
  ASSERT_TRUE(bytes.ok());
  request.data_sets.push_back({"test_data_set_0", {{"x", ValueKind::kTensor, *bytes}}});
  request.data_sets.push_back({"test_data_set_1", {}});

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_TRUE(WriteMessage(fds[1], EncodeRunRequest(request)).ok());
  ReadStatus status;
  auto message = MessageReader(fds[0]).Read(Soon(), &status);
  close(fds[0]);
  close(fds[1]);
  ASSERT_TRUE(message.ok()) << message.error().message();
  auto decoded = DecodeRunRequest(*message);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded->model_path, "/models/a.onnx");
  EXPECT_EQ(decoded->session.intra_op_threads, 3);
  EXPECT_EQ(decoded->session.optimization, GraphOptimization::kBasic);
  ASSERT_EQ(decoded->data_sets.size(), 2u);
  ASSERT_EQ(decoded->data_sets[0].inputs.size(), 1u);
  EXPECT_EQ(decoded->data_sets[0].inputs[0].bytes, *bytes);
  EXPECT_TRUE(decoded->data_sets[1].inputs.empty());
}

TEST(ProtocolTest, RunOutcomeKeepsValuesAndStatuses) {
  RunOutcome outcome;
  outcome.session_create_ns = 1234;
  DataSetOutcome ok_set{"test_data_set_0", RunStatus::kOk, "", {}, 55};
  Value output = Value::FromTensor(FloatTensor("y", {1, 2}, {3.0f, 4.0f}));
  output.name = "y";
  ok_set.outputs.push_back(output);
  outcome.data_sets.push_back(ok_set);
  outcome.data_sets.push_back({"test_data_set_1", RunStatus::kError, "bad input", {}, 0});

  auto message = EncodeRunOutcome(outcome);
  ASSERT_TRUE(message.ok());
  auto decoded = DecodeRunOutcome(*message);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded->session_create_ns, 1234);
  ASSERT_EQ(decoded->data_sets.size(), 2u);
  EXPECT_EQ(decoded->data_sets[0].run_ns, 55);
  ASSERT_EQ(decoded->data_sets[0].outputs.size(), 1u);
  EXPECT_EQ(decoded->data_sets[0].outputs[0].name, "y");
  EXPECT_EQ(testing::FloatValues(decoded->data_sets[0].outputs[0].tensor),
            (std::vector<float>{3.0f, 4.0f}));
  EXPECT_EQ(decoded->data_sets[1].status, RunStatus::kError);
  EXPECT_EQ(decoded->data_sets[1].error, "bad input");
}

// Pipelined requests arrive back to back: the reader keeps what it read past the first message.
TEST(ProtocolTest, MessagesBackToBackAreReadInOrderWithLargeBlobs) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string large(200000, 'x');  // more than the pipe and the read-ahead hold
  large[199999] = 'y';
  std::thread writer([&] {
    for (int message_idx = 0; message_idx < 3; ++message_idx) {
      Message message{nlohmann::json{{"index", message_idx}}, {"small", large, ""}};
      EXPECT_TRUE(WriteMessage(fds[1], message).ok());
    }
    close(fds[1]);
  });
  MessageReader reader(fds[0]);
  for (int message_idx = 0; message_idx < 3; ++message_idx) {
    ReadStatus status;
    auto message = reader.Read(Soon(), &status);
    ASSERT_TRUE(message.ok()) << message.error().message();
    EXPECT_EQ(message->header.value("index", -1), message_idx);
    ASSERT_EQ(message->blobs.size(), 3u);
    EXPECT_EQ(message->blobs[0], "small");
    EXPECT_EQ(message->blobs[1], large);
    EXPECT_EQ(message->blobs[2], "");
  }
  ReadStatus status = ReadStatus::kOk;
  EXPECT_FALSE(reader.Read(Soon(), &status).ok());
  EXPECT_EQ(status, ReadStatus::kClosed);
  writer.join();
  close(fds[0]);
}

TEST(ProtocolTest, ClosedPipeIsReportedAsClosed) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[1]);
  ReadStatus status = ReadStatus::kOk;
  auto message = MessageReader(fds[0]).Read(Soon(), &status);
  close(fds[0]);
  EXPECT_FALSE(message.ok());
  EXPECT_EQ(status, ReadStatus::kClosed);
}

TEST(ProtocolTest, OversizedHeaderIsRejectedWithoutAllocating) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  uint64_t huge = uint64_t{1} << 60;
  ASSERT_TRUE(WriteAll(fds[1], std::string_view(reinterpret_cast<const char*>(&huge), 8)).ok());
  ReadStatus status;
  auto message = MessageReader(fds[0]).Read(Soon(), &status);
  close(fds[0]);
  close(fds[1]);
  ASSERT_FALSE(message.ok());
  EXPECT_NE(message.error().message().find("header of"), std::string::npos);
}

}  // namespace
}  // namespace zooci
