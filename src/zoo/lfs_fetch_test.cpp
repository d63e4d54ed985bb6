// ClassifyPointer and FetchLfsContent against real git repositories and a real local LFS remote:
// a bare repository that git-lfs 3.x pushes objects into (remote.git/lfs/objects) and fetches
// them from through its standalone file transfer agent (endpoint file://.../remote.git).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

const std::string kLfsRules = "*.onnx filter=lfs diff=lfs merge=lfs -text\n";

// Deterministic bytes that are not a pointer (binary, larger than 1 KiB).
std::string ModelBytes(uint32_t seed, size_t size_bytes = 20000) {
  std::string bytes(size_bytes, '\0');
  for (char& byte : bytes) {
    seed = seed * 1664525u + 1013904223u;
    byte = static_cast<char>(seed >> 24);
  }
  return bytes;
}

std::string PointerText(std::string_view content) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + Sha256Hex(content) +
         "\nsize " + std::to_string(content.size()) + "\n";
}

bool IsPointer(const fs::path& path) {
  return ReadLfsPointer(path).has_value();
}

std::string FileText(const fs::path& path) {
  Result<std::string> text = ReadFile(path);
  return text.ok() ? *text : "<unreadable: " + text.error().message() + ">";
}

// Sets environment variables for the test's lifetime (git and git-lfs inherit them) and restores
// the previous values afterwards.
class ScopedEnv {
 public:
  void Set(const std::string& name, const char* value) {
    if (saved_.count(name) == 0) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value != nullptr) {
      setenv(name.c_str(), value, 1);
    } else {
      unsetenv(name.c_str());
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

class LfsFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // git and git-lfs see only this test's configuration: no global or system files, so the
    // clones have no LFS filter configured at all (FetchLfsContent must not need one).
    fs::create_directories(root() / "home");
    env_.Set("HOME", (root() / "home").c_str());
    env_.Set("XDG_CONFIG_HOME", nullptr);
    env_.Set("GIT_CONFIG_GLOBAL", nullptr);
    env_.Set("GIT_CONFIG_NOSYSTEM", "1");
    env_.Set("GIT_LFS_SKIP_SMUDGE", nullptr);
    auto version = RunCapturedCommand({"git", "lfs", "version"}, {});
    if (!version.ok() || version->exit.exit_code != 0) GTEST_SKIP() << "git-lfs is not installed";
  }

  const fs::path& root() const { return dir_->path(); }
  fs::path remote() const { return root() / "remote.git"; }
  fs::path work() const { return root() / "work"; }
  fs::path clone() const { return root() / "clone"; }

