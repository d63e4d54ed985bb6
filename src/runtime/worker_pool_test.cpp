// The sandbox against zooci-fake-worker: crashes, hangs and out-of-memory become outcomes, and
// the pool replaces the dead worker.
#include <gtest/gtest.h>

#include <thread>

#include "runtime/runtime.h"
#include "testing/testing.h"

namespace zooci {
namespace {

class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { logs_ = testing::ScratchDir("pool-test"); }

  std::unique_ptr<Executor> MakePool(int workers, int64_t timeout_ms, int requests_per_worker = 1) {
    SandboxConfig config;
    config.worker_executable = fs::path(ZOOCI_BINARY_DIR) / "zooci-fake-worker";
    config.workers = workers;
    config.timeout_ms = timeout_ms;
    config.requests_per_worker = requests_per_worker;
    config.log_dir = logs_->path();
    auto executor = MakeSandboxExecutor(config);
    EXPECT_TRUE(executor.ok()) << executor.error().message();
    return executor.ok() ? std::move(*executor) : nullptr;
  }

  static RunRequest Request(const std::string& model_name) {
    RunRequest request;
    request.model_path = model_name;
    auto bytes = EncodeValue(Value::FromTensor(testing::FloatTensor("x", {1}, {7.0f})));
    request.data_sets.push_back({"test_data_set_0", {{"x", ValueKind::kTensor, *bytes}}});
    return request;
  }

