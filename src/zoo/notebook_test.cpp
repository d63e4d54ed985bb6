// Notebooks: text of nbformat 3 and 4, the scripts their code runs, the metric a text names.
#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

using testing::ScratchDir;
using testing::WriteTestFile;

Result<Notebook> Read(const std::string& json_text) {
  static std::unique_ptr<TempDir> dir;
  dir = ScratchDir("notebook");
  WriteTestFile(dir->path() / "n.ipynb", json_text);
  return ReadNotebook(dir->path() / "n.ipynb");
}

TEST(NotebookTest, Nbformat4CodeMarkdownAndOutputs) {
  auto notebook = Read(R"JSON({"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": [
    {"cell_type": "markdown", "source": ["# Validation\n", "on ImageNet"]},
    {"cell_type": "code", "source": "print(score)", "outputs": [
      {"output_type": "stream", "text": ["MCC: 0.85\n"]},
      {"output_type": "execute_result", "data": {"text/plain": "0.85"}}]}]})JSON");
  ASSERT_TRUE(notebook.ok()) << notebook.error().message();
  EXPECT_EQ(notebook->code_cells, 1);
  EXPECT_NE(notebook->markdown.find("on ImageNet"), std::string::npos);
  EXPECT_NE(notebook->outputs.find("MCC: 0.85"), std::string::npos);
  EXPECT_EQ(MetricNamed(notebook->outputs), "MCC");
}

TEST(NotebookTest, Nbformat3Worksheets) {
  auto notebook = Read(R"JSON({"nbformat": 3, "worksheets": [{"cells": [
    {"cell_type": "code", "input": ["x = 1"], "outputs": []}]}]})JSON");
  ASSERT_TRUE(notebook.ok()) << notebook.error().message();
  EXPECT_EQ(notebook->code, "x = 1\n");
}

TEST(NotebookTest, NotANotebook) {
  EXPECT_FALSE(Read("not json").ok());
  EXPECT_FALSE(Read("[]").ok());
  EXPECT_FALSE(Read(R"JSON({"nbformat": 4, "cells": [{"cell_type": "markdown", "source": "x"}]})JSON").ok());
  EXPECT_FALSE(Read(R"JSON({"cells": []})JSON").ok());
}

TEST(NotebookScriptsTest, RunCommandsButNotImportsDownloadsOrAfterAClone) {
  EXPECT_EQ(ScriptsRunBy("%run utils.py\n!python -u tools/eval.py --x 1\nimport numpy\n"
                         "exec(open('helpers.py').read())\n!python -m tf2onnx.convert\n"),
            (std::vector<std::string>{"utils.py", "tools/eval.py", "helpers.py"}));
  EXPECT_EQ(ScriptsRunBy("!wget https://x/y/save.py\n!python save.py\n"),
            std::vector<std::string>{});
  EXPECT_EQ(ScriptsRunBy("!python a.py\n!git clone https://github.com/x/y\n!python save_model.py\n"),
            (std::vector<std::string>{"a.py"}));
  EXPECT_EQ(ScriptsRunBy("%cd repo\n!python b.py\n"), std::vector<std::string>{});
}

TEST(MetricNamedTest, MetricsAndNotPythonMap) {
  EXPECT_EQ(MetricNamed("Top-1 accuracy: 71.2"), "top-1");
  EXPECT_EQ(MetricNamed("box mAP of 0.195"), "mAP");
  EXPECT_EQ(MetricNamed("mean average precision"), "mAP");
  EXPECT_EQ(MetricNamed("mIoU 0.8"), "mIoU");
  EXPECT_EQ(MetricNamed("BLEU score"), "BLEU");
  EXPECT_EQ(MetricNamed("perplexity = 20"), "perplexity");
  EXPECT_EQ(MetricNamed("f1 = f1_score(y, p)"), "F1");
  EXPECT_EQ(MetricNamed("labels = list(map(int, rows))\nx.map(f)"), "");
  EXPECT_EQ(MetricNamed("onnx.checker.check_model(model)"), "");
}

}  // namespace
}  // namespace zooci
