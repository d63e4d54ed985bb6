// The job checkout on real git repositories: the head merged onto the base, a conflicting head
// alone, a newer push detected, hostile refs refused, no hook ever runs.
#include <gtest/gtest.h>

#include "service/internal.h"
#include "testing/testing.h"

namespace zooci::service_internal {
namespace {

using testing::ScratchDir;
using testing::WriteTestFile;

std::string Git(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git", "-C", dir.string(), "-c", "user.name=t", "-c",
                                   "user.email=t@t"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout_ms = 60000;
  auto result = RunCapturedCommand(argv, options);
  EXPECT_TRUE(result.ok() && result->exit.exited && result->exit.exit_code == 0)
      << (result.ok() ? result->stderr_text : result.error().message());
  return result.ok() ? std::string(Trim(result->stdout_text)) : "";
}

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir("workspace");
    upstream_ = dir_->path() / "upstream";
    fs::create_directories(upstream_);
    Git(upstream_, {"init", "-q", "-b", "main"});
    WriteTestFile(upstream_ / "README.md", "# Zoo\n");
    WriteTestFile(upstream_ / "shared.txt", "one\n");
    Git(upstream_, {"add", "-A"});
    Git(upstream_, {"commit", "-q", "-m", "zoo"});
    Git(upstream_, {"checkout", "-q", "-b", "submission"});
    WriteTestFile(upstream_ / "m/README.md", "# M\n");
    Git(upstream_, {"add", "-A"});
    Git(upstream_, {"commit", "-q", "-m", "add m"});
    head_ = Git(upstream_, {"rev-parse", "HEAD"});
    Git(upstream_, {"checkout", "-q", "main"});
    WriteTestFile(upstream_ / "other.txt", "main moved on\n");
    Git(upstream_, {"add", "-A"});
    Git(upstream_, {"commit", "-q", "-m", "main moves"});
    base_ = Git(upstream_, {"rev-parse", "HEAD"});
  }

  WorkspaceRequest Request() const {
    WorkspaceRequest request;
    request.repo = "owner/zoo";
    request.base_clone_url = upstream_.string();
    request.head_clone_url = upstream_.string();
    request.base_ref = "main";
    request.head_ref = "submission";
    request.head_sha = head_;
    request.base_sha = base_;
    request.mirrors_dir = dir_->path() / "mirrors";
    request.job_dir = dir_->path() / "job1";
    return request;
  }

  std::unique_ptr<TempDir> dir_;
  fs::path upstream_;
  std::string head_, base_;
};

TEST_F(WorkspaceTest, HeadMergedOntoTheCurrentBase) {
  Result<Workspace> workspace = PrepareWorkspace(Request());
  ASSERT_TRUE(workspace.ok()) << workspace.error().message();
  EXPECT_TRUE(workspace->merged);
  EXPECT_EQ(workspace->base_sha, base_);
  EXPECT_TRUE(fs::exists(workspace->dir / "m/README.md"));      // the pull request's file
  EXPECT_TRUE(fs::exists(workspace->dir / "other.txt"));        // and the base's newer one
  EXPECT_EQ(Git(workspace->dir, {"remote", "get-url", "origin"}), upstream_.string());
  // Reused mirror: a second job fetches into the same one.
  WorkspaceRequest again = Request();
  again.job_dir = dir_->path() / "job2";
  ASSERT_TRUE(PrepareWorkspace(again).ok());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_->path() / "mirrors"),
                          fs::directory_iterator()),
            1);
}

TEST_F(WorkspaceTest, ConflictingHeadIsReviewedAlone) {
  Git(upstream_, {"checkout", "-q", "submission"});
  WriteTestFile(upstream_ / "shared.txt", "two\n");
  Git(upstream_, {"commit", "-q", "-am", "conflict"});
  const std::string head = Git(upstream_, {"rev-parse", "HEAD"});
  Git(upstream_, {"checkout", "-q", "main"});
  WriteTestFile(upstream_ / "shared.txt", "three\n");
  Git(upstream_, {"commit", "-q", "-am", "conflict on main"});
  WorkspaceRequest request = Request();
  request.head_sha = head;
  Result<Workspace> workspace = PrepareWorkspace(request);
  ASSERT_TRUE(workspace.ok()) << workspace.error().message();
  EXPECT_FALSE(workspace->merged);
  EXPECT_EQ(Git(workspace->dir, {"rev-parse", "HEAD"}), head);
  EXPECT_EQ(workspace->base_sha, Git(upstream_, {"merge-base", "main", head}));
}

TEST_F(WorkspaceTest, NewerPushIsDetected) {
  WorkspaceRequest request = Request();
  request.head_sha = base_;  // the event's sha is not the branch's tip any more
  Result<Workspace> workspace = PrepareWorkspace(request);
  ASSERT_FALSE(workspace.ok());
  EXPECT_NE(workspace.error().message().find("a newer push"), std::string::npos);
}

TEST_F(WorkspaceTest, HostileRefsAndUrlsAreRefused) {
  for (const char* ref : {"--upload-pack=touch x", "a:b", "a..b", "a b", "-x"}) {
    WorkspaceRequest request = Request();
    request.head_ref = ref;
    EXPECT_FALSE(PrepareWorkspace(request).ok()) << ref;
  }
  WorkspaceRequest request = Request();
  request.head_clone_url = "--upload-pack=touch " + (dir_->path() / "pwned").string();
  EXPECT_FALSE(PrepareWorkspace(request).ok());
  request = Request();
  request.head_sha = "HEAD";
  EXPECT_FALSE(PrepareWorkspace(request).ok());
  EXPECT_FALSE(fs::exists(dir_->path() / "pwned"));
}

TEST_F(WorkspaceTest, HooksInTheRepositoryNeverRun) {
  // A hook committed into the repository (or planted in the mirror) is never executed.
  Result<Workspace> first = PrepareWorkspace(Request());
  ASSERT_TRUE(first.ok());
  const fs::path marker = dir_->path() / "hook-ran";
  for (const char* hook : {"post-checkout", "post-merge", "pre-merge-commit", "reference-transaction"}) {
    for (const fs::path& hooks : {dir_->path() / "mirrors/owner_zoo.git/hooks", first->dir / ".git/hooks"}) {
      WriteTestFile(hooks / hook, "#!/bin/sh\ntouch " + marker.string() + "\n");
      fs::permissions(hooks / hook, fs::perms::owner_all);
    }
  }
  WorkspaceRequest again = Request();
  again.job_dir = dir_->path() / "job2";
  ASSERT_TRUE(PrepareWorkspace(again).ok());
  EXPECT_FALSE(fs::exists(marker));
}

}  // namespace
}  // namespace zooci::service_internal