  // Runs git with `args`; a non-zero exit fails the test.
  std::string Git(const std::vector<std::string>& args,
                  std::vector<std::pair<std::string, std::string>> extra_env = {}) {
    std::vector<std::string> argv = {"git", "-c", "user.name=ZooCI Test", "-c",
                                     "user.email=test@zooci.invalid"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandOptions options;
    options.timeout_ms = 60000;
    options.extra_env = std::move(extra_env);
    auto result = RunCapturedCommand(argv, options);
    EXPECT_TRUE(result.ok() && result->exit.exited && result->exit.exit_code == 0)
        << JoinStrings(argv, " ") << ": "
        << (result.ok() ? result->stderr_text : result.error().message());
    return result.ok() ? result->stdout_text : "";
  }

  // A bare remote and a work repository pushing to it, with git-lfs hooks and filters installed
  // in the work repository only (`git lfs install --local`).
  void MakeRepositories(const std::string& attributes = kLfsRules) {
    Git({"init", "-q", "--bare", "-b", "main", remote().string()});
    Git({"init", "-q", "-b", "main", work().string()});
    Git({"-C", work().string(), "lfs", "install", "--local"});
    Git({"-C", work().string(), "remote", "add", "origin", remote().string()});
    Write(".gitattributes", attributes);
  }

  void Write(const std::string& relative, std::string_view contents) {
    testing::WriteTestFile(work() / relative, contents);
  }

  // Commits everything and pushes it with its LFS objects (those present locally).
  void CommitAndPush(bool allow_incomplete_push = false) {
    Git({"-C", work().string(), "add", "-A"});
    Git({"-C", work().string(), "commit", "-q", "-m", "models"});
    Git({"-C", work().string(), "-c",
         std::string("lfs.allowincompletepush=") + (allow_incomplete_push ? "true" : "false"),
         "push", "-q", "origin", "main"});
  }

  // A clone with pointers instead of content, as CI checkouts without LFS make.
  void CloneWithoutContent() {
    Git({"clone", "-q", remote().string(), clone().string()}, {{"GIT_LFS_SKIP_SMUDGE", "1"}});
  }

  LfsFetchOutcome Fetch(const std::vector<std::string>& paths, int64_t timeout_ms = 120000) {
    auto outcome = FetchLfsContent(clone(), paths, timeout_ms);
    EXPECT_TRUE(outcome.ok()) << outcome.error().message();
    return outcome.ok() ? *outcome : LfsFetchOutcome{};
  }

 private:
  std::unique_ptr<TempDir> dir_ = testing::ScratchDir("lfs_fetch_test");
  ScopedEnv env_;
};

std::string Describe(const LfsFetchOutcome& outcome) {
  std::string text = "fetched: " + JoinStrings(outcome.fetched, ", ") + "\nfailed:";
  for (const LfsFetchFailure& failure : outcome.failed) {
    text += "\n  " + failure.path + ": " + failure.reason +
            (failure.object_missing ? " [object missing]" : "");
  }
  return text;
}

const LfsFetchFailure* FailureFor(const LfsFetchOutcome& outcome, const std::string& path) {
  for (const LfsFetchFailure& failure : outcome.failed) {
    if (failure.path == path) return &failure;
  }
  return nullptr;
}

// ---- a) content not fetched ---------------------------------------------------------------------

TEST_F(LfsFetchTest, NotFetchedPointerIsFetchedWithItsContent) {
  MakeRepositories();
  const std::string model = ModelBytes(1), other = ModelBytes(2);
  Write("vision/a/model/a-12.onnx", model);
  Write("vision/b/model/b-12.onnx", other);
  CommitAndPush();
  CloneWithoutContent();
  const std::string path = "vision/a/model/a-12.onnx";
  std::optional<LfsPointer> pointer = ReadLfsPointer(clone() / path);
  ASSERT_TRUE(pointer.has_value())
      << "the clone should hold a pointer: " << FileText(clone() / path);
  EXPECT_EQ(ClassifyPointer(clone(), path), LfsPointerStatus::kNotFetched);

  LfsFetchOutcome outcome = Fetch({path});
  EXPECT_EQ(outcome.fetched, std::vector<std::string>{path}) << Describe(outcome);
  EXPECT_TRUE(outcome.failed.empty()) << Describe(outcome);
  EXPECT_EQ(FileText(clone() / path), model);
  EXPECT_EQ(Sha256File(clone() / path).value(), pointer->oid_sha256);
  // Only the requested path: the other model is still a pointer.
  EXPECT_TRUE(IsPointer(clone() / "vision/b/model/b-12.onnx"));
  // With the LFS filter that `git lfs install` configures, git sees an unmodified work tree.
  EXPECT_EQ(Git({"-C", clone().string(), "-c", "filter.lfs.clean=git-lfs clean -- %f", "-c",
                 "filter.lfs.process=git-lfs filter-process", "status", "--porcelain"}),
            "");
}

TEST_F(LfsFetchTest, ZooLfsconfigExcludingOnnxDoesNotStopTheFetch) {
  // The ONNX Model Zoo's .lfsconfig: "[lfs] fetchexclude = *.onnx,*_model.zip".
  MakeRepositories();
  Write(".lfsconfig", "[lfs]\n  fetchexclude = *.onnx,*_model.zip\n");
  Write("m/model.onnx", ModelBytes(3));
  CommitAndPush();
  CloneWithoutContent();
  LfsFetchOutcome outcome = Fetch({"m/model.onnx"});
  EXPECT_EQ(outcome.fetched, std::vector<std::string>{"m/model.onnx"}) << Describe(outcome);
  EXPECT_EQ(FileText(clone() / "m/model.onnx"), ModelBytes(3));
}

// ---- b) a pointer committed outside the LFS rules -----------------------------------------------

TEST_F(LfsFetchTest, PointerOutsideTheRulesIsClassifiedAndRefused) {
  MakeRepositories();
  const std::string model = ModelBytes(4);
  Write("m/model.onnx", model);
  // The same object's pointer, committed as a regular file no filter=lfs rule covers: even an
  // object the remote has is not fetched, since git would never replace this pointer.
  Write("m/weights.bin", PointerText(model));
  CommitAndPush();
  CloneWithoutContent();
  ASSERT_TRUE(IsPointer(clone() / "m/weights.bin"));
  EXPECT_EQ(ClassifyPointer(clone(), "m/weights.bin"), LfsPointerStatus::kOutsideRules);
  EXPECT_EQ(ClassifyPointer(clone(), "m/model.onnx"), LfsPointerStatus::kNotFetched);

  LfsFetchOutcome outcome = Fetch({"m/weights.bin"});
  EXPECT_TRUE(outcome.fetched.empty()) << Describe(outcome);
  const LfsFetchFailure* failure = FailureFor(outcome, "m/weights.bin");
  ASSERT_NE(failure, nullptr) << Describe(outcome);
  EXPECT_NE(failure->reason.find("no filter=lfs rule"), std::string::npos) << failure->reason;
  EXPECT_FALSE(failure->object_missing);
  EXPECT_EQ(FileText(clone() / "m/weights.bin"), PointerText(model));
}

// ---- c) a pointer whose object the LFS remote does not have -------------------------------------

TEST_F(LfsFetchTest, ObjectNeverPushedFailsThatPathOnly) {
  MakeRepositories();
  const std::string model = ModelBytes(5);
  const std::string never_pushed = ModelBytes(6);
  Write("m/good.onnx", model);
  // Committed as a pointer under the rule, its object never uploaded (as a submitter who pushed
  // with lfs.allowincompletepush, or whose upload failed, leaves it).
  Write("m/missing.onnx", PointerText(never_pushed));
  CommitAndPush(/*allow_incomplete_push=*/true);
  CloneWithoutContent();
  EXPECT_EQ(ClassifyPointer(clone(), "m/missing.onnx"), LfsPointerStatus::kNotFetched);

  LfsFetchOutcome outcome = Fetch({"m/missing.onnx", "m/good.onnx"});
  EXPECT_EQ(outcome.fetched, std::vector<std::string>{"m/good.onnx"}) << Describe(outcome);
  EXPECT_EQ(FileText(clone() / "m/good.onnx"), model);
  const LfsFetchFailure* failure = FailureFor(outcome, "m/missing.onnx");
  ASSERT_NE(failure, nullptr) << Describe(outcome);
  EXPECT_TRUE(failure->object_missing) << failure->reason;
  EXPECT_NE(failure->reason.find(Sha256Hex(never_pushed)), std::string::npos) << failure->reason;
  EXPECT_EQ(failure->reason.find('\n'), std::string::npos);
  EXPECT_TRUE(IsPointer(clone() / "m/missing.onnx"));
}

TEST_F(LfsFetchTest, ObjectDeletedFromTheRemoteIsMissing) {
  MakeRepositories();
  const std::string model = ModelBytes(7);
  Write("m/model.onnx", model);
  CommitAndPush();
  const std::string oid = Sha256Hex(model);
  fs::path object = remote() / "lfs/objects" / oid.substr(0, 2) / oid.substr(2, 2) / oid;
  ASSERT_TRUE(fs::remove(object)) << object;
  CloneWithoutContent();
  LfsFetchOutcome outcome = Fetch({"m/model.onnx"});
  ASSERT_EQ(outcome.failed.size(), 1u) << Describe(outcome);
  EXPECT_TRUE(outcome.failed[0].object_missing) << outcome.failed[0].reason;
}

// ---- d) hostile paths ---------------------------------------------------------------------------

TEST_F(LfsFetchTest, HostilePathsAreRefusedOrTakenLiterally) {
  MakeRepositories();
  Write("--output=x.onnx", ModelBytes(8));  // a real LFS file whose name looks like an option
  Write("m/model.onnx", ModelBytes(9));
  CommitAndPush();
  CloneWithoutContent();
  // Outside the clone: a pointer file, and a directory the clone links to.
  const std::string outside_pointer = PointerText(ModelBytes(9));
  testing::WriteTestFile(root() / "outside.onnx", outside_pointer);
  testing::WriteTestFile(root() / "elsewhere" / "model.onnx", outside_pointer);
  fs::create_directory_symlink(root() / "elsewhere", clone() / "linked");
  fs::create_symlink("model.onnx", clone() / "m" / "alias.onnx");

  const std::vector<std::string> refused = {"../outside.onnx",
                                            "m/../../outside.onnx",
                                            (root() / "outside.onnx").string(),
                                            "",
                                            ".",
                                            "m",
                                            "m/",
                                            "linked/model.onnx",
                                            "m/alias.onnx",
                                            ".git/config",
                                            "m/absent.onnx",
                                            "--include=*"};
  std::vector<std::string> paths = refused;
  paths.push_back("--output=x.onnx");
  LfsFetchOutcome outcome = Fetch(paths);
  EXPECT_EQ(outcome.fetched, std::vector<std::string>{"--output=x.onnx"}) << Describe(outcome);
  EXPECT_EQ(FileText(clone() / "--output=x.onnx"), ModelBytes(8));
  for (const std::string& path : refused) {
    const LfsFetchFailure* failure = FailureFor(outcome, path);
    ASSERT_NE(failure, nullptr) << "'" << path << "'\n" << Describe(outcome);
    EXPECT_TRUE(StartsWith(failure->reason, "refused: ")) << path << ": " << failure->reason;
    EXPECT_FALSE(failure->object_missing);
  }
  // Nothing outside was touched, no option was obeyed, and nothing else was fetched.
  EXPECT_EQ(FileText(root() / "outside.onnx"), outside_pointer);
  EXPECT_EQ(FileText(root() / "elsewhere" / "model.onnx"), outside_pointer);
  EXPECT_FALSE(fs::exists(clone() / "x"));
  EXPECT_TRUE(IsPointer(clone() / "m/model.onnx"));
}

TEST_F(LfsFetchTest, OnlyRefusedPathsRunNothing) {
  // Not even a git repository: nothing is run, so nothing can fail as a whole.
  auto outcome = FetchLfsContent(root(), {"../x.onnx", "/etc/passwd"});
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->failed.size(), 2u);
}

