// RunCapturedCommand: captured stdout and stderr, timeouts that kill the whole process group, and
// a session without a controlling terminal.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "base/base.h"

namespace zooci {
namespace {

using std::chrono::steady_clock;

CommandResult RunOrDie(const std::vector<std::string>& argv, const CommandOptions& options = {}) {
  auto result = RunCapturedCommand(argv, options);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message());
  return result.ok() ? std::move(result).value() : CommandResult{};
}

// Whether `pid` names a live process (a zombie awaiting its reaper counts as dead).
bool ProcessAlive(pid_t pid) {
  if (kill(pid, 0) != 0) return errno != ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  size_t close_paren = line.rfind(')');
  return close_paren == std::string::npos || line.substr(close_paren + 2, 1) != "Z";
}

TEST(RunCapturedCommandTest, CapturesStdoutAndStderrSeparately) {
  CommandResult result = RunOrDie({"/bin/sh", "-c", "echo out; echo err >&2; echo more; exit 3"});
  EXPECT_EQ(result.stdout_text, "out\nmore\n");
  EXPECT_EQ(result.stderr_text, "err\n");
  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.exit_code, 3);
  EXPECT_FALSE(result.timed_out);
}

TEST(RunCapturedCommandTest, BothStreamsLargerThanAPipeBufferDoNotDeadlock) {
  CommandOptions options;
  options.timeout_ms = 20000;
  CommandResult result = RunOrDie(
      {"/bin/sh", "-c", "head -c 300000 /dev/zero >&2; head -c 200000 /dev/zero"}, options);
  EXPECT_EQ(result.stderr_text.size(), 300000u);
  EXPECT_EQ(result.stdout_text.size(), 200000u);
  EXPECT_FALSE(result.timed_out);
}

TEST(RunCapturedCommandTest, OutputBeyondTheCapIsDroppedWhileTheCommandRunsToTheEnd) {
  CommandOptions options;
  options.max_output_bytes = 1000;
  CommandResult result =
      RunOrDie({"/bin/sh", "-c", "head -c 500000 /dev/zero; echo done >&2"}, options);
  EXPECT_EQ(result.stdout_text.size(), 1000u);
  EXPECT_EQ(result.stderr_text, "done\n");
  EXPECT_EQ(result.exit.exit_code, 0);
}

TEST(RunCapturedCommandTest, StdinIsClosedAndExtraEnvIsPassed) {
  CommandOptions options;
  options.extra_env = {{"ZOOCI_COMMAND_TEST", "value with spaces"}};
  CommandResult result =
      RunOrDie({"/bin/sh", "-c", "cat; printf %s \"$ZOOCI_COMMAND_TEST\""}, options);
  EXPECT_EQ(result.stdout_text, "value with spaces");
}

TEST(RunCapturedCommandTest, RunsInASessionOfItsOwn) {
  // Field 6 of /proc/<pid>/stat is the session id: the shell leads a new session.
  CommandResult result =
      RunOrDie({"/bin/sh", "-c", "echo $$; sed 's/.*) //' /proc/$$/stat | cut -d' ' -f4"});
  std::vector<std::string> lines = SplitString(result.stdout_text, '\n');
  ASSERT_GE(lines.size(), 2u) << result.stdout_text << result.stderr_text;
  EXPECT_EQ(lines[0], lines[1]);
  EXPECT_NE(lines[1], std::to_string(getsid(0)));
}

TEST(RunCapturedCommandTest, TimeoutKillsTheCommandAndItsChildren) {
  // The shell starts a grandchild that holds the output pipes and would outlive a plain kill.
  auto started = steady_clock::now();
  CommandOptions options;
  options.timeout_ms = 300;
  CommandResult result = RunOrDie({"/bin/sh", "-c", "sleep 60 & echo $!; wait"}, options);
  auto elapsed = steady_clock::now() - started;
  EXPECT_TRUE(result.timed_out);
  EXPECT_TRUE(result.exit.signaled);
  EXPECT_EQ(result.exit.signal, SIGKILL);
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  pid_t grandchild = static_cast<pid_t>(std::stol(result.stdout_text));
  auto deadline = steady_clock::now() + std::chrono::seconds(5);
  while (ProcessAlive(grandchild) && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(ProcessAlive(grandchild)) << "grandchild " << grandchild << " survived";
}

TEST(RunCapturedCommandTest, TimeoutAfterTheOutputClosedStillKills) {
  CommandOptions options;
  options.timeout_ms = 200;
  CommandResult result = RunOrDie({"/bin/sh", "-c", "exec >&- 2>&-; sleep 60"}, options);
  EXPECT_TRUE(result.timed_out);
  EXPECT_TRUE(result.exit.signaled);
}

TEST(RunCapturedCommandTest, FastCommandIsNotReportedAsTimedOut) {
  CommandOptions options;
  options.timeout_ms = 10000;
  CommandResult result = RunOrDie({"echo", "quick"}, options);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.stdout_text, "quick\n");
  EXPECT_EQ(result.exit.exit_code, 0);
}

TEST(RunCapturedCommandTest, MissingProgramExits127AndEmptyArgvIsAnError) {
  CommandResult result = RunOrDie({"/nonexistent/zooci-no-such-binary"});
  EXPECT_TRUE(result.exit.exited);
  EXPECT_EQ(result.exit.exit_code, 127);
  EXPECT_FALSE(RunCapturedCommand({}, {}).ok());
}

}  // namespace
}  // namespace zooci
