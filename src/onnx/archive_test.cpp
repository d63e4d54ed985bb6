#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "onnx/onnx_io.h"

namespace zooci {
namespace {

// One entry of a test archive. `link_target` is the symlink target (type AE_IFLNK) or, when
// `hard_link` is set, the archive path the hard link names.
struct TestEntry {
  std::string path;
  std::string data;
  mode_t type = AE_IFREG;
  std::string link_target;
  bool hard_link = false;
  mode_t perm = 0644;
};

TestEntry File(std::string path, std::string data, mode_t perm = 0644) {
  return {std::move(path), std::move(data), AE_IFREG, "", false, perm};
}
TestEntry Dir(std::string path) {
  return {std::move(path), "", AE_IFDIR, "", false, 0755};
}
TestEntry Symlink(std::string path, std::string target) {
  return {std::move(path), "", AE_IFLNK, std::move(target), false, 0777};
}
TestEntry HardLink(std::string path, std::string target) {
  return {std::move(path), "", AE_IFREG, std::move(target), true, 0644};
}
TestEntry Special(std::string path, mode_t type) {
  return {std::move(path), "", type, "", false, 0644};
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

void WriteBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::set<std::string> ListDir(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& item : fs::directory_iterator(dir)) names.insert(item.path().filename());
  return names;
}

// Writes `entries` as a pax tar, gzip-compressed when `gzip`, with libarchive's write API (which
// stores paths as given, so hostile names reach the reader unchanged).
void WriteArchive(const fs::path& path, const std::vector<TestEntry>& entries, bool gzip = true) {
  struct archive* writer = archive_write_new();
  if (gzip) {
    ASSERT_EQ(archive_write_add_filter_gzip(writer), ARCHIVE_OK);
  }
  ASSERT_EQ(archive_write_set_format_pax_restricted(writer), ARCHIVE_OK);
  ASSERT_EQ(archive_write_open_filename(writer, path.c_str()), ARCHIVE_OK);
  for (const TestEntry& spec : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, spec.path.c_str());
    archive_entry_set_filetype(entry, spec.type);
    archive_entry_set_perm(entry, spec.perm);
    archive_entry_set_size(entry, static_cast<la_int64_t>(spec.data.size()));
    if (spec.hard_link) archive_entry_set_hardlink(entry, spec.link_target.c_str());
    if (spec.type == AE_IFLNK) archive_entry_set_symlink(entry, spec.link_target.c_str());
    if (spec.type == AE_IFCHR) archive_entry_set_rdev(entry, makedev(1, 3));
    EXPECT_EQ(archive_write_header(writer, entry), ARCHIVE_OK) << archive_error_string(writer);
    if (!spec.data.empty()) {
      EXPECT_EQ(archive_write_data(writer, spec.data.data(), spec.data.size()),
                static_cast<la_ssize_t>(spec.data.size()));
    }
    archive_entry_free(entry);
  }
  EXPECT_EQ(archive_write_close(writer), ARCHIVE_OK);
  archive_write_free(writer);
}

// Layout: root/{sentinel.txt, in/, dest/}. After every test, root holds exactly those three and
// the sentinel is unchanged: nothing was written beside dest.
class ArchiveTest : public ::testing::Test {
 protected:
  static constexpr char kSentinel[] = "sentinel contents\n";

  void SetUp() override {
    Result<TempDir> temp = TempDir::Create("archive_test");
    ASSERT_TRUE(temp.ok()) << temp.error().message();
    root_.emplace(std::move(temp).value());
    fs::create_directory(root() / "in");
    fs::create_directory(dest());
    WriteBytes(root() / "sentinel.txt", kSentinel);
  }

  void TearDown() override {
    if (!root_) return;
    EXPECT_EQ(ListDir(root()), (std::set<std::string>{"dest", "in", "sentinel.txt"}));
    EXPECT_EQ(ReadAll(root() / "sentinel.txt"), kSentinel);
  }

  const fs::path& root() const { return root_->path(); }
  fs::path dest() const { return root() / "dest"; }

  Status Extract(const std::vector<TestEntry>& entries, const ExtractLimits& limits = {}) {
    fs::path archive = root() / "in" / "model.tar.gz";
    WriteArchive(archive, entries);
    return ExtractArchive(archive, dest(), limits);
  }

