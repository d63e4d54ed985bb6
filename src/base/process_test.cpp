#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "base/base.h"

namespace zooci {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::unique_ptr<ChildProcess> SpawnOrDie(const ChildProcess::Options& options) {
  auto child = ChildProcess::Spawn(options);
  EXPECT_TRUE(child.ok()) << (child.ok() ? "" : child.error().message());
  return child.ok() ? std::move(child).value() : nullptr;
}

std::unique_ptr<ChildProcess> SpawnArgv(std::vector<std::string> argv) {
  ChildProcess::Options options;
  options.argv = std::move(argv);
  return SpawnOrDie(options);
}

// Reads the child's stdout until end-of-file (or 10 s).
std::string ReadUntilClosed(ChildProcess& child) {
  std::string output;
  auto deadline = steady_clock::now() + std::chrono::seconds(10);
  char byte = 0;
  std::string error;
  while (ReadExact(child.stdout_fd(), &byte, 1, deadline, &error) == ReadStatus::kOk) {
    output.push_back(byte);
  }
  return output;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// ---- Spawn, WriteAll, ReadExact ----------------------------------------------------------------

TEST(ChildProcessTest, CatEchoesThroughPipes) {
  auto child = SpawnArgv({"/bin/cat"});
  ASSERT_NE(child, nullptr);
  EXPECT_GT(child->pid(), 0);
  std::string message = "hello, child\n";
  ASSERT_TRUE(WriteAll(child->stdin_fd(), message).ok());
  std::string echoed(message.size(), '\0');
  std::string error;
  ASSERT_EQ(ReadExact(child->stdout_fd(), echoed.data(), echoed.size(),
                      steady_clock::now() + std::chrono::seconds(10), &error),
            ReadStatus::kOk)
      << error;
  EXPECT_EQ(echoed, message);
  ExitInfo info = child->CloseAndWait(10000);
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.exit_code, 0);
}

TEST(ChildProcessTest, CatEchoesMoreThanAPipeBufferInBothDirections) {
  auto child = SpawnArgv({"/bin/cat"});
  ASSERT_NE(child, nullptr);
  std::string payload(1 << 20, '\0');
  for (size_t byte_idx = 0; byte_idx < payload.size(); ++byte_idx) {
    payload[byte_idx] = static_cast<char>(byte_idx * 31 + 7);
  }
  // The writer runs concurrently: both pipes hold far less than 1 MiB.
  Status written = OkStatus();
  std::thread writer([&] { written = WriteAll(child->stdin_fd(), payload); });
  std::string echoed(payload.size(), '\0');
  std::string error;
  ReadStatus status = ReadExact(child->stdout_fd(), echoed.data(), echoed.size(),
                                steady_clock::now() + std::chrono::seconds(20), &error);
  writer.join();
  ASSERT_TRUE(written.ok()) << written.error().message();
  ASSERT_EQ(status, ReadStatus::kOk) << error;
  EXPECT_EQ(echoed, payload);
}

TEST(ChildProcessTest, EmptyArgvIsAnError) {
  auto child = ChildProcess::Spawn(ChildProcess::Options{});
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.error().message().find("empty argv"), std::string::npos)
      << child.error().message();
}

TEST(ReadExactTest, SilentChildTimesOutAtTheDeadline) {
  auto child = SpawnArgv({"/bin/cat"});
  ASSERT_NE(child, nullptr);
  char byte = 0;
  std::string error;
  auto start = steady_clock::now();
  ReadStatus status = ReadExact(child->stdout_fd(), &byte, 1, start + milliseconds(200), &error);
  auto elapsed = steady_clock::now() - start;
  EXPECT_EQ(status, ReadStatus::kTimedOut);
  EXPECT_GE(elapsed, milliseconds(150));
  EXPECT_LT(elapsed, milliseconds(5000));
}

