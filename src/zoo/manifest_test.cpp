// The onnx.hub manifest: the real 184-entry ONNX_HUB_MANIFEST.json (read in place from
// ../shared/reference/onnx-model-zoo-sample/), byte-identical round trip, malformed input, and
// Sha256File.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

fs::path RealManifest() {
  fs::path reference = testing::ReferenceDir();
  return reference.empty() ? fs::path()
                           : reference / "onnx-model-zoo-sample" / "ONNX_HUB_MANIFEST.json";
}

// Tests on the real hub manifest; skipped when this checkout has no shared reference material.
class RealManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RealManifest().empty()) GTEST_SKIP() << "shared/reference/onnx-model-zoo-sample not found";
  }
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::vector<ManifestEntry> ReadReal() {
  auto entries = ReadManifest(RealManifest());
  EXPECT_TRUE(entries.ok()) << (entries.ok() ? "" : entries.error().message());
  return entries.ok() ? std::move(entries).value() : std::vector<ManifestEntry>{};
}

const ManifestEntry* FindPath(const std::vector<ManifestEntry>& entries, std::string_view suffix) {
  for (const ManifestEntry& entry : entries) {
    if (EndsWith(entry.model_path, suffix)) return &entry;
  }
  return nullptr;
}

// Reads `json` as a manifest from a temporary file.
Result<std::vector<ManifestEntry>> ReadText(const std::string& json) {
  auto dir = testing::ScratchDir("manifest_test");
  testing::WriteTestFile(dir->path() / "ONNX_HUB_MANIFEST.json", json);
  return ReadManifest(dir->path() / "ONNX_HUB_MANIFEST.json");
}

std::string ErrorOf(const std::string& json) {
  auto entries = ReadText(json);
  return entries.ok() ? "<ok>" : entries.error().message();
}

const std::string kMinimalEntry =
    R"({"model": "M", "model_path": "m.onnx", "opset_version": 7, "metadata": {}})";

// ---- The real manifest -------------------------------------------------------------------------

TEST_F(RealManifestTest, ReadsTheRealManifest) {
  std::vector<ManifestEntry> entries = ReadReal();
  ASSERT_EQ(entries.size(), 184u);
  int with_io = 0, with_extra = 0, with_data = 0;
  for (const ManifestEntry& entry : entries) {
    with_io += entry.has_io_ports;
    with_extra += !entry.extra_ports_json.empty();
    with_data += !entry.model_with_data_path.empty();
  }
  EXPECT_EQ(with_io, 162);  // 22 opset<7 models have no io_ports
  EXPECT_EQ(with_extra, 67);
  EXPECT_EQ(with_data, 184);
  EXPECT_EQ(entries[0].model_path,
            "validated/text/machine_comprehension/bert-squad/model/bertsquad-10.onnx");
}

TEST_F(RealManifestTest, SpotCheckResNet50Fp32) {
  std::vector<ManifestEntry> entries = ReadReal();
  const ManifestEntry* entry = FindPath(entries, "/resnet50-v1-12.onnx");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->model, "ResNet50-fp32");
  EXPECT_EQ(entry->model_path, "validated/vision/classification/resnet/model/resnet50-v1-12.onnx");
  EXPECT_EQ(entry->onnx_version, "1.7.0");
  EXPECT_EQ(entry->opset_version, 12);
  EXPECT_EQ(entry->model_sha, "3f03fdef724b22947eed826f1eef1dc5c34151bb4c37d634f1db89dfa2dd1526");
  EXPECT_EQ(entry->model_bytes, 102576593u);
  EXPECT_EQ(entry->tags, (std::vector<std::string>{"vision", "classification", "resnet"}));
  ASSERT_TRUE(entry->has_io_ports);
  ASSERT_EQ(entry->inputs.size(), 1u);
  EXPECT_EQ(entry->inputs[0].name, "data");
  EXPECT_EQ(entry->inputs[0].shape, (std::vector<std::string>{"\"N\"", "3", "224", "224"}));
  EXPECT_EQ(entry->inputs[0].type, "tensor(float)");
  ASSERT_EQ(entry->outputs.size(), 1u);
  EXPECT_EQ(entry->outputs[0].name, "resnetv17_dense0_fwd");
  EXPECT_EQ(entry->outputs[0].shape, (std::vector<std::string>{"\"N\"", "1000"}));
  EXPECT_EQ(entry->extra_ports_json, "");
  EXPECT_EQ(entry->model_with_data_path,
            "validated/vision/classification/resnet/model/resnet50-v1-12.tar.gz");
  EXPECT_EQ(entry->model_with_data_sha,
            "9391137cfc8fbec372d7a1e59e272d67550dab72d93cf7c7d6256782262599ea");
  EXPECT_EQ(entry->model_with_data_bytes, 96559469u);
}

