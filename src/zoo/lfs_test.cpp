// Git LFS pointer parsing (spec v1) and .gitattributes filter=lfs matching.
#include <fnmatch.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

const std::string kOid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

std::optional<LfsPointer> PointerFrom(const std::string& bytes) {
  auto dir = testing::ScratchDir("lfs_test");
  testing::WriteTestFile(dir->path() / "model.onnx", bytes);
  return ReadLfsPointer(dir->path() / "model.onnx");
}

std::string Pointer(const std::string& middle = "") {
  return "version https://git-lfs.github.com/spec/v1\n" + middle + "oid sha256:" + kOid +
         "\nsize 12345\n";
}

// ---- ReadLfsPointer ----------------------------------------------------------------------------

TEST(LfsPointerTest, ValidPointer) {
  auto pointer = PointerFrom(Pointer());
  ASSERT_TRUE(pointer.has_value());
  EXPECT_EQ(pointer->oid_sha256, kOid);
  EXPECT_EQ(pointer->size, 12345u);
}

TEST(LfsPointerTest, ExtraSortedKeysAreAllowed) {
  auto pointer = PointerFrom(Pointer("ext-0-foo sha256:abc\n"));
  ASSERT_TRUE(pointer.has_value());
  EXPECT_EQ(pointer->size, 12345u);
  EXPECT_TRUE(PointerFrom("version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid +
                          "\nsize 0\nx-extra value with spaces\n")
                  .has_value());
}

TEST(LfsPointerTest, InvalidPointers) {
  const std::string version = "version https://git-lfs.github.com/spec/v1\n";
  const std::string oid = "oid sha256:" + kOid + "\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"no trailing newline", version + oid + "size 1"},
      {"crlf",
       "version https://git-lfs.github.com/spec/v1\r\noid sha256:" + kOid + "\r\nsize 1\r\n"},
      {"wrong version", "version https://git-lfs.github.com/spec/v2\n" + oid + "size 1\n"},
      {"old hawser version", "version https://hawser.github.com/spec/v1\n" + oid + "size 1\n"},
      {"version not first", oid + version + "size 1\n"},
      {"unsorted", version + "size 1\n" + oid},
      {"duplicate key", version + oid + oid + "size 1\n"},
      {"missing size", version + oid},
      {"missing oid", version + "size 1\n"},
      {"short oid", version + "oid sha256:abc\nsize 1\n"},
      {"uppercase oid", version + "oid sha256:" + std::string(64, 'A') + "\nsize 1\n"},
      {"other hash", version + "oid sha1:" + kOid + "\nsize 1\n"},
      {"negative size", version + oid + "size -1\n"},
      {"size with sign", version + oid + "size +1\n"},
      {"size not a number", version + oid + "size 12k\n"},
      {"size overflow", version + oid + "size 99999999999999999999\n"},
      {"two spaces", version + "oid  sha256:" + kOid + "\nsize 1\n"},
      {"uppercase key", version + "Ext x\n" + oid + "size 1\n"},
      {"blank line", version + oid + "\nsize 1\n"},
      {"binary", std::string("\x08\x01\x12\x00\xff", 5)},
      {"model protobuf", std::string("\x08\x07\x12\x07pytorch", 11)},
  };
  for (const auto& [name, bytes] : cases) {
    EXPECT_FALSE(PointerFrom(bytes).has_value()) << name;
  }
}

TEST(LfsPointerTest, FilesOfOneKibOrMoreAreNotPointers) {
  std::string padded = Pointer("ext-0-pad " + std::string(1024, 'x') + "\n");
  EXPECT_FALSE(PointerFrom(padded).has_value());
  std::string just_under =
      Pointer("ext-0-pad " + std::string(1023 - Pointer("ext-0-pad \n").size(), 'x') + "\n");
  ASSERT_EQ(just_under.size(), 1023u);
  EXPECT_TRUE(PointerFrom(just_under).has_value());
  std::string exactly =
      Pointer("ext-0-pad " + std::string(1024 - Pointer("ext-0-pad \n").size(), 'x') + "\n");
  ASSERT_EQ(exactly.size(), 1024u);
  EXPECT_FALSE(PointerFrom(exactly).has_value());
}