  // Extracts `entries`, expecting an error that names `entry` and contains `reason`.
  void ExpectRejected(const std::vector<TestEntry>& entries, const std::string& entry,
                      const std::string& reason, const ExtractLimits& limits = {}) {
    Status status = Extract(entries, limits);
    ASSERT_FALSE(status.ok()) << "entry '" << entry << "' was accepted";
    EXPECT_NE(status.error().message().find("entry '" + entry + "'"), std::string::npos)
        << status.error().message();
    EXPECT_NE(status.error().message().find(reason), std::string::npos) << status.error().message();
    EXPECT_NE(status.error().message().find("model.tar.gz"), std::string::npos)
        << status.error().message();
  }

  std::optional<TempDir> root_;
};

TEST_F(ArchiveTest, ModelZooArchiveExtractsWithExactContents) {
  std::string model(100000, '\0');
  for (size_t i = 0; i < model.size(); ++i) model[i] = static_cast<char>(i * 7919 % 251);
  ASSERT_TRUE(Extract({Dir("resnet18/"), File("resnet18/model.onnx", model),
                       Dir("resnet18/test_data_set_0/"),
                       File("resnet18/test_data_set_0/input_0.pb", "input bytes"),
                       File("resnet18/test_data_set_0/output_0.pb", "")})
                  .ok());
  EXPECT_EQ(ReadAll(dest() / "resnet18/model.onnx"), model);
  EXPECT_EQ(ReadAll(dest() / "resnet18/test_data_set_0/input_0.pb"), "input bytes");
  EXPECT_TRUE(fs::is_regular_file(dest() / "resnet18/test_data_set_0/output_0.pb"));
  EXPECT_EQ(ListDir(dest()), (std::set<std::string>{"resnet18"}));
}

TEST_F(ArchiveTest, FilesWithoutDirectoryEntriesAndDotPrefixExtract) {
  ASSERT_TRUE(Extract({Dir("./"), File("./a/b/c.pb", "c"), File("a//d.pb", "d")}).ok());
  EXPECT_EQ(ReadAll(dest() / "a/b/c.pb"), "c");
  EXPECT_EQ(ReadAll(dest() / "a/d.pb"), "d");
}

TEST_F(ArchiveTest, PlainTarExtracts) {
  fs::path archive = root() / "in" / "model.tar";
  WriteArchive(archive, {File("m/model.onnx", "onnx")}, /*gzip=*/false);
  ASSERT_TRUE(ExtractArchive(archive, dest()).ok());
  EXPECT_EQ(ReadAll(dest() / "m/model.onnx"), "onnx");
}

TEST_F(ArchiveTest, PermissionsAreLimitedToRwxrXrX) {
  ASSERT_TRUE(Extract({File("run.sh", "#!/bin/sh\n", 06777), File("data.pb", "x", 0666)}).ok());
  EXPECT_EQ(fs::status(dest() / "run.sh").permissions() & ~fs::perms::group_write, fs::perms(0755));
  EXPECT_EQ(fs::status(dest() / "data.pb").permissions(), fs::perms(0644));
}

TEST_F(ArchiveTest, ParentComponentIsRejected) {
  ExpectRejected({File("../x", "evil")}, "../x", "'..' component");
}

TEST_F(ArchiveTest, ParentComponentInsideThePathIsRejected) {
  ExpectRejected({File("a/../../x", "evil")}, "a/../../x", "'..' component");
}

TEST_F(ArchiveTest, AbsolutePathIsRejected) {
  ExpectRejected({File("/etc/passwd", "evil")}, "/etc/passwd", "absolute path");
}

TEST_F(ArchiveTest, SymlinkToAbsolutePathIsRejected) {
  ExpectRejected({Symlink("passwd", "/etc/passwd")}, "passwd", "is absolute");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dest() / "passwd")));
}

TEST_F(ArchiveTest, SymlinkLeavingTheDestinationIsRejected) {
  ExpectRejected({Symlink("a", "../../x")}, "a", "leaves the destination");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dest() / "a")));
}

TEST_F(ArchiveTest, SymlinkClimbingAboveItsDirectoryButInsideIsAllowed) {
  ASSERT_TRUE(Extract({File("shared/w.bin", "w"), Symlink("m/w.bin", "../shared/w.bin")}).ok());
  EXPECT_EQ(ReadAll(dest() / "m/w.bin"), "w");
}