TEST(ReadExactTest, PartialDataThenSilenceTimesOut) {
  auto child = SpawnArgv({"/bin/cat"});
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(WriteAll(child->stdin_fd(), "ab").ok());
  char buffer[4] = {};
  std::string error;
  EXPECT_EQ(ReadExact(child->stdout_fd(), buffer, sizeof buffer,
                      steady_clock::now() + milliseconds(300), &error),
            ReadStatus::kTimedOut);
  EXPECT_EQ(std::string(buffer, 2), "ab");
}

TEST(ReadExactTest, ChildExitingReportsClosed) {
  auto child = SpawnArgv({"/bin/sh", "-c", "printf ab; exit 0"});
  ASSERT_NE(child, nullptr);
  char buffer[3] = {};
  std::string error;
  auto start = steady_clock::now();
  EXPECT_EQ(ReadExact(child->stdout_fd(), buffer, sizeof buffer, start + std::chrono::seconds(10),
                      &error),
            ReadStatus::kClosed);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));  // not the deadline
  EXPECT_EQ(std::string(buffer, 2), "ab");
}

TEST(ReadExactTest, ReadFailureReportsErrorWithMessage) {
  int dir_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir_fd, 0);
  char byte = 0;
  std::string error;
  EXPECT_EQ(ReadExact(dir_fd, &byte, 1, steady_clock::now() + std::chrono::seconds(5), &error),
            ReadStatus::kError);
  EXPECT_TRUE(StartsWith(error, "read: ")) << error;
  close(dir_fd);
}

TEST(ReadExactTest, ZeroBytesIsImmediatelyOk) {
  char byte = 0;
  std::string error;
  EXPECT_EQ(ReadExact(-1, &byte, 0, steady_clock::now() + milliseconds(10), &error),
            ReadStatus::kOk);
}

// ---- Exit status -------------------------------------------------------------------------------

TEST(ChildProcessTest, KillReportsSigkill) {
  auto child = SpawnArgv({"/bin/sleep", "100"});
  ASSERT_NE(child, nullptr);
  auto start = steady_clock::now();
  ExitInfo info = child->Kill();
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(info.signaled);
  EXPECT_EQ(info.signal, SIGKILL);
  EXPECT_FALSE(info.exited);
  EXPECT_NE(info.Describe().find("signal 9"), std::string::npos) << info.Describe();
  // A second Kill reports the same, already reaped, exit.
  ExitInfo again = child->Kill();
  EXPECT_TRUE(again.signaled);
  EXPECT_EQ(again.signal, SIGKILL);
}

TEST(ChildProcessTest, SelfInflictedSegfaultIsReportedAsSignal11) {
  auto child = SpawnArgv({"/bin/sh", "-c", "kill -SEGV $$"});
  ASSERT_NE(child, nullptr);
  ExitInfo info = child->CloseAndWait(10000);
  EXPECT_TRUE(info.signaled);
  EXPECT_FALSE(info.exited);
  EXPECT_EQ(info.signal, SIGSEGV);
  EXPECT_EQ(info.signal, 11);
  EXPECT_NE(info.Describe().find("signal 11"), std::string::npos) << info.Describe();
  EXPECT_NE(info.Describe().find("Segmentation fault"), std::string::npos) << info.Describe();
}

TEST(ChildProcessTest, KillAfterCrashKeepsTheCrashSignal) {
  auto child = SpawnArgv({"/bin/sh", "-c", "kill -SEGV $$"});
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ReadUntilClosed(*child), "");  // the child has exited once its stdout closes
  ExitInfo info = child->Kill();
  EXPECT_TRUE(info.signaled);
  EXPECT_EQ(info.signal, SIGSEGV);
}

TEST(ChildProcessTest, CloseAndWaitReportsExitCode) {
  auto child = SpawnArgv({"/bin/sh", "-c", "cat >/dev/null; exit 3"});
  ASSERT_NE(child, nullptr);
  ExitInfo info = child->CloseAndWait(10000);
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.exit_code, 3);
  EXPECT_FALSE(info.signaled);
  EXPECT_EQ(info.Describe(), "exit code 3");
}