TEST(LfsPointerTest, MissingFileAndDirectoryAreNotPointers) {
  auto dir = testing::ScratchDir("lfs_test");
  EXPECT_FALSE(ReadLfsPointer(dir->path() / "absent.onnx").has_value());
  EXPECT_FALSE(ReadLfsPointer(dir->path()).has_value());
}

// ---- CoveredByLfs ------------------------------------------------------------------------------

class GitAttributesTest : public ::testing::Test {
 protected:
  void Attributes(const std::string& dir, const std::string& text) {
    testing::WriteTestFile(root() / dir / ".gitattributes", text);
  }
  bool Covered(const std::string& path) { return CoveredByLfs(root(), path); }
  const fs::path& root() { return dir_->path(); }

 private:
  std::unique_ptr<TempDir> dir_ = testing::ScratchDir("lfs_test");
};

TEST_F(GitAttributesTest, NoAttributesFileCoversNothing) {
  EXPECT_FALSE(Covered("model.onnx"));
}

TEST_F(GitAttributesTest, BasenamePatternsMatchAtAnyDepth) {
  Attributes("",
             "# the zoo's rules\n*.onnx filter=lfs diff=lfs merge=lfs -text\n"
             "*.tar.gz filter=lfs diff=lfs merge=lfs -text\n");
  EXPECT_TRUE(Covered("model.onnx"));
  EXPECT_TRUE(Covered("validated/vision/classification/resnet/model/resnet50-v1-7.onnx"));
  EXPECT_TRUE(Covered("validated/vision/resnet/model/resnet50-v1-7.tar.gz"));
  EXPECT_FALSE(Covered("validated/vision/resnet/README.md"));
  EXPECT_FALSE(Covered("model.onnx.txt"));
  EXPECT_FALSE(Covered("dir.onnx/file"));  // the pattern names files, not their directories
}

TEST_F(GitAttributesTest, PatternsWithSlashAreAnchored) {
  Attributes("",
             "models/*.onnx filter=lfs\n/top.bin filter=lfs\ndeep/**/x.pb filter=lfs\n"
             "**/data/*.npz filter=lfs\nbig/** filter=lfs\n");
  EXPECT_TRUE(Covered("models/a.onnx"));
  EXPECT_FALSE(Covered("models/sub/a.onnx"));  // '*' does not cross '/'
  EXPECT_FALSE(Covered("other/models/a.onnx"));
  EXPECT_TRUE(Covered("top.bin"));
  EXPECT_FALSE(Covered("sub/top.bin"));
  EXPECT_TRUE(Covered("deep/x.pb"));
  EXPECT_TRUE(Covered("deep/a/b/x.pb"));
  EXPECT_TRUE(Covered("data/a.npz"));
  EXPECT_TRUE(Covered("a/b/data/a.npz"));
  EXPECT_TRUE(Covered("big/a"));
  EXPECT_TRUE(Covered("big/a/b/c"));
  EXPECT_FALSE(Covered("bigger/a"));
}

TEST_F(GitAttributesTest, LaterLinesOverrideAndUnset) {
  Attributes("",
             "*.onnx filter=lfs\nsmall.onnx -filter\nkeep.onnx !filter\n"
             "other.onnx filter=other\nback.onnx -filter\nback.onnx filter=lfs\n"
             "*.txt filter=lfs\nnotes.txt binary\n");
  EXPECT_TRUE(Covered("a.onnx"));
  EXPECT_FALSE(Covered("small.onnx"));
  EXPECT_FALSE(Covered("keep.onnx"));
  EXPECT_FALSE(Covered("other.onnx"));
  EXPECT_TRUE(Covered("back.onnx"));
  EXPECT_TRUE(Covered("notes.txt"));  // "binary" does not touch filter
}

TEST_F(GitAttributesTest, DeeperFilesOverrideTheRoot) {
  Attributes("", "*.onnx filter=lfs\n");
  Attributes("vision/small", "*.onnx -filter\ntiny/*.pb filter=lfs\n");
  EXPECT_TRUE(Covered("vision/a.onnx"));
  EXPECT_FALSE(Covered("vision/small/a.onnx"));
  EXPECT_FALSE(Covered("vision/small/deeper/a.onnx"));
  EXPECT_TRUE(Covered("vision/small/tiny/a.pb"));  // anchored to vision/small
  EXPECT_FALSE(Covered("tiny/a.pb"));
}

