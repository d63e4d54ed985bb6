// The artifacts step on README variants: the forms the real zoo uses are accepted, each missing
// artifact gives one reason at the level the zoo sets, a dead notebook link is one reason, the
// licence policy declines other licences, and nothing outside the repository is read.
#include <gtest/gtest.h>

#include "pipeline/internal.h"
#include "testing/testing.h"

namespace zooci::pipeline_internal {
namespace {

using testing::ScratchDir;
using testing::WriteTestFile;

const char kNotebook[] = R"JSON({"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": [
  {"cell_type": "code", "metadata": {}, "execution_count": 1,
   "source": ["import onnxruntime as ort\n", "s = ort.InferenceSession('m.onnx')\n"],
   "outputs": []}]})JSON";
const char kValidationNotebook[] = R"JSON({"nbformat": 4, "nbformat_minor": 2, "metadata": {},
  "cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1,
   "source": ["print(evaluate())\n"],
   "outputs": [{"output_type": "stream", "name": "stdout", "text": ["top-1 accuracy: 0.71\n"]}]}]})JSON";

// A README providing every artifact, in the template's headings.
std::string CompleteReadme() {
  return "<!--- SPDX-License-Identifier: MIT -->\n"
         "# M\n"
         "## Use cases\nClassifying images.\n"
         "## Description\nA CNN.\n"
         "## Model\n|Model|Download|Opset version|Top-1 accuracy (%)|\n|-|-|-|-|\n"
         "|M|[1 MB](model/m-13.onnx)|13|71.0|\n"
         "## Inference\nThe [inference notebook](dependencies/inference.ipynb).\n"
         "### Input\nfloat[1,3,224,224]\n"
         "### Preprocessing\n```python\nx = load()\nx = x / 255\n```\n"
         "### Output\nfloat[1,1000]\n"
         "### Postprocessing\n```python\np = softmax(y)\ntop = p.argmax()\n```\n"
         "## Dataset\n[ImageNet](https://image-net.org)\n"
         "## Validation accuracy\nSee the [validation notebook](dependencies/validation.ipynb).\n"
         "## References\n* A paper\n"
         "## Contributors\n* Someone\n"
         "## License\nMIT\n";
}

class ArtifactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir("artifacts");
    root_ = dir_->path();
    WriteTestFile(root_ / "README.md", "# Zoo\n[M](validated/m)\n");
    WriteTestFile(root_ / "validated/m/dependencies/inference.ipynb", kNotebook);
    WriteTestFile(root_ / "validated/m/dependencies/validation.ipynb", kValidationNotebook);
    WriteTestFile(root_ / "validated/m/model/m-13.onnx", "not read by this step");
    folder_ = ModelFolder{root_, "validated/m", root_ / "validated/m", {}, {}};
  }

  // The artifacts step on `readme` (written as the folder's README.md).
  StepResult Review(const std::string& readme) {
    WriteTestFile(folder_.dir / "README.md", readme);
    store_ = std::make_unique<ReadmeStore>(root_);
    main_ = &*store_->Get(root_ / "README.md");
    StepContext context;
    context.folder = &folder_;
    context.options = &options_;
    context.config = &config_;
    context.main_readme = main_;
    context.readmes = store_.get();
    return CheckArtifacts(context);
  }

  static std::vector<std::string> Messages(const StepResult& step, ReasonLevel level) {
    std::vector<std::string> messages;
    for (const Reason& reason : step.reasons) {
      if (reason.level == level) messages.push_back(reason.message);
    }
    return messages;
  }

  std::unique_ptr<TempDir> dir_;
  fs::path root_;
  ModelFolder folder_;
  ValidateOptions options_;
  ZooConfig config_;
  std::unique_ptr<ReadmeStore> store_;
  const Readme* main_ = nullptr;
};

TEST_F(ArtifactsTest, CompleteReadmePasses) {
  StepResult step = Review(CompleteReadme());
  EXPECT_EQ(step.status, StepStatus::kPass) << ::testing::PrintToString(Messages(step, ReasonLevel::kDecline));
  EXPECT_EQ(step.summary, "16 of 16 artifacts present");
}

