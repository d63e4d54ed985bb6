// Planning a manifest rewrite (PlanManifest, WriteManifest) on small zoos built in a scratch
// directory, and DigestZooFile. Regression: `zooci manifest --write` on the real zoo (a clone
// without Git LFS content) wrote "[]" over the 184-entry manifest, because every model file was an
// LFS pointer and the rewrite only kept entries it could recompute from model bytes.
#include <set>

#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

constexpr char kAttributes[] =
    "*.onnx filter=lfs diff=lfs merge=lfs -text\n*.tar.gz filter=lfs diff=lfs merge=lfs -text\n";
constexpr char kFolder[] = "validated/vision/classification/net";
constexpr char kModelPath[] = "validated/vision/classification/net/model/net-13.onnx";
constexpr char kArchivePath[] = "validated/vision/classification/net/model/net-13.tar.gz";
const std::string kOldSha(64, 'a');
const std::string kArchiveSha(64, 'c');

std::string Pointer(const std::string& oid, uint64_t size) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize " +
         std::to_string(size) + "\n";
}

// A zoo with one model folder whose README table has one row (Net-1, ONNX 1.9.0, opset 13, model
// and archive), an .gitattributes routing models through Git LFS, and an archive pointer.
class PlanManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir("manifest_plan_test");
    root_ = dir_->path();
    testing::WriteTestFile(root_ / ".gitattributes", kAttributes);
    WriteReadme("|Net-1|[1 MB](model/net-13.onnx)|[1 MB](model/net-13.tar.gz)|1.9.0|13|\n");
    testing::WriteTestFile(root_ / kArchivePath, Pointer(kArchiveSha, 2000));
  }

  void WriteReadme(const std::string& rows) {
    testing::WriteTestFile(
        root_ / kFolder / "README.md",
        "# Net\n\n|Model|Download|Download (with sample test data)|ONNX version|Opset version|\n"
        "|---|---|---|---|---|\n" +
            rows);
  }

  // The manifest entry for the row, as the generator wrote it: its own tags (no "validated"),
  // io_ports from ONNX Runtime, extra_ports, and a key zooci does not model.
  static std::string EntryJson(const std::string& model_path, const std::string& sha,
                               uint64_t bytes) {
    return R"({"model": "Net-1", "model_path": ")" + model_path +
           R"(", "onnx_version": "1.9", "opset_version": 13, "metadata": {"model_sha": ")" + sha +
           R"(", "model_bytes": )" + std::to_string(bytes) +
           R"json(, "tags": ["vision", "classification", "net"], "io_ports": {"inputs": [{"name":
           "data", "shape": ["N", 3], "type": "tensor(float)"}], "outputs": [{"name": "prob",
           "shape": ["N", 3], "type": "tensor(float)"}]}, "extra_ports": {"features": [{"name":
           "pool", "shape": [1, 3]}]}, "model_with_data_path": ")json" +
           kArchivePath + R"(", "model_with_data_sha": ")" + kArchiveSha +
           R"(", "model_with_data_bytes": 2000, "license": "MIT"}})";
  }

  // Writes the manifest (as Python's json.dumps(indent=4) would) and reads it back.
  std::vector<ManifestEntry> WriteManifestFile(const std::vector<std::string>& entries) {
    std::string json = "[";
    for (size_t index = 0; index < entries.size(); ++index) {
      json += (index > 0 ? "," : "") + entries[index];
    }
    auto parsed = ReadManifestText(json + "]");
    manifest_text_ = WriteManifestJson(parsed);
    testing::WriteTestFile(ManifestPath(), manifest_text_);
    auto read = ReadManifest(ManifestPath());
    EXPECT_TRUE(read.ok()) << read.error().message();
    return read.ok() ? *read : std::vector<ManifestEntry>{};
  }

  std::vector<ManifestEntry> ReadManifestText(const std::string& json) {
    testing::WriteTestFile(root_ / "input.json", json);
    auto read = ReadManifest(root_ / "input.json");
    EXPECT_TRUE(read.ok()) << read.error().message();
    return read.ok() ? *read : std::vector<ManifestEntry>{};
  }

  ManifestPlan Plan(const std::vector<ManifestEntry>& on_disk) {
    auto plan = PlanManifest(root_, on_disk);
    EXPECT_TRUE(plan.ok()) << plan.error().message();
    return plan.ok() ? *plan : ManifestPlan{};
  }

  fs::path ManifestPath() const { return root_ / "ONNX_HUB_MANIFEST.json"; }

  std::unique_ptr<TempDir> dir_;
  fs::path root_;
  std::string manifest_text_;
};

