#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "base/base.h"

namespace zooci {
namespace {

TempDir MakeTempDir() {
  auto dir = TempDir::Create("files_test");
  EXPECT_TRUE(dir.ok()) << (dir.ok() ? "" : dir.error().message());
  return std::move(dir).value();
}

void WriteBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::set<std::string> ListDir(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& item : fs::directory_iterator(dir)) names.insert(item.path().filename());
  return names;
}

// ---- ReadFile ----------------------------------------------------------------------------------

TEST(ReadFileTest, ReturnsWholeContentsIncludingNulBytes) {
  TempDir dir = MakeTempDir();
  std::string bytes("header\0middle\nend", 17);
  WriteBytes(dir.path() / "data.bin", bytes);
  auto contents = ReadFile(dir.path() / "data.bin");
  ASSERT_TRUE(contents.ok()) << contents.error().message();
  EXPECT_EQ(*contents, bytes);
}

TEST(ReadFileTest, EmptyFileGivesEmptyString) {
  TempDir dir = MakeTempDir();
  WriteBytes(dir.path() / "empty", "");
  auto contents = ReadFile(dir.path() / "empty");
  ASSERT_TRUE(contents.ok()) << contents.error().message();
  EXPECT_EQ(*contents, "");
}

TEST(ReadFileTest, MissingFileErrorNamesThePath) {
  TempDir dir = MakeTempDir();
  fs::path missing = dir.path() / "no_such_file.txt";
  auto contents = ReadFile(missing);
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message().find(missing.string()), std::string::npos)
      << contents.error().message();
}

TEST(ReadFileTest, FileOverMaxBytesIsAnErrorWithSizeAndLimit) {
  TempDir dir = MakeTempDir();
  fs::path path = dir.path() / "big.txt";
  WriteBytes(path, std::string(100, 'x'));
  auto contents = ReadFile(path, /*max_bytes=*/99);
  ASSERT_FALSE(contents.ok());
  const std::string& message = contents.error().message();
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("100"), std::string::npos) << message;
  EXPECT_NE(message.find("99"), std::string::npos) << message;
}

TEST(ReadFileTest, FileExactlyAtMaxBytesIsRead) {
  TempDir dir = MakeTempDir();
  fs::path path = dir.path() / "exact.txt";
  WriteBytes(path, std::string(100, 'x'));
  auto contents = ReadFile(path, /*max_bytes=*/100);
  ASSERT_TRUE(contents.ok()) << contents.error().message();
  EXPECT_EQ(contents->size(), 100u);
}

TEST(ReadFileTest, LimitIsCheckedBeforeReading) {
  // A sparse 1 GiB file is refused by its size alone: instantly, without allocating 1 GiB.
  TempDir dir = MakeTempDir();
  fs::path path = dir.path() / "sparse.bin";
  WriteBytes(path, "");
  fs::resize_file(path, uint64_t{1} << 30);
  auto start = std::chrono::steady_clock::now();
  auto contents = ReadFile(path, /*max_bytes=*/1024);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message().find("1073741824"), std::string::npos)
      << contents.error().message();
  EXPECT_LT(elapsed, std::chrono::milliseconds(250));
}

TEST(ReadFileTest, DirectoryIsAnError) {
  TempDir dir = MakeTempDir();
  auto contents = ReadFile(dir.path());
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message().find(dir.path().string()), std::string::npos)
      << contents.error().message();
  EXPECT_NE(contents.error().message().find("not a regular file"), std::string::npos)
      << contents.error().message();
}

// ---- WriteFileAtomic ---------------------------------------------------------------------------

TEST(WriteFileAtomicTest, WritesNewFile) {
  TempDir dir = MakeTempDir();
  fs::path path = dir.path() / "out.txt";
  std::string bytes("binary\0data", 11);
  ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
  EXPECT_EQ(ReadAll(path), bytes);
}

TEST(WriteFileAtomicTest, ReplacesExistingFileCompletely) {
  TempDir dir = MakeTempDir();
  fs::path path = dir.path() / "out.txt";
  WriteBytes(path, "a much longer original content");
  ASSERT_TRUE(WriteFileAtomic(path, "short").ok());
  EXPECT_EQ(ReadAll(path), "short");
}

TEST(WriteFileAtomicTest, LeavesNoTempFileBehind) {
  TempDir dir = MakeTempDir();
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "out.txt", "one").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.path() / "out.txt", "two").ok());
  EXPECT_EQ(ListDir(dir.path()), std::set<std::string>{"out.txt"});
}

TEST(WriteFileAtomicTest, MissingDirectoryIsAnErrorAndCreatesNothing) {
  TempDir dir = MakeTempDir();
  Status written = WriteFileAtomic(dir.path() / "no_dir" / "out.txt", "x");
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message().find("no_dir"), std::string::npos)
      << written.error().message();
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