TEST_F(ArtifactsTest, BoldLabelsAndUnlinkedNotebooksAreForms) {
  std::string readme = CompleteReadme();
  readme.replace(readme.find("## Use cases\n"), 13, "**Use cases:** ");
  readme.replace(readme.find("The [inference notebook](dependencies/inference.ipynb).\n"), 56,
                 "Run the notebook.\n");
  StepResult step = Review(readme);
  EXPECT_EQ(step.status, StepStatus::kPass) << ::testing::PrintToString(Messages(step, ReasonLevel::kDecline));
  std::vector<std::string> warnings = Messages(step, ReasonLevel::kWarning);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("dependencies/inference.ipynb is the inference notebook, but the "
                             "README does not link it"),
            std::string::npos);
}

TEST_F(ArtifactsTest, MissingSectionsFollowTheZoosLevels) {
  std::string readme = CompleteReadme();
  readme.erase(readme.find("## Contributors\n"), std::string("## Contributors\n* Someone\n").size());
  readme.erase(readme.find("## Use cases\n"), std::string("## Use cases\nClassifying images.\n").size());
  config_.artifacts[Artifact::kContributors] = ArtifactLevel::kRecommended;
  config_.artifacts[Artifact::kUseCases] = ArtifactLevel::kOff;
  StepResult step = Review(readme);
  EXPECT_EQ(step.status, StepStatus::kPass);
  std::vector<std::string> warnings = Messages(step, ReasonLevel::kWarning);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("found no Contributors section"), std::string::npos);
  config_.artifacts.clear();
  step = Review(readme);
  EXPECT_EQ(Messages(step, ReasonLevel::kDecline).size(), 2u);
}

TEST_F(ArtifactsTest, DeadNotebookLinkIsOneReason) {
  fs::remove(folder_.dir / "dependencies/inference.ipynb");
  fs::remove(folder_.dir / "dependencies/validation.ipynb");
  WriteTestFile(folder_.dir / "dependencies/validation.ipynb", "{\"nbformat\": 4, \"cells\": []}");
  StepResult step = Review(CompleteReadme());
  std::vector<std::string> declining = Messages(step, ReasonLevel::kDecline);
  ASSERT_EQ(declining.size(), 2u) << ::testing::PrintToString(declining);
  EXPECT_NE(declining[0].find("'dependencies/inference.ipynb' points to "
                              "validated/m/dependencies/inference.ipynb, which does not exist"),
            std::string::npos);
  EXPECT_NE(declining[1].find("is not a usable notebook"), std::string::npos);
  for (const std::string& message : declining) {
    EXPECT_EQ(message.find("no inference notebook"), std::string::npos);
    EXPECT_EQ(message.find("no validation notebook"), std::string::npos);
  }
}

TEST_F(ArtifactsTest, LicencePolicy) {
  config_.licenses = {"Apache-2.0"};
  config_.licenses_line = 3;
  StepResult step = Review(CompleteReadme());
  std::vector<std::string> declining = Messages(step, ReasonLevel::kDecline);
  ASSERT_FALSE(declining.empty());
  EXPECT_NE(declining[0].find("gives the licence MIT"), std::string::npos);
  EXPECT_NE(declining[0].find("the zoo accepts Apache-2.0 (zooci-zoo.yaml:3)"), std::string::npos);
  config_.licenses = {"MIT", "BSD-3-Clause"};
  EXPECT_EQ(Review(CompleteReadme()).status, StepStatus::kPass);
}

TEST_F(ArtifactsTest, NotebookSymlinkedOutsideIsNeverRead) {
  WriteTestFile(dir_->path().parent_path() / "zooci-outside-secret.txt", "SECRET {\"nbformat\"");
  fs::remove(folder_.dir / "dependencies/validation.ipynb");
  fs::create_symlink(dir_->path().parent_path() / "zooci-outside-secret.txt",
                     folder_.dir / "dependencies/validation.ipynb");
  StepResult step = Review(CompleteReadme());
  fs::remove(dir_->path().parent_path() / "zooci-outside-secret.txt");
  std::vector<std::string> declining = Messages(step, ReasonLevel::kDecline);
  ASSERT_EQ(declining.size(), 1u) << ::testing::PrintToString(declining);
  EXPECT_NE(declining[0].find("which leaves the repository; it was not read"), std::string::npos);
  for (const Reason& reason : step.reasons) EXPECT_EQ(reason.message.find("SECRET"), std::string::npos);
}

}  // namespace
}  // namespace zooci::pipeline_internal