TEST_F(GitAttributesTest, GlobClassesQuestionMarksEscapesAndQuotes) {
  Attributes("",
             "model-[0-9].onnx filter=lfs\nv?.bin filter=lfs\n[!a]*.dat filter=lfs\n"
             "\"with space.onnx\" filter=lfs\nlit\\*.x filter=lfs\n");
  EXPECT_TRUE(Covered("model-7.onnx"));
  EXPECT_FALSE(Covered("model-x.onnx"));
  EXPECT_TRUE(Covered("v1.bin"));
  EXPECT_FALSE(Covered("v10.bin"));
  EXPECT_TRUE(Covered("b.dat"));
  EXPECT_FALSE(Covered("a.dat"));
  EXPECT_TRUE(Covered("with space.onnx"));
  EXPECT_TRUE(Covered("lit*.x"));
  EXPECT_FALSE(Covered("litX.x"));
}

TEST_F(GitAttributesTest, MacrosFromTheRootFile) {
  Attributes("", "[attr]lfs filter=lfs diff=lfs merge=lfs -text\n*.onnx lfs\n");
  EXPECT_TRUE(Covered("a/b.onnx"));
}

TEST_F(GitAttributesTest, IgnoredLines) {
  Attributes("", "!*.onnx filter=lfs\nmodels/ filter=lfs\n\n   \n# *.bin filter=lfs\n");
  EXPECT_FALSE(Covered("a.onnx"));
  EXPECT_FALSE(Covered("models/a.onnx"));  // directory patterns never match files inside
  EXPECT_FALSE(Covered("a.bin"));
}

TEST_F(GitAttributesTest, InfoAttributesOverrideEverything) {
  Attributes("", "*.onnx filter=lfs\n");
  testing::WriteTestFile(root() / ".git" / "info" / "attributes", "*.onnx -filter\n");
  EXPECT_FALSE(Covered("a.onnx"));
}

TEST_F(GitAttributesTest, PathsOutsideTheRepositoryAreNotCovered) {
  Attributes("", "* filter=lfs\n");
  EXPECT_TRUE(Covered("a/./b.onnx"));
  EXPECT_FALSE(Covered("../outside.onnx"));
  EXPECT_FALSE(Covered(""));
  EXPECT_TRUE(CoveredByLfs(root(), root() / "x.onnx"));  // absolute inside the root
  EXPECT_FALSE(CoveredByLfs(root(), "/elsewhere/x.onnx"));
}

TEST_F(GitAttributesTest, AgreesWithFnmatchPathnameForPatternsWithoutDoubleStar) {
  const std::vector<std::string> patterns = {"a/*.onnx", "a/?/b",    "a/[bc]*/d",
                                             "*/x",      "a/[!b]/c", "a/*b*c/d"};
  const std::vector<std::string> paths = {"a/m.onnx", "a/b/m.onnx", "a/x/b",   "a/xy/b", "a/bz/d",
                                          "a/c/d",    "q/x",        "q/r/x",   "a/a/c",  "a/b/c",
                                          "a/abc/d",  "a/bc/d",     "a/xbyc/d"};
  for (const std::string& pattern : patterns) {
    Attributes("", pattern + " filter=lfs\n");
    for (const std::string& path : paths) {
      bool expected = fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0;
      EXPECT_EQ(Covered(path), expected) << pattern << " vs " << path;
    }
  }
}

TEST_F(GitAttributesTest, HostilePatternsDoNotCrash) {
  Attributes("", std::string(5000, '*') +
                     "a filter=lfs\n[ filter=lfs\n[] filter=lfs\n"
                     "\"unterminated filter=lfs\n** filter=lfs\n[attr]loop loop\n*.x loop\n");
  EXPECT_TRUE(Covered(std::string(2000, 'b') + "/" + std::string(2000, 'a')));
  EXPECT_TRUE(Covered("z.x"));
}

}  // namespace
}  // namespace zooci
