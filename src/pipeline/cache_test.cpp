// The step cache: keys change with what a step reads (content, place in the repository,
// configuration), entries this version cannot read are misses, and file hashes notice an edit
// that keeps size and modification time.
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "pipeline/internal.h"
#include "testing/testing.h"

namespace zooci::pipeline_internal {
namespace {

using json = nlohmann::json;
using testing::ScratchDir;
using testing::WriteTestFile;

TEST(StepCacheTest, KeyFollowsContentPlaceAndConfiguration) {
  auto dir = ScratchDir("cache");
  fs::path root = dir->path() / "zoo";
  WriteTestFile(root / "a/model.onnx", "one");
  WriteTestFile(root / "b/model.onnx", "one");
  FileHasher hasher(dir->path() / "cache");
  StepCache cache(dir->path() / "cache", &hasher);
  auto key = [&](const fs::path& file, const std::string& config) {
    return cache.Key("check", "v1", config, {file}, root).value();
  };
  std::string base = key(root / "a/model.onnx", "x");
  EXPECT_EQ(base, key(root / "a/model.onnx", "x"));
  EXPECT_NE(base, key(root / "b/model.onnx", "x"));  // same bytes, another folder
  EXPECT_NE(base, key(root / "a/model.onnx", "y"));
  EXPECT_NE(base, cache.Key("check", "v2", "x", {root / "a/model.onnx"}, root).value());
  WriteTestFile(root / "a/model.onnx", "two");
  EXPECT_NE(base, key(root / "a/model.onnx", "x"));
  EXPECT_FALSE(cache.Key("check", "v1", "x", {root / "gone"}, root).has_value());
  EXPECT_FALSE(StepCache(fs::path(), &hasher).Key("check", "v1", "x", {}, root).has_value());
}

TEST(FileHasherTest, AnEditKeepingSizeAndModificationTimeIsSeen) {
  auto dir = ScratchDir("hasher");
  fs::path file = dir->path() / "model.onnx";
  WriteTestFile(file, "aaaa");
  struct stat before {};
  ASSERT_EQ(stat(file.c_str(), &before), 0);
  FileHasher first(dir->path() / "cache");
  std::string old_hash = first.Hash(file).value();
  WriteTestFile(file, "bbbb");
  timespec times[2] = {before.st_atim, before.st_mtim};  // restore the modification time
  ASSERT_EQ(utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
  FileHasher second(dir->path() / "cache");  // a later run, reading the stored hashes
  EXPECT_NE(second.Hash(file).value(), old_hash);
  EXPECT_EQ(second.Hash(file).value(), Sha256Hex("bbbb"));
}

TEST(StepCacheTest, EntriesThisVersionCannotReadAreMisses) {
  StepResult step;
  step.name = "test";
  step.status = StepStatus::kFail;
  step.reasons.push_back(MakeReason("test", "m", "f", 3, ReasonLevel::kUnverified));
  json entry = StepToJson(step);
  StepResult back = StepFromJson(entry);
  EXPECT_EQ(back.status, StepStatus::kFail);
  ASSERT_EQ(back.reasons.size(), 1u);
  EXPECT_EQ(back.reasons[0].level, ReasonLevel::kUnverified);
  EXPECT_EQ(back.reasons[0].line, 3);
  json unknown_status = entry;
  unknown_status["status"] = "passed-maybe";
  EXPECT_THROW(StepFromJson(unknown_status), json::exception);
  json unknown_level = entry;
  unknown_level["reasons"][0]["level"] = "fine";
  EXPECT_THROW(StepFromJson(unknown_level), json::exception);
  json old_format = entry;
  old_format["reasons"][0].erase("level");
  old_format["reasons"][0]["declines"] = false;
  EXPECT_THROW(StepFromJson(old_format), json::exception);

  auto dir = ScratchDir("entries");
  FileHasher hasher(dir->path());
  StepCache cache(dir->path(), &hasher);
  WriteTestFile(dir->path() / "k.json", unknown_status.dump());
  EXPECT_FALSE(cache.Load("k").has_value());
  cache.Store("k", step);
  ASSERT_TRUE(cache.Load("k").has_value());
  EXPECT_TRUE(cache.Load("k")->cached);
}

TEST(CachedTest, TransientResultsAreNotStoredAndMessagesAreRelative) {
  auto dir = ScratchDir("cached");
  fs::path root = dir->path() / "zoo";
  WriteTestFile(root / "m/model.onnx", "x");
  ModelFolder folder{root, "m", root / "m", {root / "m/model.onnx"}, {}};
  ValidateOptions options;
  options.cache_dir = dir->path() / "cache";
  FileHasher hasher(options.cache_dir);
  StepContext context;
  context.folder = &folder;
  context.options = &options;
  context.hasher = &hasher;
  int runs = 0;
  auto step = [&](bool transient) {
    return Cached(context, "s", "", {root / "m/model.onnx"}, [&] {
      ++runs;
      StepResult result;
      result.name = "s";
      result.transient = transient;
      result.reasons.push_back(MakeReason("s", (root / "m/model.onnx").string() + " is bad"));
      return result;
    });
  };
  StepResult first = step(true);
  step(true);
  EXPECT_EQ(runs, 2);  // a transient result is computed again
  EXPECT_EQ(first.reasons[0].message, "m/model.onnx is bad");
  step(false);
  StepResult cached = step(false);
  EXPECT_EQ(runs, 3);
  EXPECT_TRUE(cached.cached);
  EXPECT_EQ(cached.reasons[0].message, "m/model.onnx is bad");
  options.build_id = "zooci=another-build";  // same version number, rebuilt: a miss
  EXPECT_FALSE(step(false).cached);
  EXPECT_EQ(runs, 4);
  EXPECT_TRUE(step(false).cached);
}

}  // namespace
}  // namespace zooci::pipeline_internal