TEST_F(RealManifestTest, SpotCheckVariants) {
  std::vector<ManifestEntry> entries = ReadReal();
  const ManifestEntry* old = FindPath(entries, "/squeezenet1.0-3.onnx");  // opset 3: no io_ports
  ASSERT_NE(old, nullptr);
  EXPECT_FALSE(old->has_io_ports);
  EXPECT_EQ(old->onnx_version, "1.1");
  EXPECT_EQ(old->opset_version, 3);
  const ManifestEntry* ssd = FindPath(entries, "/ssd_mobilenet_v1_12-int8.onnx");  // null dims
  ASSERT_NE(ssd, nullptr);
  ASSERT_GE(ssd->outputs.size(), 1u);
  EXPECT_EQ(ssd->outputs[0].name, "detection_boxes");
  EXPECT_EQ(ssd->outputs[0].shape, (std::vector<std::string>{"null", "null", "4"}));
  EXPECT_EQ(ssd->inputs[0].type, "tensor(uint8)");
  EXPECT_EQ(entries[57].extra_ports_json,
            R"({"features":[{"name":"pool5/7x7_s1_2","shape":[1,1024,1,1]}]})");
}

TEST_F(RealManifestTest, RoundTripIsByteIdentical) {
  std::vector<ManifestEntry> entries = ReadReal();
  ASSERT_EQ(entries.size(), 184u);
  std::string original = ReadAll(RealManifest());
  std::string written = WriteManifestJson(entries);
  EXPECT_EQ(written.size(), original.size());
  EXPECT_TRUE(written == original)
      << "first difference at byte "
      << std::mismatch(written.begin(), written.end(), original.begin(), original.end()).first -
             written.begin();
}

TEST(ManifestTest, WriteSortsByModelPathAndOmitsAbsentParts) {
  ManifestEntry b;
  b.model = "B";
  b.model_path = "b/model.onnx";
  b.opset_version = 9;
  ManifestEntry a = b;
  a.model = "A\xc3\xa9";  // non-ASCII is escaped like Python's json.dumps
  a.model_path = "a/model.onnx";
  a.has_io_ports = true;
  a.inputs.push_back({"x", {"1", "\"batch\"", "null", "not json"}, "tensor(float)"});
  std::string written = WriteManifestJson({b, a});
  EXPECT_EQ(written,
            "[\n"
            "    {\n"
            "        \"model\": \"A\\u00e9\",\n"
            "        \"model_path\": \"a/model.onnx\",\n"
            "        \"onnx_version\": \"\",\n"
            "        \"opset_version\": 9,\n"
            "        \"metadata\": {\n"
            "            \"tags\": [],\n"
            "            \"io_ports\": {\n"
            "                \"inputs\": [\n"
            "                    {\n"
            "                        \"name\": \"x\",\n"
            "                        \"shape\": [\n"
            "                            1,\n"
            "                            \"batch\",\n"
            "                            null,\n"
            "                            \"not json\"\n"
            "                        ],\n"
            "                        \"type\": \"tensor(float)\"\n"
            "                    }\n"
            "                ],\n"
            "                \"outputs\": []\n"
            "            }\n"
            "        }\n"
            "    },\n"
            "    {\n"
            "        \"model\": \"B\",\n"
            "        \"model_path\": \"b/model.onnx\",\n"
            "        \"onnx_version\": \"\",\n"
            "        \"opset_version\": 9,\n"
            "        \"metadata\": {\n"
            "            \"tags\": []\n"
            "        }\n"
            "    }\n"
            "]");
  EXPECT_EQ(WriteManifestJson({}), "[]");
  ManifestEntry bad_utf8 = b;
  bad_utf8.model = "\xff";
  EXPECT_NE(WriteManifestJson({bad_utf8}).find("\\ufffd"), std::string::npos);
}