// ---- IsWithin ----------------------------------------------------------------------------------

TEST(IsWithinTest, FileInsideRootIsWithin) {
  TempDir dir = MakeTempDir();
  fs::create_directories(dir.path() / "a" / "b");
  WriteBytes(dir.path() / "a" / "b" / "f.txt", "x");
  EXPECT_TRUE(IsWithin(dir.path(), dir.path() / "a" / "b" / "f.txt"));
}

TEST(IsWithinTest, RootItselfIsWithin) {
  TempDir dir = MakeTempDir();
  EXPECT_TRUE(IsWithin(dir.path(), dir.path()));
  EXPECT_TRUE(IsWithin(dir.path(), dir.path() / "."));
}

TEST(IsWithinTest, DotDotEscapeIsNotWithin) {
  TempDir dir = MakeTempDir();
  fs::create_directories(dir.path() / "a");
  EXPECT_FALSE(IsWithin(dir.path() / "a", dir.path() / "a" / ".." / "b"));
  EXPECT_FALSE(IsWithin(dir.path(), dir.path() / ".." / "elsewhere"));
  EXPECT_TRUE(IsWithin(dir.path(), dir.path() / "a" / ".." / "b"));
}

TEST(IsWithinTest, SiblingWithSharedNamePrefixIsNotWithin) {
  TempDir dir = MakeTempDir();
  fs::create_directories(dir.path() / "root");
  fs::create_directories(dir.path() / "rootx");
  EXPECT_FALSE(IsWithin(dir.path() / "root", dir.path() / "rootx" / "f"));
}

TEST(IsWithinTest, SymlinkInsideRootPointingOutsideIsNotWithin) {
  TempDir dir = MakeTempDir();
  fs::create_directories(dir.path() / "root");
  fs::create_directories(dir.path() / "outside");
  WriteBytes(dir.path() / "outside" / "secret", "x");
  fs::create_directory_symlink(dir.path() / "outside", dir.path() / "root" / "link");
  EXPECT_FALSE(IsWithin(dir.path() / "root", dir.path() / "root" / "link" / "secret"));
  EXPECT_FALSE(IsWithin(dir.path() / "root", dir.path() / "root" / "link"));
}

TEST(IsWithinTest, SymlinkInsideRootPointingInsideIsWithin) {
  TempDir dir = MakeTempDir();
  fs::create_directories(dir.path() / "root" / "real");
  fs::create_directory_symlink("real", dir.path() / "root" / "alias");
  EXPECT_TRUE(IsWithin(dir.path() / "root", dir.path() / "root" / "alias" / "f"));
}

TEST(IsWithinTest, NonExistentPathInsideRootIsWithin) {
  TempDir dir = MakeTempDir();
  EXPECT_TRUE(IsWithin(dir.path(), dir.path() / "not" / "yet" / "created.txt"));
}

// ---- TempDir -----------------------------------------------------------------------------------

TEST(TempDirTest, CreatesDirectoryWithPrefix) {
  auto dir = TempDir::Create("my_prefix");
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  EXPECT_TRUE(fs::is_directory(dir->path()));
  EXPECT_TRUE(StartsWith(dir->path().filename().string(), "my_prefix-"));
}

TEST(TempDirTest, TwoTempDirsAreDistinct) {
  TempDir first = MakeTempDir();
  TempDir second = MakeTempDir();
  EXPECT_NE(first.path(), second.path());
}