bool Mentions(const std::vector<std::string>& lines, const std::string& part) {
  for (const std::string& line : lines) {
    if (line.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST_F(PlanManifestTest, PointerMatchingTheEntryIsUpToDateAndWritesByteIdentical) {
  testing::WriteTestFile(root_ / kModelPath, Pointer(kOldSha, 1000));
  auto on_disk = WriteManifestFile({EntryJson(kModelPath, kOldSha, 1000)});
  ManifestPlan plan = Plan(on_disk);
  EXPECT_TRUE(plan.changes.empty()) << plan.changes[0].details[0];
  EXPECT_TRUE(plan.warnings.empty()) << plan.warnings[0];
  ASSERT_EQ(plan.entries.size(), 1u);
  // "1.9" vs the README's "1.9.0", the tags without "validated", io_ports that are not what
  // zooci would read, extra_ports and the unknown "license" key all survive untouched.
  EXPECT_EQ(WriteManifestJson(plan.entries), manifest_text_);
  EXPECT_NE(manifest_text_.find("\"license\": \"MIT\""), std::string::npos);
}

TEST_F(PlanManifestTest, ChangedPointerUpdatesShaAndDropsWhatItCannotRecompute) {
  const std::string new_sha(64, 'b');
  testing::WriteTestFile(root_ / kModelPath, Pointer(new_sha, 1234));
  ManifestPlan plan = Plan(WriteManifestFile({EntryJson(kModelPath, kOldSha, 1000)}));
  ASSERT_EQ(plan.changes.size(), 1u);
  const ManifestChange& change = plan.changes[0];
  EXPECT_EQ(change.kind, ManifestChange::Kind::kUpdated);
  EXPECT_FALSE(change.removes);
  EXPECT_EQ(change.readme_row, std::string(kFolder) + "/README.md:5");
  EXPECT_TRUE(Mentions(change.details, "model_sha/model_bytes: the Git LFS pointer has " + new_sha +
                                           " (1234 bytes)"));
  EXPECT_TRUE(Mentions(change.details, "io_ports: dropped"));
  EXPECT_TRUE(Mentions(change.details, "extra_ports: dropped"));
  EXPECT_TRUE(Mentions(plan.warnings, std::string(kModelPath) + ": io_ports dropped"));
  EXPECT_TRUE(Mentions(plan.warnings, "git lfs pull --include=" + std::string(kModelPath)));
  ASSERT_EQ(plan.entries.size(), 1u);
  const ManifestEntry& entry = plan.entries[0];
  EXPECT_EQ(entry.model_sha, new_sha);
  EXPECT_EQ(entry.model_bytes, 1234u);
  EXPECT_FALSE(entry.has_io_ports);
  EXPECT_EQ(entry.extra_ports_json, "");
  EXPECT_EQ(entry.tags, (std::vector<std::string>{"vision", "classification", "net"}));
  EXPECT_EQ(entry.onnx_version, "1.9");
  std::string written = WriteManifestJson(plan.entries);
  EXPECT_EQ(written.find("io_ports"), std::string::npos);
  EXPECT_NE(written.find("\"license\": \"MIT\""), std::string::npos);
}

TEST_F(PlanManifestTest, UnchangedModelContentKeepsIoPortsExtraPortsAndTagsVerbatim) {
  std::string model = testing::IdentityModel();
  testing::WriteTestFile(root_ / kModelPath, model);
  // The entry's io_ports ("data"/"prob") are not the model's ("x"/"y"): while the SHA-256 is the
  // one the generator hashed, its ONNX Runtime reading stands.
  ManifestPlan plan =
      Plan(WriteManifestFile({EntryJson(kModelPath, Sha256Hex(model), model.size())}));
  EXPECT_TRUE(plan.changes.empty()) << plan.changes[0].details[0];
  EXPECT_EQ(WriteManifestJson(plan.entries), manifest_text_);
}

TEST_F(PlanManifestTest, ChangedModelContentRecomputesIoPorts) {
  std::string model = testing::IdentityModel();
  testing::WriteTestFile(root_ / kModelPath, model);
  ManifestPlan plan = Plan(WriteManifestFile({EntryJson(kModelPath, kOldSha, 1000)}));
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_TRUE(Mentions(plan.changes[0].details, "io_ports: recomputed from the changed model"));
  ASSERT_EQ(plan.entries.size(), 1u);
  const ManifestEntry& entry = plan.entries[0];
  EXPECT_EQ(entry.model_sha, Sha256Hex(model));
  EXPECT_EQ(entry.model_bytes, model.size());
  ASSERT_TRUE(entry.has_io_ports);
  ASSERT_EQ(entry.inputs.size(), 1u);
  EXPECT_EQ(entry.inputs[0].name, "x");
  EXPECT_EQ(entry.inputs[0].shape, (std::vector<std::string>{"\"N\"", "3"}));
  EXPECT_EQ(entry.inputs[0].type, "tensor(float)");
  ASSERT_EQ(entry.outputs.size(), 1u);
  EXPECT_EQ(entry.outputs[0].name, "y");
  EXPECT_EQ(entry.tags, (std::vector<std::string>{"vision", "classification", "net"}));
  EXPECT_EQ(entry.extra_ports_json, "");  // it described the previous model
  EXPECT_TRUE(Mentions(plan.warnings, std::string(kModelPath) + ": extra_ports dropped"));
}

TEST_F(PlanManifestTest, ReadmeFieldsUpdateOnlyWhenTheyReallyDiffer) {
  testing::WriteTestFile(root_ / kModelPath, Pointer(kOldSha, 1000));
  WriteReadme("|**Net-2**|[1 MB](model/net-13.onnx)|[1 MB](model/net-13.tar.gz)|1.10|14|\n");
  ManifestPlan plan = Plan(WriteManifestFile({EntryJson(kModelPath, kOldSha, 1000)}));
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].details,
            (std::vector<std::string>{"model: \"Net-1\" -> \"Net-2\" (README)",
                                      "onnx_version: \"1.9\" -> \"1.10\" (README)",
                                      "opset_version: 13 -> 14 (README)"}));
  ASSERT_EQ(plan.entries.size(), 1u);
  EXPECT_TRUE(plan.entries[0].has_io_ports);  // the model itself did not change
  std::string written = WriteManifestJson(plan.entries);
  EXPECT_NE(written.find("\"opset_version\": 14"), std::string::npos);
  EXPECT_NE(written.find("\"extra_ports\""), std::string::npos);
}

TEST_F(PlanManifestTest, RemovalsAreRefusedUnlessAllowed) {
  testing::WriteTestFile(root_ / kModelPath, Pointer(kOldSha, 1000));
  const std::string gone = "validated/vision/classification/gone/model/gone-7.onnx";
  auto on_disk = WriteManifestFile(
      {EntryJson(kModelPath, kOldSha, 1000), EntryJson(gone, std::string(64, 'd'), 5)});
  ManifestPlan plan = Plan(on_disk);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].kind, ManifestChange::Kind::kRemoved);
  EXPECT_EQ(plan.changes[0].model_path, gone);
  EXPECT_TRUE(plan.changes[0].removes);
  EXPECT_TRUE(plan.removes());
  EXPECT_EQ(plan.changes[0].details,
            (std::vector<std::string>{"its model file and README model-table row are gone"}));

  Status refused = WriteManifest(ManifestPath(), plan, /*allow_remove=*/false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find(gone), std::string::npos);
  auto untouched = ReadFile(ManifestPath());
  ASSERT_TRUE(untouched.ok());
  EXPECT_EQ(*untouched, manifest_text_);

  ASSERT_TRUE(WriteManifest(ManifestPath(), plan, /*allow_remove=*/true).ok());
  auto after = ReadManifest(ManifestPath());
  ASSERT_TRUE(after.ok()) << after.error().message();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].model_path, kModelPath);
}