TEST(ManifestTest, RewriteReplacesOnlyChangedFieldsAndKeepsUnknownKeysInPlace) {
  auto entries = ReadText(
      R"([{"model": "M", "note": "kept", "model_path": "m.onnx", "opset_version": 7,
          "onnx_version": "1.9", "metadata": {"model_sha": "aa", "model_bytes": 1,
          "tags": ["x_y"], "custom": [1.5, null], "model_with_data_path": "m.tar.gz",
          "model_with_data_sha": "cc", "model_with_data_bytes": 3}}])");
  ASSERT_TRUE(entries.ok()) << entries.error().message();
  ManifestEntry& entry = (*entries)[0];
  entry.model_sha = "bb";     // changed in place
  entry.has_io_ports = true;  // new: goes where the generator puts it (after tags)
  entry.inputs.push_back({"x", {"1"}, "tensor(float)"});
  entry.model_with_data_path.clear();  // erased
  EXPECT_EQ(WriteManifestJson(*entries),
            "[\n"
            "    {\n"
            "        \"model\": \"M\",\n"
            "        \"note\": \"kept\",\n"
            "        \"model_path\": \"m.onnx\",\n"
            "        \"opset_version\": 7,\n"
            "        \"onnx_version\": \"1.9\",\n"
            "        \"metadata\": {\n"
            "            \"model_sha\": \"bb\",\n"
            "            \"model_bytes\": 1,\n"
            "            \"tags\": [\n"
            "                \"x_y\"\n"
            "            ],\n"
            "            \"io_ports\": {\n"
            "                \"inputs\": [\n"
            "                    {\n"
            "                        \"name\": \"x\",\n"
            "                        \"shape\": [\n"
            "                            1\n"
            "                        ],\n"
            "                        \"type\": \"tensor(float)\"\n"
            "                    }\n"
            "                ],\n"
            "                \"outputs\": []\n"
            "            },\n"
            "            \"custom\": [\n"
            "                1.5,\n"
            "                null\n"
            "            ]\n"
            "        }\n"
            "    }\n"
            "]");
}

// ---- Malformed manifests -----------------------------------------------------------------------

TEST(ManifestTest, MinimalEntryAndOptionalKeys) {
  auto entries = ReadText("[" + kMinimalEntry + "]");
  ASSERT_TRUE(entries.ok()) << entries.error().message();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].onnx_version, "");
  EXPECT_FALSE((*entries)[0].has_io_ports);
  auto with_null_shape = ReadText(
      R"([{"model": "M", "model_path": "m", "opset_version": 7, "metadata": {"io_ports":
          {"inputs": [{"name": "x", "shape": null}]}}}])");
  ASSERT_TRUE(with_null_shape.ok()) << with_null_shape.error().message();
  EXPECT_TRUE((*with_null_shape)[0].inputs[0].shape.empty());
  EXPECT_TRUE((*with_null_shape)[0].outputs.empty());
}

TEST(ManifestTest, ErrorsNameTheEntryAndKey) {
  auto expect_error = [](const std::string& json, const std::vector<std::string>& parts) {
    std::string message = ErrorOf(json);
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << message << " lacks " << part;
    }
  };
  expect_error("[", {"ONNX_HUB_MANIFEST.json", "invalid JSON"});
  expect_error("", {"invalid JSON"});
  expect_error("{\"model\": 1}", {"expected an array", "object"});
  expect_error("[" + kMinimalEntry + ", 3]", {"entry 1", "expected an object"});
  expect_error("[" + kMinimalEntry + R"(, {"model": "M", "opset_version": 7, "metadata": {}}])",
               {"entry 1", "\"model_path\": missing"});
  expect_error(R"([{"model": "M", "model_path": "x.onnx", "opset_version": "7", "metadata": {}}])",
               {"entry 0 (x.onnx)", "\"opset_version\"", "expected an integer, got string"});
  expect_error(R"([{"model": "M", "model_path": "m", "opset_version": 7.5, "metadata": {}}])",
               {"\"opset_version\"", "got number"});
  expect_error(R"([{"model": "M", "model_path": "m", "opset_version": 7, "onnx_version": 1.5,
                    "metadata": {}}])",
               {"\"onnx_version\"", "expected a string"});
  expect_error(R"([{"model": "M", "model_path": "m", "opset_version": 7, "metadata": []}])",
               {"\"metadata\"", "expected an object, got array"});
  expect_error(R"([{"model": "M", "model_path": "m", "opset_version": 7,
                    "metadata": {"model_bytes": -1}}])",
               {"\"metadata.model_bytes\"", "non-negative"});
  expect_error(R"([{"model": "M", "model_path": "m", "opset_version": 7,
                    "metadata": {"tags": ["a", 2]}}])",
               {"\"metadata.tags[1]\"", "expected a string, got number"});
  expect_error(R"([{"model": "M", "model_path": "m", "opset_version": 7, "metadata":
                    {"io_ports": {"inputs": [{"name": "x", "shape": [1, true]}]}}}])",
               {"\"metadata.io_ports.inputs[0].shape[1]\"", "got boolean"});
  expect_error(R"([{"model": "M", "model_path": "m", "opset_version": 7, "metadata":
                    {"io_ports": {"outputs": [{"shape": []}]}}}])",
               {"\"metadata.io_ports.outputs[0].name\": missing"});
  expect_error(R"([{"model": "M", "model_path": "m", "opset_version": 99999999999999999999,
                    "metadata": {}}])",
               {"\"opset_version\""});
  expect_error(std::string(10000, '[') + std::string(10000, ']'), {"nested deeper than"});
}