TEST_F(LfsFetchTest, GlobCharactersInNamesMatchOnlyThatFile) {
  MakeRepositories(kLfsRules + "g/** filter=lfs diff=lfs merge=lfs -text\n");
  // Each wanted name beside a decoy its characters, read as a glob, would also match.
  const std::vector<std::pair<std::string, std::string>> names = {
      {"g/x[1].onnx", "g/x1.onnx"},
      {"g/star*.onnx", "g/starZ.onnx"},
      {"g/q?.onnx", "g/qQ.onnx"},
      {"g/a,b.onnx", "g/aXb.onnx"},
      {"g/back\\slash", "g/back/slash"},
      {"g/#hash", "g/hash"},
      {"g/ends with space ", "g/ends with space"},
      {"top.onnx", "g/top.onnx"},
      {"g/mod\xc3\xa8le.onnx", "g/modXle.onnx"},
  };
  uint32_t seed = 100;
  for (const auto& [wanted, decoy] : names) {
    Write(wanted, ModelBytes(seed++));
    Write(decoy, ModelBytes(seed++));
  }
  CommitAndPush();
  CloneWithoutContent();
  std::vector<std::string> wanted_paths;
  for (const auto& [wanted, decoy] : names) {
    ASSERT_TRUE(IsPointer(clone() / wanted)) << wanted;
    wanted_paths.push_back(wanted);
  }
  LfsFetchOutcome outcome = Fetch(wanted_paths);
  EXPECT_EQ(outcome.fetched, wanted_paths) << Describe(outcome);
  seed = 100;
  for (const auto& [wanted, decoy] : names) {
    EXPECT_EQ(FileText(clone() / wanted), ModelBytes(seed++)) << wanted;
    ++seed;
    EXPECT_TRUE(IsPointer(clone() / decoy)) << decoy << " was checked out too";
  }
}