TEST_F(ArchiveTest, SymlinkInsideTheDestinationIsCreated) {
  ASSERT_TRUE(Extract({File("sub/file", "data"), Symlink("ok", "sub/file")}).ok());
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dest() / "ok")));
  EXPECT_EQ(fs::read_symlink(dest() / "ok"), "sub/file");
  EXPECT_EQ(ReadAll(dest() / "ok"), "data");
}

TEST_F(ArchiveTest, EntryThroughASymlinkedDirectoryIsNotFollowed) {
  ExpectRejected({Dir("sub/"), Symlink("link", "sub"), File("link/file", "data")}, "link/file",
                 "symlink or not a directory");
  EXPECT_FALSE(fs::exists(dest() / "sub/file"));
}

TEST_F(ArchiveTest, DirectoryEntryOverASymlinkIsRejected) {
  ExpectRejected({Dir("sub/"), Symlink("link", "sub"), Dir("link/inner/")}, "link/inner/",
                 "symlink or not a directory");
  EXPECT_FALSE(fs::exists(dest() / "sub/inner"));
}

TEST_F(ArchiveTest, FileOverAnExistingSymlinkIsRejected) {
  ExpectRejected({File("sub/file", "old"), Symlink("link", "sub/file"), File("link", "new")},
                 "link", "duplicate entry");
  EXPECT_EQ(ReadAll(dest() / "sub/file"), "old");
}

// Each link checks out lexically on its own; together "y" resolves to dest's parent.
TEST_F(ArchiveTest, SymlinkChainLeavingTheDestinationIsRejected) {
  ExpectRejected({Dir("d/"), Symlink("d/x", ".."), Symlink("y", "d/x/..")}, "y",
                 "leaves the destination");
}

TEST_F(ArchiveTest, SymlinkChainCompletedByALaterEntryIsRejected) {
  ExpectRejected({Symlink("y", "d/x/.."), Dir("d/"), Symlink("d/x", "..")}, "y",
                 "leaves the destination");
}

TEST_F(ArchiveTest, SymlinkLoopIsRejected) {
  ExpectRejected({Symlink("a", "b"), Symlink("b", "a")}, "a", "loops");
}

TEST_F(ArchiveTest, DuplicateEntryIsRejected) {
  ExpectRejected({File("m/model.onnx", "one"), File("m/model.onnx", "two")}, "m/model.onnx",
                 "duplicate entry");
  EXPECT_EQ(ReadAll(dest() / "m/model.onnx"), "one");
}

TEST_F(ArchiveTest, HardLinkIsExtractedAsACopy) {
  ASSERT_TRUE(
      Extract({File("a/model.onnx", "weights"), HardLink("b/model.onnx", "a/model.onnx")}).ok());
  EXPECT_EQ(ReadAll(dest() / "b/model.onnx"), "weights");
  EXPECT_FALSE(fs::equivalent(dest() / "a/model.onnx", dest() / "b/model.onnx"));
}

TEST_F(ArchiveTest, HardLinkWithParentComponentIsRejected) {
  ExpectRejected({HardLink("h", "../sentinel.txt")}, "h", "'..' component");
  EXPECT_FALSE(fs::exists(dest() / "h"));
}

TEST_F(ArchiveTest, HardLinkToAbsolutePathIsRejected) {
  ExpectRejected({HardLink("h", "/etc/passwd")}, "h", "absolute path");
  EXPECT_FALSE(fs::exists(dest() / "h"));
}

TEST_F(ArchiveTest, HardLinkToASymlinkIsRejected) {
  ExpectRejected({File("sub/file", "data"), Symlink("link", "sub/file"), HardLink("h", "link")},
                 "h", "not an extracted regular file");
}

TEST_F(ArchiveTest, HardLinkThroughASymlinkedDirectoryIsRejected) {
  ExpectRejected({File("sub/file", "data"), Symlink("link", "sub"), HardLink("h", "link/file")},
                 "h", "symlink or not a directory");
}

TEST_F(ArchiveTest, CharacterDeviceIsRejected) {
  ExpectRejected({Special("null", AE_IFCHR)}, "null", "character device");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dest() / "null")));
}