TEST(ManifestTest, MissingFileIsAnError) {
  auto entries = ReadManifest("/nonexistent/zooci/ONNX_HUB_MANIFEST.json");
  ASSERT_FALSE(entries.ok());
  EXPECT_NE(entries.error().message().find("/nonexistent/zooci"), std::string::npos);
}

// ---- Sha256File --------------------------------------------------------------------------------

TEST(Sha256FileTest, KnownVectors) {
  auto dir = testing::ScratchDir("manifest_test");
  testing::WriteTestFile(dir->path() / "abc", "abc");
  testing::WriteTestFile(dir->path() / "empty", "");
  auto abc = Sha256File(dir->path() / "abc");
  ASSERT_TRUE(abc.ok()) << abc.error().message();
  EXPECT_EQ(*abc, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto empty = Sha256File(dir->path() / "empty");
  ASSERT_TRUE(empty.ok()) << empty.error().message();
  EXPECT_EQ(*empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256FileTest, LargerThanTheBuffer) {
  auto dir = testing::ScratchDir("manifest_test");
  testing::WriteTestFile(dir->path() / "million_a",
                         std::string(1000000, 'a'));  // FIPS 180-2 vector
  auto million = Sha256File(dir->path() / "million_a");
  ASSERT_TRUE(million.ok()) << million.error().message();
  EXPECT_EQ(*million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  testing::WriteTestFile(dir->path() / "three_mib", std::string((3u << 20) + 7, 'a'));
  auto big = Sha256File(dir->path() / "three_mib");
  ASSERT_TRUE(big.ok()) << big.error().message();
  EXPECT_EQ(*big, "7d8aedf62548b6943c912ca5192d7a2c13322cd689d7a47d4b3944b4bb2e30c6");
}

TEST(Sha256FileTest, ErrorsForMissingFilesAndDirectories) {
  auto dir = testing::ScratchDir("manifest_test");
  auto missing = Sha256File(dir->path() / "absent");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("absent"), std::string::npos);
  EXPECT_FALSE(Sha256File(dir->path()).ok());
}

// ONNX Runtime's io_ports: a sequence input is "seq(tensor(uint8))" with shape [] (the real
// manifest's resnet-preproc entry); the type never keeps a shape or loses its closing paren.
TEST(IoPortsTest, SequencesAsOnnxRuntimeDescribesThem) {
  ValueInfo sequence;
  sequence.name = "images";
  sequence.kind = ValueKind::kSequence;
  sequence.type_description = "seq(tensor(uint8)[?,?,3])";
  sequence.shape = {{-1, ""}, {-1, ""}, {3, ""}};
  ValueInfo tensor;
  tensor.name = "data";
  tensor.kind = ValueKind::kTensor;
  tensor.type_description = "tensor(float)[N,3,224,224]";
  tensor.shape = {{-1, "N"}, {3, ""}, {224, ""}, {224, ""}};
  std::vector<IoPort> ports = IoPortsOf({sequence, tensor});
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].type, "seq(tensor(uint8))");
  EXPECT_TRUE(ports[0].shape.empty());
  EXPECT_EQ(ports[1].type, "tensor(float)");
  EXPECT_EQ(ports[1].shape, (std::vector<std::string>{"\"N\"", "3", "224", "224"}));
}

}  // namespace
}  // namespace zooci
