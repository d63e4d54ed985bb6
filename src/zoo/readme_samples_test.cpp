// README parsing on the seven real ONNX Model Zoo pages in
// ../shared/reference/onnx-model-zoo-sample/ (read in place, never copied into the repository).
// Expected values come from reading those files.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

using Strings = std::vector<std::string>;

fs::path SampleDir() {
  fs::path reference = testing::ReferenceDir();
  return reference.empty() ? fs::path() : reference / "onnx-model-zoo-sample" / "validated";
}

// Skips every test when this checkout has no shared reference material.
class SampleReadmeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (SampleDir().empty()) GTEST_SKIP() << "shared/reference/onnx-model-zoo-sample not found";
  }
};

Readme Load(const std::string& relative) {
  Result<Readme> readme = ParseReadme(SampleDir() / relative / "README.md");
  EXPECT_TRUE(readme.ok()) << (readme.ok() ? "" : readme.error().message());
  return readme.ok() ? std::move(readme).value() : Readme{};
}

// Sections without a heading.
std::set<ReadmeSection> Missing(const Readme& readme) {
  std::set<ReadmeSection> missing;
  for (ReadmeSection section : AllReadmeSections()) {
    if (FindSection(readme, section) == nullptr) missing.insert(section);
  }
  return missing;
}

// heading text of each found section, by name, for readable failures.
std::map<std::string, std::string> Found(const Readme& readme) {
  std::map<std::string, std::string> found;
  for (ReadmeSection section : AllReadmeSections()) {
    if (const MarkdownHeading* heading = FindSection(readme, section)) {
      found[ReadmeSectionName(section)] = heading->text + " @" + std::to_string(heading->line);
    }
  }
  return found;
}

std::vector<std::string> Column(const ModelTable& table, int column) {
  std::vector<std::string> values;
  for (const ModelTableRow& row : table.rows) {
    values.push_back(column >= 0 && column < static_cast<int>(row.cells.size()) ? row.cells[column]
                                                                                : "<none>");
  }
  return values;
}

void ExpectStandardColumns(const ModelTable& table) {
  EXPECT_EQ(table.model_column, 0);
  EXPECT_EQ(table.download_column, 1);
  EXPECT_EQ(table.download_with_data_column, 2);
  EXPECT_EQ(table.onnx_version_column, 3);
  EXPECT_EQ(table.opset_column, 4);
}

TEST_F(SampleReadmeTest, SqueezeNet) {
  Readme readme = Load("vision/classification/squeezenet");
  EXPECT_EQ(readme.spdx_license, "Apache-2.0");
  EXPECT_EQ(readme.lines.size(), 107u);
  EXPECT_TRUE(Missing(readme).empty());
  ASSERT_EQ(readme.model_tables.size(), 1u);
  const ModelTable& table = readme.model_tables[0];
  EXPECT_EQ(table.header_line, 15);
  EXPECT_EQ(table.columns,
            (Strings{"Model", "Download", "Download (with sample test data)", "ONNX version",
                     "Opset version", "Top-1 accuracy (%)", "Top-5 accuracy (%)"}));
  ExpectStandardColumns(table);
  ASSERT_EQ(table.rows.size(), 9u);
  EXPECT_EQ(Column(table, table.opset_column),
            (Strings{"7", "3", "6", "7", "8", "9", "12", "12", "13"}));
  EXPECT_EQ(Column(table, table.onnx_version_column),
            (Strings{"1.2.1", "1.1", "1.1.2", "1.2", "1.3", "1.4", "1.9", "1.9", "1.9"}));
  EXPECT_EQ(table.rows[0].line, 17);
  EXPECT_EQ(table.rows[8].line, 25);
  EXPECT_EQ(table.rows[1].cells.size(), 5u);  // the opset 3 row has no accuracy cells
  EXPECT_EQ(table.rows[0].cells[0], "SqueezeNet 1.1");
  ASSERT_EQ(table.rows[0].cell_links.size(), 2u);
  EXPECT_EQ(table.rows[0].cell_links[0].target, "model/squeezenet1.1-7.onnx");
  EXPECT_EQ(table.rows[0].cell_links[0].text, "9 MB");
  EXPECT_EQ(table.rows[0].cell_links[1].target, "model/squeezenet1.1-7.tar.gz");
  EXPECT_EQ(table.rows[8].cell_links[1].target, "model/squeezenet1.0-13-qdq.tar.gz");
  EXPECT_EQ(table.rows[8].cell_links[1].line, 25);

  EXPECT_EQ(readme.links.size(), 43u);
  EXPECT_EQ(readme.links[0].text, "Run SqueezeNet 1.0 in browser");
  EXPECT_EQ(readme.links[0].line, 12);
  EXPECT_EQ(readme.links[19].target, "../imagenet_inference.ipynb");
  EXPECT_EQ(readme.links[19].line, 33);
  EXPECT_EQ(readme.links.back().target, "https://github.com/hshen14");
  EXPECT_EQ(readme.links.back().line, 104);
  const MarkdownHeading* input = FindSection(readme, ReadmeSection::kInput);
  ASSERT_NE(input, nullptr);
  EXPECT_EQ(input->line, 37);
  EXPECT_EQ(input->body_first_line, 38);
  EXPECT_EQ(input->body_last_line, 41);
}