TEST_F(ArchiveTest, BlockDeviceIsRejected) {
  ExpectRejected({Special("sda", AE_IFBLK)}, "sda", "block device");
}

TEST_F(ArchiveTest, FifoIsRejected) {
  ExpectRejected({Special("pipe", AE_IFIFO)}, "pipe", "FIFO");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dest() / "pipe")));
}

TEST_F(ArchiveTest, EmptyNameIsRejected) {
  ExpectRejected({File("", "x")}, "", "empty name");
}

TEST_F(ArchiveTest, DotAsAFileNameIsRejected) {
  ExpectRejected({File(".", "x")}, ".", "empty name");
}

TEST_F(ArchiveTest, FileOverTheSizeLimitIsRejectedBeforeWriting) {
  ExpectRejected({File("big.bin", std::string(2000, 'x'))}, "big.bin", "limit of 1000 bytes",
                 {.max_total_bytes = 1000});
  EXPECT_FALSE(fs::exists(dest() / "big.bin"));
}

TEST_F(ArchiveTest, SizeLimitCountsTheRunningTotal) {
  ExpectRejected({File("a.bin", std::string(600, 'a')), File("b.bin", std::string(600, 'b'))},
                 "b.bin", "limit of 1000 bytes", {.max_total_bytes = 1000});
}

TEST_F(ArchiveTest, SizeLimitCountsHardLinkCopies) {
  ExpectRejected({File("a.bin", std::string(600, 'a')), HardLink("b.bin", "a.bin")}, "b.bin",
                 "limit of 1000 bytes", {.max_total_bytes = 1000});
}

TEST_F(ArchiveTest, ExactlyTheLimitsAreAccepted) {
  ASSERT_TRUE(Extract({Dir("d/"), File("d/a.bin", std::string(1000, 'a'))},
                      {.max_total_bytes = 1000, .max_entries = 2})
                  .ok());
}

// An archive bomb is refused while streaming: at most the grace (plus one block) is written.
TEST_F(ArchiveTest, ArchiveBombIsRefusedWhileStreaming) {
  const size_t zeros_bytes = size_t{48} << 20;
  ExtractLimits limits{.max_ratio = 100, .ratio_grace_bytes = size_t{1} << 20};
  Status status = Extract({File("model/zeros.pb", std::string(zeros_bytes, '\0'))}, limits);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("compression ratio over 100:1"), std::string::npos)
      << status.error().message();
  EXPECT_NE(status.error().message().find("entry 'model/zeros.pb'"), std::string::npos);
  ASSERT_TRUE(fs::exists(dest() / "model/zeros.pb"));
  EXPECT_LE(fs::file_size(dest() / "model/zeros.pb"), (size_t{1} << 20) + (size_t{64} << 10));
}

// The default limits stop the same bomb after 64 MiB, long before the 8 GiB total.
TEST_F(ArchiveTest, DefaultLimitsStopABombAtTheGrace) {
  Status status = Extract({File("zeros.bin", std::string(size_t{80} << 20, '\0'))});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("archive bomb"), std::string::npos);
  EXPECT_LE(fs::file_size(dest() / "zeros.bin"), (size_t{64} << 20) + (size_t{64} << 10));
}

// Incompressible data far over the grace is fine: the ratio only stops what compresses too well.
TEST_F(ArchiveTest, IncompressibleDataOverTheGraceIsAccepted) {
  std::mt19937_64 random(7);
  std::string noise(size_t{3} << 20, '\0');
  for (char& byte : noise) byte = static_cast<char>(random());
  ASSERT_TRUE(
      Extract({File("weights.bin", noise)}, {.max_ratio = 2, .ratio_grace_bytes = 1 << 20}).ok());
  EXPECT_EQ(fs::file_size(dest() / "weights.bin"), noise.size());
}

TEST_F(ArchiveTest, TooManyEntriesAreRejected) {
  ExpectRejected({File("a", "1"), File("b", "2"), File("c", "3")}, "c", "more than 2 entries",
                 {.max_entries = 2});
  EXPECT_FALSE(fs::exists(dest() / "c"));
}