TEST(ChildProcessTest, CloseAndWaitKillsAChildThatDoesNotExit) {
  auto child = SpawnArgv({"/bin/sleep", "100"});
  ASSERT_NE(child, nullptr);
  auto start = steady_clock::now();
  ExitInfo info = child->CloseAndWait(100);
  auto elapsed = steady_clock::now() - start;
  EXPECT_TRUE(info.signaled);
  EXPECT_EQ(info.signal, SIGKILL);
  EXPECT_GE(elapsed, milliseconds(90));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(ChildProcessTest, DestructorKillsAndReapsARunningChild) {
  pid_t pid = 0;
  {
    auto child = SpawnArgv({"/bin/sleep", "100"});
    ASSERT_NE(child, nullptr);
    pid = child->pid();
    ASSERT_EQ(kill(pid, 0), 0);
  }
  // Reaped: the pid no longer names a process (not even a zombie).
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ExitInfoTest, DescribeOfAnUnfinishedChild) {
  EXPECT_EQ(ExitInfo{}.Describe(), "still running");
}

// ---- Limits, stderr, environment ---------------------------------------------------------------

TEST(ChildProcessTest, AddressSpaceLimitIsApplied) {
  ChildProcess::Options options;
  options.argv = {"/bin/sh", "-c", "ulimit -v"};
  options.limits.address_space_bytes = uint64_t{512} << 20;
  auto child = SpawnOrDie(options);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ReadUntilClosed(*child), "524288\n");  // KiB
  EXPECT_EQ(child->CloseAndWait(10000).exit_code, 0);
}

TEST(ChildProcessTest, NoLimitsLeavesAddressSpaceUnlimited) {
  if (RunCommand({"/bin/sh", "-c", "ulimit -v"}).value() != "unlimited\n") {
    GTEST_SKIP() << "this test process itself runs with an address-space limit";
  }
  auto child = SpawnArgv({"/bin/sh", "-c", "ulimit -v"});
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ReadUntilClosed(*child), "unlimited\n");
}

TEST(ChildProcessTest, CpuLimitIsAppliedAndCoreDumpsAreDisabled) {
  ChildProcess::Options options;
  options.argv = {"/bin/sh", "-c", "ulimit -t; ulimit -c"};
  options.limits.cpu_seconds = 7;
  auto child = SpawnOrDie(options);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ReadUntilClosed(*child), "7\n0\n");
}

TEST(ChildProcessTest, StderrPathCapturesStderrByAppending) {
  auto dir = TempDir::Create("process_test");
  ASSERT_TRUE(dir.ok());
  fs::path log = dir->path() / "stderr.log";
  std::ofstream(log) << "earlier\n";
  ChildProcess::Options options;
  options.argv = {"/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2"};
  options.stderr_path = log;
  auto child = SpawnOrDie(options);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ReadUntilClosed(*child), "to-stdout\n");
  EXPECT_TRUE(child->CloseAndWait(10000).exited);
  EXPECT_EQ(ReadAll(log), "earlier\nto-stderr\n");
}

// Regression: an stderr_path that could not be opened was silently ignored (stderr inherited).
TEST(ChildProcessTest, UnopenableStderrPathIsAnError) {
  auto dir = TempDir::Create("process_test");
  ASSERT_TRUE(dir.ok());
  fs::path log = dir->path() / "missing_dir" / "stderr.log";
  ChildProcess::Options options;
  options.argv = {"/bin/true"};
  options.stderr_path = log;
  auto child = ChildProcess::Spawn(options);
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.error().message().find(log.string()), std::string::npos)
      << child.error().message();
}

TEST(ChildProcessTest, ExtraEnvIsVisibleToTheChild) {
  ChildProcess::Options options;
  options.argv = {"/bin/sh", "-c", "printf '%s|%s' \"$ZOOCI_TEST_A\" \"$ZOOCI_TEST_B\""};
  options.extra_env = {{"ZOOCI_TEST_A", "alpha"}, {"ZOOCI_TEST_B", "two words"}};
  auto child = SpawnOrDie(options);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ReadUntilClosed(*child), "alpha|two words");
}