TEST(TempDirTest, DestructionRemovesDirectoryWithContents) {
  fs::path path;
  {
    TempDir dir = MakeTempDir();
    path = dir.path();
    fs::create_directories(path / "sub" / "deeper");
    WriteBytes(path / "sub" / "deeper" / "f.txt", "x");
    WriteBytes(path / "top.txt", "y");
    ASSERT_TRUE(fs::exists(path / "sub" / "deeper" / "f.txt"));
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(TempDirTest, DestructionDoesNotFollowSymlinksOut) {
  TempDir outside = MakeTempDir();
  WriteBytes(outside.path() / "keep.txt", "keep");
  {
    TempDir dir = MakeTempDir();
    fs::create_directory_symlink(outside.path(), dir.path() / "link");
  }
  EXPECT_EQ(ReadAll(outside.path() / "keep.txt"), "keep");
}

TEST(TempDirTest, MoveConstructionTransfersOwnership) {
  fs::path path;
  {
    TempDir original = MakeTempDir();
    path = original.path();
    TempDir moved(std::move(original));
    EXPECT_EQ(moved.path(), path);
    EXPECT_TRUE(original.path().empty());  // NOLINT(bugprone-use-after-move)
    { TempDir sink(std::move(moved)); }
    EXPECT_FALSE(fs::exists(path));
  }
}

TEST(TempDirTest, MovedFromDestructionKeepsDirectory) {
  TempDir target = MakeTempDir();
  fs::path path = target.path();
  {
    TempDir source = MakeTempDir();
    fs::path source_path = source.path();
    target = std::move(source);
    EXPECT_EQ(target.path(), source_path);
  }
  // The old directory of `target` is removed on assignment; the moved one survives `source`.
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_directory(target.path()));
}

TEST(TempDirTest, SelfMoveAssignmentKeepsDirectory) {
  TempDir dir = MakeTempDir();
  fs::path path = dir.path();
  TempDir& alias = dir;
  dir = std::move(alias);
  EXPECT_EQ(dir.path(), path);
  EXPECT_TRUE(fs::is_directory(path));
}

TEST(TempDirTest, HonoursTmpdirEnvironment) {
  TempDir base = MakeTempDir();
  const char* old = std::getenv("TMPDIR");
  std::string saved = old != nullptr ? old : "";
  setenv("TMPDIR", base.path().c_str(), 1);
  auto dir = TempDir::Create("inner");
  if (old != nullptr) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  EXPECT_EQ(dir->path().parent_path(), base.path());
}

// ---- ExecutableDir -----------------------------------------------------------------------------

TEST(ExecutableDirTest, IsAnAbsoluteDirectoryHoldingThisExecutable) {
  auto dir = ExecutableDir();
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  EXPECT_TRUE(dir->is_absolute());
  EXPECT_TRUE(fs::is_directory(*dir));
  fs::path self = fs::read_symlink("/proc/self/exe");
  EXPECT_EQ(*dir / self.filename(), self);
}

// ---- Reading untrusted repositories --------------------------------------------------------------

TEST(CheckFileInsideTest, RegularFileAndLinksThatStayInside) {
  TempDir dir = MakeTempDir();
  fs::path repo = dir.path() / "repo";
  fs::create_directories(repo / "a");
  WriteBytes(repo / "a" / "x.txt", "x");
  fs::create_symlink("x.txt", repo / "a" / "link.txt");
  fs::create_directory_symlink("a", repo / "b");
  EXPECT_TRUE(CheckFileInside(repo, repo / "a" / "x.txt").ok());
  EXPECT_TRUE(CheckFileInside(repo, repo / "a" / "link.txt").ok());
  EXPECT_TRUE(CheckFileInside(repo, repo / "b" / "x.txt").ok());
  auto read = ReadFileInside(repo, repo / "b" / "link.txt", 10);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "x");
}

TEST(CheckFileInsideTest, LinksLeavingTheRepositoryAreRefusedWithoutReading) {
  TempDir dir = MakeTempDir();
  fs::path repo = dir.path() / "repo";
  fs::create_directories(repo / "deps");
  WriteBytes(dir.path() / "secret.txt", "root:x:0:0:secret");
  fs::create_symlink(dir.path() / "secret.txt", repo / "deps" / "notebook.ipynb");
  fs::create_symlink("../../secret.txt", repo / "deps" / "relative.ipynb");
  fs::create_directory_symlink(dir.path(), repo / "up");
  for (const fs::path& path : {repo / "deps" / "notebook.ipynb", repo / "deps" / "relative.ipynb",
                               repo / "up" / "secret.txt"}) {
    Status status = CheckFileInside(repo, path);
    ASSERT_FALSE(status.ok()) << path;
    EXPECT_NE(status.error().message().find("which leaves the repository; it was not read"),
              std::string::npos)
        << status.error().message();
    EXPECT_EQ(status.error().message().find("root:x"), std::string::npos);
    EXPECT_FALSE(ReadFileInside(repo, path, 1000).ok());
  }
  EXPECT_NE(CheckFileInside(repo, repo / "deps" / "relative.ipynb").error().message().find(
                "deps/relative.ipynb is a symbolic link to '../../secret.txt'"),
            std::string::npos);
  EXPECT_FALSE(CheckFileInside(repo, repo / ".." / "secret.txt").ok());
}

TEST(CheckFileInsideTest, FifoDirectoryAndMissingFileAreRefusedWithoutBlocking) {
  TempDir dir = MakeTempDir();
  fs::path repo = dir.path();
  ASSERT_EQ(mkfifo((repo / "fifo").c_str(), 0600), 0);
  fs::create_directory(repo / "dir");
  EXPECT_NE(CheckFileInside(repo, repo / "fifo").error().message().find("not a regular file"),
            std::string::npos);
  EXPECT_FALSE(ReadFile(repo / "fifo", 10).ok());  // O_NONBLOCK: no writer, no wait
  EXPECT_NE(CheckFileInside(repo, repo / "dir").error().message().find("a directory"),
            std::string::npos);
  EXPECT_NE(CheckFileInside(repo, repo / "gone").error().message().find("does not exist"),
            std::string::npos);
}

}  // namespace
}  // namespace zooci