TEST_F(ArchiveTest, TruncatedArchiveIsAnError) {
  std::mt19937 random(42);
  std::string noise(300000, '\0');
  for (char& byte : noise) byte = static_cast<char>(random());
  fs::path archive = root() / "in" / "model.tar.gz";
  WriteArchive(archive, {File("m/model.onnx", noise), File("m/input_0.pb", noise)});
  std::string bytes = ReadAll(archive);
  WriteBytes(archive, bytes.substr(0, bytes.size() / 2));

  Status status = ExtractArchive(archive, dest());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("extract " + archive.string()), std::string::npos)
      << status.error().message();
  EXPECT_NE(status.error().message().find("runcated"), std::string::npos)
      << status.error().message();
}

TEST_F(ArchiveTest, RandomBytesAreAnError) {
  std::mt19937 random(7);
  std::string noise(4096, '\0');
  for (char& byte : noise) byte = static_cast<char>(random());
  fs::path archive = root() / "in" / "model.tar.gz";
  WriteBytes(archive, noise);

  Status status = ExtractArchive(archive, dest());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("extract " + archive.string() + ": "), std::string::npos)
      << status.error().message();
  EXPECT_TRUE(ListDir(dest()).empty());
}

TEST_F(ArchiveTest, EmptyFileIsAnError) {
  fs::path archive = root() / "in" / "model.tar.gz";
  WriteBytes(archive, "");
  Status status = ExtractArchive(archive, dest());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("Unrecognized archive format"), std::string::npos)
      << status.error().message();
}

size_t OpenFdCount() {
  return static_cast<size_t>(std::distance(fs::directory_iterator("/proc/self/fd"), {}));
}

TEST_F(ArchiveTest, NoFileDescriptorLeaksOnSuccessOrError) {
  const size_t before = OpenFdCount();
  EXPECT_TRUE(Extract({File("a/b/c", "data"), Symlink("l", "a/b/c"), HardLink("h", "a/b/c")}).ok());
  fs::remove_all(dest());
  fs::create_directory(dest());
  EXPECT_FALSE(Extract({File("a/b/c", "data"), Symlink("l", "a"), File("l/x", "y")}).ok());
  fs::remove_all(dest());
  fs::create_directory(dest());
  EXPECT_FALSE(Extract({File("a/b/c", std::string(5000, 'x'))}, {.max_total_bytes = 100}).ok());
  EXPECT_EQ(OpenFdCount(), before);
}

TEST_F(ArchiveTest, MissingArchiveIsAnError) {
  Status status = ExtractArchive(root() / "in" / "missing.tar.gz", dest());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("missing.tar.gz"), std::string::npos)
      << status.error().message();
}

TEST_F(ArchiveTest, DestinationMustBeAnExistingDirectory) {
  fs::path archive = root() / "in" / "model.tar.gz";
  WriteArchive(archive, {File("a", "1")});
  Status missing = ExtractArchive(archive, dest() / "missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("destination"), std::string::npos);
  Status file = ExtractArchive(archive, root() / "sentinel.txt");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message().find("destination"), std::string::npos);
}

// The zoo's layout: one folder with the model and its test data, plus macOS's AppleDouble files.
TEST_F(ArchiveTest, FindArchivedModelFindsTheOneModel) {
  ASSERT_TRUE(Extract({File("resnet50/model.onnx", "m"), File("resnet50/._model.onnx", "x"),
                       File("resnet50/test_data_set_0/input_0.pb", "i"), Dir("resnet50/empty")})
                  .ok());
  Result<fs::path> model = FindArchivedModel(dest());
  ASSERT_TRUE(model.ok()) << model.error().message();
  EXPECT_EQ(*model, dest() / "resnet50" / "model.onnx");
}

TEST_F(ArchiveTest, FindArchivedModelNeedsExactlyOneModel) {
  ASSERT_TRUE(Extract({File("m/test_data_set_0/input_0.pb", "i")}).ok());
  Result<fs::path> none = FindArchivedModel(dest());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(),
            "find the model in " + dest().string() + ": the archive holds no .onnx model");

  fs::remove_all(dest());
  fs::create_directory(dest());
  ASSERT_TRUE(Extract({File("m/b.onnx", "1"), File("m/a.onnx", "2")}).ok());
  Result<fs::path> two = FindArchivedModel(dest());
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().message(), "find the model in " + dest().string() +
                                       ": the archive holds 2 .onnx models, the zoo expects one: "
                                       "m/a.onnx, m/b.onnx");
}

}  // namespace
}  // namespace zooci