TEST_F(PlanManifestTest, RowWithoutFileAndFileWithoutRowAreRemovals) {
  const std::string other = std::string(kFolder) + "/model/net-7.onnx";
  testing::WriteTestFile(root_ / other, Pointer(kOldSha, 1000));  // no README row
  ManifestPlan plan = Plan(WriteManifestFile(
      {EntryJson(kModelPath, kOldSha, 1000), EntryJson(other, kOldSha, 1000)}));  // no net-13
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_EQ(plan.changes[0].model_path, kModelPath);
  EXPECT_EQ(plan.changes[0].details,
            (std::vector<std::string>{"its model file is gone (the README row still links it)"}));
  EXPECT_EQ(plan.changes[1].model_path, other);
  EXPECT_EQ(plan.changes[1].details,
            (std::vector<std::string>{"no README model table links it (the file is still there)"}));
  EXPECT_TRUE(plan.entries.empty());
}

TEST_F(PlanManifestTest, NewRowIsAddedFromTheModelButNotFromAPointer) {
  testing::WriteTestFile(root_ / kModelPath, Pointer(kOldSha, 1000));
  ManifestPlan pointer_plan = Plan({});
  ASSERT_EQ(pointer_plan.changes.size(), 1u);
  EXPECT_EQ(pointer_plan.changes[0].kind, ManifestChange::Kind::kAdded);
  EXPECT_NE(pointer_plan.changes[0].not_applied.find("Git LFS pointer"), std::string::npos);
  EXPECT_TRUE(pointer_plan.entries.empty());
  EXPECT_FALSE(pointer_plan.removes());

  std::string model = testing::IdentityModel();
  testing::WriteTestFile(root_ / kModelPath, model);
  ManifestPlan plan = Plan({});
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].not_applied, "");
  ASSERT_EQ(plan.entries.size(), 1u);
  const ManifestEntry& entry = plan.entries[0];
  EXPECT_EQ(entry.model, "Net-1");
  EXPECT_EQ(entry.onnx_version, "1.9.0");
  EXPECT_EQ(entry.opset_version, 13);
  EXPECT_EQ(entry.model_sha, Sha256Hex(model));
  EXPECT_EQ(entry.tags, (std::vector<std::string>{"vision", "classification", "net"}));
  EXPECT_TRUE(entry.has_io_ports);
  EXPECT_EQ(entry.model_with_data_path, kArchivePath);
  EXPECT_EQ(entry.model_with_data_sha, kArchiveSha);
  EXPECT_EQ(entry.model_with_data_bytes, 2000u);
}