TEST(ChildProcessTest, InheritedEnvironmentIsPassedOn) {
  setenv("ZOOCI_TEST_INHERITED", "from-parent", 1);
  ChildProcess::Options options;
  options.argv = {"/bin/sh", "-c", "printf %s \"$ZOOCI_TEST_INHERITED\""};
  auto child = SpawnOrDie(options);
  unsetenv("ZOOCI_TEST_INHERITED");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ReadUntilClosed(*child), "from-parent");
}

// Regression: extra_env used to be appended after the inherited entry of the same name, so a
// program using getenv() (which returns the first match) still saw the parent's value.
TEST(ChildProcessTest, ExtraEnvReplacesAnInheritedVariable) {
  setenv("ZOOCI_TEST_OVERRIDE", "from-parent", 1);
  ChildProcess::Options options;
  options.argv = {"/usr/bin/env"};
  options.extra_env = {{"ZOOCI_TEST_OVERRIDE", "from-options"}};
  auto child = SpawnOrDie(options);
  unsetenv("ZOOCI_TEST_OVERRIDE");
  ASSERT_NE(child, nullptr);
  std::vector<std::string> matches;
  for (const std::string& line : SplitString(ReadUntilClosed(*child), '\n')) {
    if (StartsWith(line, "ZOOCI_TEST_OVERRIDE=")) matches.push_back(line);
  }
  EXPECT_EQ(matches, std::vector<std::string>{"ZOOCI_TEST_OVERRIDE=from-options"});
}

// ---- RunCommand --------------------------------------------------------------------------------

TEST(RunCommandTest, ReturnsStdoutAndExitCode) {
  ExitInfo info;
  auto output = RunCommand({"/bin/sh", "-c", "echo hello; echo world; exit 4"}, &info);
  ASSERT_TRUE(output.ok()) << output.error().message();
  EXPECT_EQ(*output, "hello\nworld\n");
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.exit_code, 4);
}

TEST(RunCommandTest, SuccessfulCommandExitsZero) {
  ExitInfo info;
  auto output = RunCommand({"/bin/echo", "-n", "abc"}, &info);
  ASSERT_TRUE(output.ok()) << output.error().message();
  EXPECT_EQ(*output, "abc");
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.exit_code, 0);
}

TEST(RunCommandTest, CollectsOutputLargerThanAPipeBuffer) {
  auto output = RunCommand({"/bin/sh", "-c", "head -c 300000 /dev/zero"});
  ASSERT_TRUE(output.ok()) << output.error().message();
  EXPECT_EQ(output->size(), 300000u);
}

TEST(RunCommandTest, ChildStdinIsClosed) {
  // cat would wait forever on an open stdin.
  ExitInfo info;
  auto output = RunCommand({"/bin/cat"}, &info);
  ASSERT_TRUE(output.ok()) << output.error().message();
  EXPECT_EQ(*output, "");
  EXPECT_EQ(info.exit_code, 0);
}

TEST(RunCommandTest, NonExistentExecutableExits127) {
  ExitInfo info;
  auto output = RunCommand({"/nonexistent/zooci-no-such-binary"}, &info);
  ASSERT_TRUE(output.ok()) << output.error().message();
  EXPECT_EQ(*output, "");
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.exit_code, 127);
}

}  // namespace
}  // namespace zooci

namespace zooci {
namespace {

TEST(RunCommandTest, FindsProgramsOnPath) {
  ExitInfo exit_info;
  auto output = RunCommand({"echo", "found"}, &exit_info);
  ASSERT_TRUE(output.ok()) << output.error().message();
  EXPECT_EQ(*output, "found\n");
  EXPECT_TRUE(exit_info.exited);
  EXPECT_EQ(exit_info.exit_code, 0);
}

}  // namespace
}  // namespace zooci