// ---- the LFS server, and time -------------------------------------------------------------------

TEST_F(LfsFetchTest, LfsconfigNamingAnotherServerIsRefusedUnlessTheGitConfigPinsOne) {
  MakeRepositories();
  Write(".lfsconfig", "[lfs]\n  url = file://" + (root() / "attacker.git").string() + "\n");
  Write("m/model.onnx", ModelBytes(10));
  // The work repository pins its own server so that its push ignores the committed .lfsconfig.
  Git({"-C", work().string(), "config", "lfs.url", "file://" + remote().string()});
  CommitAndPush();
  CloneWithoutContent();
  auto refused = FetchLfsContent(clone(), {"m/model.onnx"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find(".lfsconfig sets lfs.url"), std::string::npos)
      << refused.error().message();
  EXPECT_TRUE(IsPointer(clone() / "m/model.onnx"));

  Git({"-C", clone().string(), "config", "lfs.url", "file://" + remote().string()});
  LfsFetchOutcome outcome = Fetch({"m/model.onnx"});
  EXPECT_EQ(outcome.fetched, std::vector<std::string>{"m/model.onnx"}) << Describe(outcome);
}

TEST_F(LfsFetchTest, HungServerIsKilledAtTheTimeout) {
  MakeRepositories();
  Write("m/model.onnx", ModelBytes(11));
  CommitAndPush();
  CloneWithoutContent();
  // A server that accepts connections (the kernel's backlog does) and never answers.
  int server = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(server, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(server, 16), 0);
  ASSERT_EQ(getsockname(server, reinterpret_cast<sockaddr*>(&address), &length), 0);
  Git({"-C", clone().string(), "config", "lfs.url",
       "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/"});

  auto started = std::chrono::steady_clock::now();
  auto outcome = FetchLfsContent(clone(), {"m/model.onnx"}, /*timeout_ms=*/2000);
  auto elapsed = std::chrono::steady_clock::now() - started;
  close(server);
  ASSERT_FALSE(outcome.ok()) << Describe(*outcome);
  EXPECT_NE(outcome.error().message().find("timed out"), std::string::npos)
      << outcome.error().message();
  EXPECT_LT(elapsed, std::chrono::seconds(15));
  EXPECT_TRUE(IsPointer(clone() / "m/model.onnx"));
}

TEST_F(LfsFetchTest, NotTheTopOfAWorkTreeIsAnError) {
  MakeRepositories();
  Write("m/model.onnx", ModelBytes(12));
  CommitAndPush();
  CloneWithoutContent();
  testing::WriteTestFile(clone() / "m/.gitattributes", kLfsRules);
  auto outcome = FetchLfsContent(clone() / "m", {"model.onnx"});
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message().find("not the top of its work tree"), std::string::npos)
      << outcome.error().message();
}

}  // namespace
}  // namespace zooci