TEST_F(PlanManifestTest, ArchiveGoneIsARemoval) {
  testing::WriteTestFile(root_ / kModelPath, Pointer(kOldSha, 1000));
  fs::remove(root_ / kArchivePath);
  ManifestPlan plan = Plan(WriteManifestFile({EntryJson(kModelPath, kOldSha, 1000)}));
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].kind, ManifestChange::Kind::kUpdated);
  EXPECT_TRUE(plan.changes[0].removes);
  EXPECT_FALSE(WriteManifest(ManifestPath(), plan, /*allow_remove=*/false).ok());
}

TEST_F(PlanManifestTest, DuplicateEntryIsARemoval) {
  testing::WriteTestFile(root_ / kModelPath, Pointer(kOldSha, 1000));
  std::string entry = EntryJson(kModelPath, kOldSha, 1000);
  ManifestPlan plan = Plan(ReadManifestText("[" + entry + "," + entry + "]"));
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].kind, ManifestChange::Kind::kRemoved);
  EXPECT_EQ(plan.entries.size(), 1u);
}

TEST_F(PlanManifestTest, PointerOutsideLfsRulesStillCountsButIsReported) {
  fs::remove(root_ / ".gitattributes");
  testing::WriteTestFile(root_ / kModelPath, Pointer(kOldSha, 1000));
  ManifestPlan plan = Plan(WriteManifestFile({EntryJson(kModelPath, kOldSha, 1000)}));
  EXPECT_TRUE(plan.changes.empty());
  EXPECT_TRUE(Mentions(plan.warnings, "2 file(s) are Git LFS pointers that no .gitattributes"));
}