  std::unique_ptr<TempDir> logs_;
};

TEST_F(WorkerPoolTest, HealthyWorkerReturnsOutputs) {
  auto pool = MakePool(1, 10000);
  RunOutcome outcome = pool->Run(Request("model.onnx"));
  ASSERT_EQ(outcome.status, RunStatus::kOk) << outcome.message;
  ASSERT_EQ(outcome.data_sets.size(), 1u);
  ASSERT_EQ(outcome.data_sets[0].outputs.size(), 1u);
  EXPECT_EQ(outcome.data_sets[0].outputs[0].name, "y0");
  EXPECT_EQ(testing::FloatValues(outcome.data_sets[0].outputs[0].tensor), std::vector<float>{7.0f});
  EXPECT_EQ(*pool->BackendDescription(), "fake 0");
}

TEST_F(WorkerPoolTest, CrashIsReportedAndThePoolRecovers) {
  auto pool = MakePool(1, 10000);
  RunOutcome crashed = pool->Run(Request("crash.onnx"));
  EXPECT_EQ(crashed.status, RunStatus::kCrash);
  EXPECT_NE(crashed.message.find("signal 11"), std::string::npos) << crashed.message;
  RunOutcome next = pool->Run(Request("model.onnx"));
  EXPECT_EQ(next.status, RunStatus::kOk) << next.message;
}

TEST_F(WorkerPoolTest, HangIsReportedAsTimeoutAndThePoolRecovers) {
  auto pool = MakePool(1, 300);
  auto start = std::chrono::steady_clock::now();
  RunOutcome hung = pool->Run(Request("hang.onnx"));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(hung.status, RunStatus::kTimeout);
  EXPECT_NE(hung.message.find("300 ms"), std::string::npos) << hung.message;
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_EQ(pool->Run(Request("model.onnx")).status, RunStatus::kOk);
}

TEST_F(WorkerPoolTest, BadAllocIsReportedAsOutOfMemory) {
  auto pool = MakePool(1, 10000);
  RunOutcome outcome = pool->Run(Request("oom.onnx"));
  EXPECT_EQ(outcome.status, RunStatus::kOutOfMemory) << outcome.message;
  EXPECT_EQ(pool->Run(Request("model.onnx")).status, RunStatus::kOk);
}

TEST_F(WorkerPoolTest, LoadErrorIsAnErrorOutcomeWithTheMessage) {
  auto pool = MakePool(1, 10000);
  RunOutcome outcome = pool->Run(Request("fail.onnx"));
  EXPECT_EQ(outcome.status, RunStatus::kError);
  EXPECT_NE(outcome.message.find("fake load failure for fail.onnx"), std::string::npos)
      << outcome.message;
}

TEST_F(WorkerPoolTest, ConcurrentRunsAllComplete) {
  auto pool = MakePool(2, 10000);
  std::vector<RunStatus> statuses(8);
  std::vector<std::thread> threads;
  for (size_t run_idx = 0; run_idx < statuses.size(); ++run_idx) {
    threads.emplace_back([&, run_idx] {
      statuses[run_idx] = pool->Run(Request(run_idx % 4 == 1 ? "crash.onnx" : "model.onnx")).status;
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t run_idx = 0; run_idx < statuses.size(); ++run_idx) {
    EXPECT_EQ(statuses[run_idx], run_idx % 4 == 1 ? RunStatus::kCrash : RunStatus::kOk) << run_idx;
  }
}

TEST_F(WorkerPoolTest, PipelinedRunsAllCompleteWithTheirOwnOutcomes) {
  auto pool = MakePool(2, 10000, /*requests_per_worker=*/2);
  std::vector<RunStatus> statuses(16);
  std::vector<std::thread> threads;
  for (size_t run_idx = 0; run_idx < statuses.size(); ++run_idx) {
    threads.emplace_back([&, run_idx] {
      statuses[run_idx] = pool->Run(Request(run_idx % 4 == 1 ? "crash.onnx" : "model.onnx")).status;
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t run_idx = 0; run_idx < statuses.size(); ++run_idx) {
    EXPECT_EQ(statuses[run_idx], run_idx % 4 == 1 ? RunStatus::kCrash : RunStatus::kOk) << run_idx;
  }
}

// A request queued behind one that hangs never started: when the hung worker is killed, the
// queued one runs on the replacement instead of sharing the timeout.
TEST_F(WorkerPoolTest, RequestQueuedBehindAHangRunsOnTheReplacement) {
  auto pool = MakePool(1, 500, /*requests_per_worker=*/2);
  RunStatus hung = RunStatus::kOk;
  std::thread hanging([&] { hung = pool->Run(Request("hang.onnx")).status; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the hang is under way
  RunOutcome queued = pool->Run(Request("model.onnx"));
  hanging.join();
  EXPECT_EQ(hung, RunStatus::kTimeout);
  EXPECT_EQ(queued.status, RunStatus::kOk) << queued.message;
  ASSERT_EQ(queued.data_sets.size(), 1u);
  EXPECT_EQ(queued.data_sets[0].outputs.at(0).name, "y0");
}

TEST_F(WorkerPoolTest, MissingWorkerExecutableIsAnError) {
  SandboxConfig config;
  config.worker_executable = "/nonexistent/zooci-worker";
  auto executor = MakeSandboxExecutor(config);
  ASSERT_FALSE(executor.ok());
  EXPECT_NE(executor.error().message().find("/nonexistent/zooci-worker"), std::string::npos);
}

}  // namespace
}  // namespace zooci

namespace zooci {
namespace {

// BuildIdentity names the test binary's and the worker's GNU build-ids (linked with
// --build-id, Debian's default), and falls back to size and time for a file that is not ELF.
TEST(BuildIdentityTest, NamesBothBuildsAndFallsBackForNonElfFiles) {
  const fs::path fake_worker = fs::path(ZOOCI_BINARY_DIR) / "zooci-fake-worker";
  const std::string identity = BuildIdentity(fake_worker);
  ASSERT_EQ(identity.rfind("zooci=", 0), 0u) << identity;
  const size_t comma = identity.find(",worker=");
  ASSERT_NE(comma, std::string::npos) << identity;
  const std::string self = identity.substr(6, comma - 6);
  const std::string worker = identity.substr(comma + 8);
  EXPECT_EQ(self.find_first_not_of("0123456789abcdef"), std::string::npos) << self;
  EXPECT_GE(self.size(), 16u);
  EXPECT_EQ(worker.find_first_not_of("0123456789abcdef"), std::string::npos) << worker;
  EXPECT_NE(self, worker);  // two different executables
  EXPECT_EQ(identity, BuildIdentity(fake_worker));

  auto dir = testing::ScratchDir("build-id");
  const fs::path script = dir->path() / "worker.sh";
  testing::WriteTestFile(script, "#!/bin/sh\n");
  const std::string fallback = BuildIdentity(script);
  EXPECT_NE(fallback.find(",worker=size=10,mtime="), std::string::npos) << fallback;
  testing::WriteTestFile(script, "#!/bin/sh\n\n");
  EXPECT_NE(BuildIdentity(script), fallback);
  EXPECT_NE(BuildIdentity(dir->path() / "absent").find(",worker=unknown"), std::string::npos);
}

}  // namespace
}  // namespace zooci