TEST_F(SampleReadmeTest, ResNetHasFourModelTables) {
  Readme readme = Load("vision/classification/resnet");
  EXPECT_TRUE(Missing(readme).empty());
  ASSERT_EQ(readme.model_tables.size(), 4u);
  std::vector<int> header_lines, row_counts;
  for (const ModelTable& table : readme.model_tables) {
    header_lines.push_back(table.header_line);
    row_counts.push_back(static_cast<int>(table.rows.size()));
    ExpectStandardColumns(table);
  }
  EXPECT_EQ(header_lines, (std::vector<int>{28, 44, 54, 127}));
  EXPECT_EQ(row_counts, (std::vector<int>{8, 5, 5, 1}));
  EXPECT_EQ(readme.model_tables[1].columns.size(), 5u);  // caffe2: no accuracy columns
  EXPECT_EQ(Column(readme.model_tables[0], 0).back(), "ResNet50-qdq");
  const ModelTable& preproc = readme.model_tables[3];  // after a code block, in Preprocessing
  EXPECT_EQ(preproc.rows[0].cell_links[0].target, "preproc/resnet-preproc-v1-18.onnx");
  EXPECT_EQ(preproc.rows[0].cells[preproc.opset_column], "18");
  EXPECT_EQ(readme.links.size(), 65u);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kPreprocessing)->body_last_line, 153);
}

TEST_F(SampleReadmeTest, MobileNet) {
  Readme readme = Load("vision/classification/mobilenet");
  EXPECT_TRUE(Missing(readme).empty());
  ASSERT_EQ(readme.model_tables.size(), 1u);
  const ModelTable& table = readme.model_tables[0];
  EXPECT_EQ(table.header_line, 16);  // " |Model ..." with a leading space, after a list item
  ExpectStandardColumns(table);
  EXPECT_EQ(Column(table, table.opset_column), (Strings{"7", "10", "12", "12", "12"}));
  EXPECT_EQ(table.rows[4].cells.size(), 7u);  // "|67.40 | |": an empty last cell
  EXPECT_EQ(table.rows[4].cells[6], "");
  EXPECT_EQ(readme.links.size(), 32u);
}

TEST_F(SampleReadmeTest, BertSquad) {
  Readme readme = Load("text/machine_comprehension/bert-squad");
  EXPECT_EQ(readme.spdx_license, "Apache-2.0");
  EXPECT_TRUE(Missing(readme).empty());
  EXPECT_EQ(Found(readme)["Dataset"], "Dataset (Train and Validation) @111");
  ASSERT_EQ(readme.model_tables.size(), 1u);
  const ModelTable& table = readme.model_tables[0];
  EXPECT_EQ(table.header_line, 13);
  EXPECT_EQ(table.columns.back(), "Accuracy");
  EXPECT_EQ(Column(table, table.opset_column), (Strings{"8", "10", "12", "12"}));
  EXPECT_EQ(Column(table, 5), (Strings{"", "", "80.67171", "80.43519"}));
  // Headings inside the ```python blocks ("# preprocess input") are not headings.
  for (const MarkdownHeading& heading : readme.headings) {
    EXPECT_NE(heading.text, "preprocess input");
    EXPECT_NE(heading.text, "postprocess results");
  }
  EXPECT_EQ(readme.headings.size(), 19u);
  EXPECT_EQ(readme.links.size(), 23u);
  EXPECT_EQ(readme.links[8].target, "dependencies/tokenization.py");
  EXPECT_EQ(readme.links[8].line, 26);
}