// ---- The real zoo -------------------------------------------------------------------------------

// Read in place (nothing is written): ../shared/reference/onnx-model-zoo, whose model files are
// all LFS pointers and from which eight model folders are withheld.
TEST(RealZooPlanTest, OnlyTheTrueDifferences) {
  fs::path reference = testing::ReferenceDir();
  fs::path root = reference.empty() ? fs::path() : reference / "onnx-model-zoo";
  if (root.empty() || !fs::exists(root))
    GTEST_SKIP() << "shared/reference/onnx-model-zoo not found";
  auto on_disk = ReadManifest(root / "ONNX_HUB_MANIFEST.json");
  ASSERT_TRUE(on_disk.ok()) << on_disk.error().message();
  ASSERT_EQ(on_disk->size(), 184u);
  auto plan = PlanManifest(root, *on_disk);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  std::set<std::string> removed;
  int added = 0;
  for (const ManifestChange& change : plan->changes) {
    ASSERT_NE(change.kind, ManifestChange::Kind::kUpdated) << change.model_path;
    if (change.kind == ManifestChange::Kind::kRemoved) {
      EXPECT_FALSE(fs::exists(root / change.model_path)) << change.model_path;
      removed.insert(change.model_path);
    } else {
      ++added;
      EXPECT_NE(change.not_applied, "") << change.model_path;  // pointers: not added
    }
  }
  EXPECT_EQ(removed.size(), 28u);
  EXPECT_EQ(added, 6);
  std::vector<ManifestEntry> kept;
  for (const ManifestEntry& entry : *on_disk) {
    if (removed.count(entry.model_path) == 0) kept.push_back(entry);
  }
  ASSERT_EQ(plan->entries.size(), 156u);
  EXPECT_TRUE(WriteManifestJson(plan->entries) == WriteManifestJson(kept));
}

// ---- DigestZooFile -----------------------------------------------------------------------------

TEST(DigestZooFileTest, PointerGivesItsOidAndSize) {
  auto dir = testing::ScratchDir("manifest_plan_test");
  testing::WriteTestFile(dir->path() / "m.onnx", Pointer(kOldSha, 102576593));
  auto digest = DigestZooFile(dir->path() / "m.onnx");
  ASSERT_TRUE(digest.ok()) << digest.error().message();
  EXPECT_EQ(digest->sha256, kOldSha);
  EXPECT_EQ(digest->bytes, 102576593u);
  EXPECT_TRUE(digest->from_lfs_pointer);
}

TEST(DigestZooFileTest, ContentIsHashedWithTheGivenHasher) {
  auto dir = testing::ScratchDir("manifest_plan_test");
  testing::WriteTestFile(dir->path() / "m.onnx", "abc");
  auto digest = DigestZooFile(dir->path() / "m.onnx");
  ASSERT_TRUE(digest.ok()) << digest.error().message();
  EXPECT_EQ(digest->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest->bytes, 3u);
  EXPECT_FALSE(digest->from_lfs_pointer);
  int calls = 0;
  auto cached = DigestZooFile(dir->path() / "m.onnx", [&calls](const fs::path&) {
    ++calls;
    return Result<std::string>(std::string("cached"));
  });
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->sha256, "cached");
  EXPECT_EQ(calls, 1);
}

TEST(DigestZooFileTest, MissingFilesAndDirectoriesAreErrors) {
  auto dir = testing::ScratchDir("manifest_plan_test");
  auto missing = DigestZooFile(dir->path() / "absent.onnx");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("absent.onnx: does not exist"), std::string::npos);
  EXPECT_FALSE(DigestZooFile(dir->path()).ok());
}

}  // namespace
}  // namespace zooci