TEST_F(SampleReadmeTest, ArcFace) {
  Readme readme = Load("vision/body_analysis/arcface");
  EXPECT_TRUE(Missing(readme).empty());
  ASSERT_EQ(readme.model_tables.size(), 1u);
  const ModelTable& table = readme.model_tables[0];
  EXPECT_EQ(table.columns.size(), 9u);
  EXPECT_EQ(table.columns[5], "LFW * accuracy (%)");  // a spaced '*' is not emphasis
  EXPECT_EQ(Column(table, table.onnx_version_column), (Strings{"1.3", "1.13.1"}));
  EXPECT_EQ(Column(table, table.opset_column), (Strings{"8", "11"}));
  // "## <a name=\"val_method\"></a>Validation" loses its anchor tag.
  EXPECT_EQ(readme.headings[15].text, "Validation");
  EXPECT_EQ(readme.headings[15].line, 63);
  EXPECT_EQ(readme.links[4].target, "#val_data");
  EXPECT_EQ(readme.links[4].line, 22);
  EXPECT_EQ(readme.links.size(), 30u);
}

TEST_F(SampleReadmeTest, Duc) {
  Readme readme = Load("vision/object_detection_segmentation/duc");
  EXPECT_TRUE(Missing(readme).empty());
  EXPECT_EQ(Found(readme)["Dataset"], "Dataset @42");  // "## <a name=\"dset\"></a>Dataset"
  // The Cityscapes file table (Filename | Size | Details) is not a model table.
  ASSERT_EQ(readme.model_tables.size(), 1u);
  const ModelTable& table = readme.model_tables[0];
  EXPECT_EQ(table.columns[5], "mIOU (%)");  // "[mIOU](#metric) (%)"
  EXPECT_EQ(Column(table, table.model_column),
            (Strings{"ResNet101_DUC_HDC", "ResNet101_DUC_HDC-12", "ResNet101_DUC_HDC-12-int8"}));
  EXPECT_EQ(Column(table, table.onnx_version_column), (Strings{"1.2.2", "1.9.0", "1.9.0"}));
  EXPECT_EQ(readme.links.size(), 32u);
}

TEST_F(SampleReadmeTest, YoloV4LacksUseCases) {
  Readme readme = Load("vision/object_detection_segmentation/yolov4");
  EXPECT_EQ(readme.spdx_license, "MIT");
  EXPECT_EQ(Missing(readme), (std::set<ReadmeSection>{ReadmeSection::kUseCases}));
  std::map<std::string, std::string> found = Found(readme);
  EXPECT_EQ(found["Inference / Input"], "Input to model @25");
  EXPECT_EQ(found["Inference / Preprocessing"], "Preprocessing steps @28");
  EXPECT_EQ(found["Inference / Output"], "Output of model @70");
  EXPECT_EQ(found["Inference / Postprocessing"], "Postprocessing steps @77");
  EXPECT_EQ(found["References"], "References @264");  // preferred over Publication/Attribution
  ASSERT_EQ(readme.model_tables.size(), 1u);
  const ModelTable& table = readme.model_tables[0];
  ExpectStandardColumns(table);
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].cells[0], "YOLOv4");
  EXPECT_EQ(table.rows[0].cells[5], "mAP of 0.5733");
  EXPECT_EQ(table.rows[0].cell_links[0].target, "model/yolov4.onnx");
  // The Postprocessing steps code block (lines 79-252) hides "# (1) ..." comment lines.
  const MarkdownHeading* post = FindSection(readme, ReadmeSection::kPostprocessing);
  EXPECT_EQ(post->body_last_line, 253);
  EXPECT_EQ(readme.headings.size(), 17u);
  EXPECT_EQ(readme.links.size(), 15u);
}

TEST_F(SampleReadmeTest, EverySampleHasADescriptionTableAndLicense) {
  for (const char* model :
       {"text/machine_comprehension/bert-squad", "vision/body_analysis/arcface",
        "vision/classification/mobilenet", "vision/classification/resnet",
        "vision/classification/squeezenet", "vision/object_detection_segmentation/duc",
        "vision/object_detection_segmentation/yolov4"}) {
    SCOPED_TRACE(model);
    Readme readme = Load(model);
    EXPECT_EQ(FindSection(readme, ReadmeSection::kDescription)->text, "Description");
    EXPECT_EQ(FindSection(readme, ReadmeSection::kLicense)->text, "License");
    EXPECT_FALSE(FindSection(readme, ReadmeSection::kLicense)->body_empty);
    EXPECT_FALSE(readme.model_tables.empty());
    for (const ModelTable& table : readme.model_tables) {
      for (const ModelTableRow& row : table.rows) {
        EXPECT_EQ(row.cell_links.size(), 2u) << "line " << row.line;  // .onnx and .tar.gz
      }
    }
  }
}

}  // namespace
}  // namespace zooci
