// README parsing on hand-written Markdown: headings, section bodies, links, pipe tables, SPDX,
// section synonyms and hostile input. The real zoo READMEs are in readme_samples_test.cpp.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "zoo/zoo.h"

namespace zooci {
namespace {

Readme Parse(std::string_view text) {
  return ParseReadmeText(text, "README.md");
}

std::vector<std::string> HeadingTexts(const Readme& readme) {
  std::vector<std::string> texts;
  for (const MarkdownHeading& heading : readme.headings) texts.push_back(heading.text);
  return texts;
}

std::vector<std::string> LinkTargets(const std::vector<MarkdownLink>& links) {
  std::vector<std::string> targets;
  for (const MarkdownLink& link : links) targets.push_back(link.target);
  return targets;
}

using Strings = std::vector<std::string>;

// ---- Headings and bodies -----------------------------------------------------------------------

TEST(ReadmeHeadingsTest, AtxLevelsTextAndLines) {
  Readme readme =
      Parse("# Title\n\n## Use cases\ntext\n### Input ###\n#NotAHeading\n####### seven\n");
  ASSERT_EQ(readme.headings.size(), 3u);
  EXPECT_EQ(readme.headings[0].level, 1);
  EXPECT_EQ(readme.headings[0].text, "Title");
  EXPECT_EQ(readme.headings[0].line, 1);
  EXPECT_EQ(readme.headings[1].level, 2);
  EXPECT_EQ(readme.headings[1].line, 3);
  EXPECT_EQ(readme.headings[2].text, "Input");
  EXPECT_EQ(readme.headings[2].level, 3);
  EXPECT_EQ(readme.lines.size(), 7u);
}

TEST(ReadmeHeadingsTest, MarkupIsRemovedFromHeadingText) {
  Readme readme = Parse(
      "## **Bold** `code` heading ##\n"
      "## <a name=\"dset\"></a>Dataset\n"
      "## [Linked](http://x) and ![img](i.png) text\n"
      "## C# stays, \\# escaped\n"
      "##    \n"
      "   ### Indented three\n"
      "    ### Indented four is not a heading\n");
  EXPECT_EQ(HeadingTexts(readme), (Strings{"Bold code heading", "Dataset", "Linked and img text",
                                           "C# stays, # escaped", "", "Indented three"}));
}

TEST(ReadmeHeadingsTest, HeadingsInFencesAndCommentsAreIgnored) {
  Readme readme = Parse(
      "# Real\n"
      "```python\n"
      "# not a heading\n"
      "```\n"
      "~~~~\n"
      "## still code\n"
      "```\n"
      "## tilde fence needs tildes to close\n"
      "~~~~~\n"
      "<!-- a comment\n"
      "## hidden\n"
      "-->\n"
      "<!-- one line --> ## not at line start\n"
      "## After\n"
      "```inline``` code is no fence\n"
      "## Last\n");
  EXPECT_EQ(HeadingTexts(readme), (Strings{"Real", "After", "Last"}));
}

TEST(ReadmeHeadingsTest, UnclosedFenceRunsToTheEnd) {
  Readme readme = Parse("# A\n```\n# B\n");
  EXPECT_EQ(HeadingTexts(readme), (Strings{"A"}));
  EXPECT_FALSE(readme.headings[0].body_empty);  // code counts as content
}

TEST(ReadmeHeadingsTest, BodiesIncludeSubsectionsAndStopAtSameLevel) {
  Readme readme = Parse(
      "# T\n"         // 1
      "## A\n"        // 2
      "text\n"        // 3
      "### A1\n"      // 4
      "\n"            // 5
      "## B\n"        // 6
      "\n"            // 7
      "<!-- c -->\n"  // 8
      "### B1\n"      // 9
      "## C\n");      // 10
  ASSERT_EQ(readme.headings.size(), 6u);
  const MarkdownHeading& title = readme.headings[0];
  EXPECT_EQ(title.body_first_line, 2);
  EXPECT_EQ(title.body_last_line, 10);
  const MarkdownHeading& a = readme.headings[1];
  EXPECT_EQ(a.body_first_line, 3);
  EXPECT_EQ(a.body_last_line, 5);
  EXPECT_FALSE(a.body_empty);
  EXPECT_TRUE(readme.headings[2].body_empty);  // A1: one blank line
  const MarkdownHeading& b = readme.headings[3];
  EXPECT_EQ(b.body_first_line, 7);
  EXPECT_EQ(b.body_last_line, 9);
  EXPECT_TRUE(b.body_empty);  // blank, comment and an empty subsection
  const MarkdownHeading& c = readme.headings[5];
  EXPECT_EQ(c.body_first_line, 11);  // an empty range at the end of the document
  EXPECT_EQ(c.body_last_line, 10);
  EXPECT_TRUE(c.body_empty);
}

TEST(ReadmeHeadingsTest, CrLfLineEndingsAndByteOrderMark) {
  Readme readme = Parse("\xEF\xBB\xBF# Title\r\n\r\n## Next\r\n[a](b.onnx)\r\n");
  EXPECT_EQ(HeadingTexts(readme), (Strings{"Title", "Next"}));
  EXPECT_EQ(readme.lines[0], "# Title");
  ASSERT_EQ(readme.links.size(), 1u);
  EXPECT_EQ(readme.links[0].target, "b.onnx");
  EXPECT_EQ(readme.links[0].line, 4);
}

// ---- Links -------------------------------------------------------------------------------------

TEST(ReadmeLinksTest, InlineLinksAndImagesWithLines) {
  Readme readme = Parse(
      "See [the model](model/a-7.onnx) and ![diagram](img/d.png \"title\").\n"
      "\n"
      "[**Bold** `text`](https://example.com/a_(b)) [empty]() [<spaced>](<a b.md>)\n");
  ASSERT_EQ(readme.links.size(), 5u);
  EXPECT_EQ(readme.links[0].text, "the model");
  EXPECT_EQ(readme.links[0].target, "model/a-7.onnx");
  EXPECT_EQ(readme.links[0].line, 1);
  EXPECT_EQ(readme.links[1].text, "diagram");
  EXPECT_EQ(readme.links[1].target, "img/d.png");
  EXPECT_EQ(readme.links[2].text, "Bold text");
  EXPECT_EQ(readme.links[2].target, "https://example.com/a_(b)");
  EXPECT_EQ(readme.links[2].line, 3);
  EXPECT_EQ(readme.links[3].target, "");
  EXPECT_EQ(readme.links[4].target, "a b.md");
}

TEST(ReadmeLinksTest, ImageInsideLinkGivesBoth) {
  Readme readme = Parse("[![badge](https://img/badge.svg)](https://ci/job)\n");
  EXPECT_EQ(LinkTargets(readme.links), (Strings{"https://ci/job", "https://img/badge.svg"}));
  EXPECT_EQ(readme.links[0].text, "badge");
}

TEST(ReadmeLinksTest, CodeSpansFencesCommentsAndEscapesHaveNoLinks) {
  Readme readme = Parse(
      "`[in code](a.md)` and ``[double `tick`](b.md)`` \\[escaped](c.md)\n"
      "```\n"
      "[fenced](d.md)\n"
      "```\n"
      "<!-- [commented](e.md) -->\n"
      "text <!-- [inline comment](f.md) --> [kept](g.md)\n"
      "[unclosed](h.md\n"
      "[no destination] here\n");
  EXPECT_EQ(LinkTargets(readme.links), (Strings{"g.md"}));
  EXPECT_EQ(readme.links[0].line, 6);
}

TEST(ReadmeLinksTest, ReferenceDefinitionsAndUses) {
  Readme readme = Parse(
      "Read [the paper][Paper] or [paper][] or [Paper]; [unknown] stays text.\n"
      "\n"
      "[paper]: https://arxiv.org/abs/1 \"Title\"\n"
      "[^1]: a footnote, not a definition\n"
      "   [spaced label]: <docs/x y.md>\n");
  EXPECT_EQ(LinkTargets(readme.links),
            (Strings{"https://arxiv.org/abs/1", "https://arxiv.org/abs/1",
                     "https://arxiv.org/abs/1", "https://arxiv.org/abs/1", "docs/x y.md"}));
  EXPECT_EQ(readme.links[0].text, "the paper");
  EXPECT_EQ(readme.links[0].line, 1);
  EXPECT_EQ(readme.links[3].text, "paper");  // the definition itself
  EXPECT_EQ(readme.links[3].line, 3);
  EXPECT_EQ(readme.links[4].text, "spaced label");
}

TEST(ReadmeLinksTest, Autolinks) {
  Readme readme = Parse("Go to <https://github.com/onnx/models> but not <a href=\"x\"> or <b>.\n");
  ASSERT_EQ(readme.links.size(), 1u);
  EXPECT_EQ(readme.links[0].target, "https://github.com/onnx/models");
  EXPECT_EQ(readme.links[0].text, "https://github.com/onnx/models");
}

// ---- Tables ------------------------------------------------------------------------------------

TEST(ReadmeTablesTest, ModelTableColumnsRowsAndLinks) {
  Readme readme = Parse(
      "## Model\n"                                                                           // 1
      "\n"                                                                                   // 2
      "|Model |Download |Download (with sample test data)| ONNX version |Opset version|\n"   // 3
      "|------|:--------|:-------------------------------:|--------------|-------------|\n"  // 4
      "|Net-7 | [9 MB](model/net-7.onnx) | [6 MB](model/net-7.tar.gz) | 1.2.1 | 7 |\n"       // 5
      "|Net-3 | [5 MB](model/net-3.onnx) | | 1.1 | 3\n"                                      // 6
      "> note: tables end at a block quote\n"                                                // 7
      "|Not | a row |\n");                                                                   // 8
  ASSERT_EQ(readme.model_tables.size(), 1u);
  const ModelTable& table = readme.model_tables[0];
  EXPECT_EQ(table.header_line, 3);
  EXPECT_EQ(table.columns, (Strings{"Model", "Download", "Download (with sample test data)",
                                    "ONNX version", "Opset version"}));
  EXPECT_EQ(table.model_column, 0);
  EXPECT_EQ(table.download_column, 1);
  EXPECT_EQ(table.download_with_data_column, 2);
  EXPECT_EQ(table.onnx_version_column, 3);
  EXPECT_EQ(table.opset_column, 4);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].line, 5);
  EXPECT_EQ(table.rows[0].cells, (Strings{"Net-7", "[9 MB](model/net-7.onnx)",
                                          "[6 MB](model/net-7.tar.gz)", "1.2.1", "7"}));
  EXPECT_EQ(LinkTargets(table.rows[0].cell_links),
            (Strings{"model/net-7.onnx", "model/net-7.tar.gz"}));
  EXPECT_EQ(table.rows[0].cell_links[0].text, "9 MB");
  EXPECT_EQ(table.rows[0].cell_links[0].line, 5);
  EXPECT_EQ(table.rows[1].cells, (Strings{"Net-3", "[5 MB](model/net-3.onnx)", "", "1.1", "3"}));
}

TEST(ReadmeTablesTest, NoOuterPipesEscapedPipesAndCodeSpans) {
  Readme readme = Parse(
      " Model | Download | Opset Version\n"
      "---|:---:|---:\n"
      "A \\| B | `x|y` [m](a.onnx) | 12\n"
      "\n"
      "| Model | Download |\n"
      "| --- | --- |\n"
      "| `a\\|b` | c |\n");
  ASSERT_EQ(readme.model_tables.size(), 2u);
  const ModelTable& first = readme.model_tables[0];
  EXPECT_EQ(first.columns, (Strings{"Model", "Download", "Opset Version"}));
  EXPECT_EQ(first.opset_column, 2);
  EXPECT_EQ(first.download_with_data_column, -1);
  EXPECT_EQ(first.onnx_version_column, -1);
  ASSERT_EQ(first.rows.size(), 1u);
  EXPECT_EQ(first.rows[0].cells, (Strings{"A | B", "`x|y` [m](a.onnx)", "12"}));
  EXPECT_EQ(LinkTargets(first.rows[0].cell_links), (Strings{"a.onnx"}));
  ASSERT_EQ(readme.model_tables[1].rows.size(), 1u);
  EXPECT_EQ(readme.model_tables[1].rows[0].cells, (Strings{"`a|b`", "c"}));
}

TEST(ReadmeTablesTest, HistoricalColumnVariants) {
  Readme readme = Parse(
      "|Model |Download |Compressed |ONNX version|Opset version|\n"  // gpt2-bs
      "|-|-|-|-|-|\n"
      "|GPT2|[1](m.onnx)|[2](m.tar.gz)|1.6|10|\n"
      "\n"
      "| model | DOWNLOAD | onnx  version | opset_version | Top-1 accuracy (%) |\n"  // age_gender
      "|---|---|---|---|---|\n"
      "|age|[1](age.onnx)|1.6|11|99|\n"
      "\n"
      "|Model Class | Reference | Description |\n"  // the root README's table: not a model table
      "|---|---|---|\n"
      "|ResNet|[x](y)|z|\n"
      "\n"
      "|Filename | Size |\n"
      "|---|---|\n"
      "|a.zip| 1 GB|\n");
  ASSERT_EQ(readme.model_tables.size(), 2u);
  EXPECT_EQ(readme.model_tables[0].download_with_data_column, 2);
  EXPECT_EQ(readme.model_tables[0].opset_column, 4);
  const ModelTable& age = readme.model_tables[1];
  EXPECT_EQ(age.model_column, 0);
  EXPECT_EQ(age.download_column, 1);
  EXPECT_EQ(age.download_with_data_column, -1);
  EXPECT_EQ(age.onnx_version_column, 2);
  EXPECT_EQ(age.opset_column, 3);
}

TEST(ReadmeTablesTest, NotTables) {
  Readme readme = Parse(
      "Model | Download\n"
      "text without delimiter row\n"
      "\n"
      "| Model | Download |\n"
      "| --- | -x- |\n"
      "\n"
      "```\n"
      "| Model | Download |\n"
      "|---|---|\n"
      "```\n"
      "## | Model | Download |\n"
      "|---|---|\n");
  EXPECT_TRUE(readme.model_tables.empty());
}

TEST(ReadmeTablesTest, TableEndsAtBlankLineHeadingOrPipelessLine) {
  Readme readme = Parse(
      "|Model|Download|\n|---|---|\n|a|[x](a.onnx)|\nplain text\n|b|c|\n\n"
      "|Model|Download|\n|---|---|\n|d|e|\n## Heading | with pipe\n|f|g|\n");
  ASSERT_EQ(readme.model_tables.size(), 2u);
  EXPECT_EQ(readme.model_tables[0].rows.size(), 1u);
  EXPECT_EQ(readme.model_tables[1].rows.size(), 1u);
}

// ---- SPDX --------------------------------------------------------------------------------------

TEST(ReadmeSpdxTest, FromCommentOrAnywhere) {
  EXPECT_EQ(Parse("<!--- SPDX-License-Identifier: Apache-2.0 -->\n# T\n").spdx_license,
            "Apache-2.0");
  EXPECT_EQ(Parse("# T\n\ntext\nSPDX-License-Identifier: MIT OR BSD-3-Clause\n").spdx_license,
            "MIT OR BSD-3-Clause");
  EXPECT_EQ(Parse("# T\nno licence tag\n").spdx_license, "");
}

// ---- Sections ----------------------------------------------------------------------------------

TEST(ReadmeSectionsTest, NamesAndOrder) {
  const std::vector<ReadmeSection>& sections = AllReadmeSections();
  ASSERT_EQ(sections.size(), 12u);
  EXPECT_EQ(sections.front(), ReadmeSection::kDescription);
  EXPECT_EQ(sections.back(), ReadmeSection::kLicense);
  EXPECT_EQ(ReadmeSectionName(ReadmeSection::kPreprocessing), "Inference / Preprocessing");
  EXPECT_EQ(ReadmeSectionName(ReadmeSection::kValidationAccuracy), "Validation accuracy");
  std::vector<std::string> titles = ReadmeSectionTitles(ReadmeSection::kUseCases);
  ASSERT_FALSE(titles.empty());
  EXPECT_EQ(titles.front(), "Use cases");
}

TEST(ReadmeSectionsTest, Caffe2EraHeadings) {
  Readme readme = Parse(
      "# AlexNet\n## Description\ntext\n## Model\n"
      "|Model|Download|\n|---|---|\n|a|[x](a.onnx)|\n"
      "### Model input and output\n#### Input\ndata_0\n#### Output\nprob_1\n"
      "### Pre-processing steps\nsteps\n### Sample test data\nrandom\n"
      "### Results/accuracy on test set\n57%\n## References\n## Contributors\n## License\n");
  auto find = [&](ReadmeSection section) {
    const MarkdownHeading* heading = FindSection(readme, section);
    return heading ? heading->text : std::string("<missing>");
  };
  EXPECT_EQ(find(ReadmeSection::kInput), "Input");  // the plain name wins over the combined one
  EXPECT_EQ(find(ReadmeSection::kPreprocessing), "Pre-processing steps");
  EXPECT_EQ(find(ReadmeSection::kValidationAccuracy), "Results/accuracy on test set");
  EXPECT_EQ(find(ReadmeSection::kDataset), "<missing>");  // "Sample test data" is not a dataset
  EXPECT_EQ(find(ReadmeSection::kPostprocessing), "<missing>");
  EXPECT_EQ(find(ReadmeSection::kInference), "Model input and output");
  EXPECT_EQ(readme.model_tables.size(), 1u);
}

TEST(ReadmeSectionsTest, SynonymsMatchAfterPunctuationAndCase) {
  Readme readme = Parse(
      "# X\n## USE-CASES\n## Input(s)\n## post processing\n## Publication/Attribution\n"
      "## licence\n## Model Input and Output\n");
  EXPECT_EQ(FindSection(readme, ReadmeSection::kUseCases)->line, 2);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kInput)->line, 3);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kOutput)->line, 7);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kPostprocessing)->line, 4);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kReferences)->line, 5);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kLicense)->line, 6);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kContributors), nullptr);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kDescription), nullptr);
}

TEST(ReadmeSectionsTest, ModelHeadingDescribesOnlyWithProse) {
  Readme table_only = Parse("# X\n## Model\n\n|Model|Download|\n|---|---|\n|a|b|\n\n## Next\n");
  EXPECT_EQ(FindSection(table_only, ReadmeSection::kDescription), nullptr);
  Readme with_prose = Parse("# X\n## Model\nA network.\n|Model|Download|\n|---|---|\n|a|b|\n");
  ASSERT_NE(FindSection(with_prose, ReadmeSection::kDescription), nullptr);
  EXPECT_EQ(FindSection(with_prose, ReadmeSection::kDescription)->text, "Model");
  Readme both = Parse("# X\n## Model\nA network.\n## Description\nMore.\n");
  EXPECT_EQ(FindSection(both, ReadmeSection::kDescription)->text, "Description");
}

// ---- Hostile input -----------------------------------------------------------------------------

TEST(ReadmeRobustnessTest, PathologicalInputDoesNotCrash) {
  static constexpr char kWithNul[] = "# \0 nul\n[a\0](b\0)\n";
  std::vector<std::string> inputs = {
      "",
      "\n\n\n",
      std::string(100000, '['),
      std::string(100000, ']') + std::string(100000, '('),
      std::string(50000, '`') + "x" + std::string(49999, '`'),
      "`a` `b`` ```c`` ` `",
      "|" + std::string(100000, '|') + "\n|---|\n",
      "[" + std::string(20000, '[') + "x" + std::string(20000, ']') + "(y)",
      "[a](" + std::string(20000, '(') + ")",
      std::string(kWithNul, sizeof(kWithNul) - 1),
      "<!--",
      "<!-- -->-->\n<!--\n\n",
      "\xff\xfe\x80 invalid utf-8 [\xc3](\xff)",
      "[x]: \n[]: a\n[y]:<unterminated\n",
      "~~~\n```\n~~~~\n",
  };
  std::string nested;
  for (int k = 0; k < 5000; ++k) nested += "[![";
  inputs.push_back(nested);
  std::string failing_destinations, open_titles;
  for (int k = 0; k < 100000; ++k) failing_destinations += "[a](b";
  for (int k = 0; k < 100000; ++k) open_titles += "[a](b \"";
  inputs.push_back(failing_destinations);
  inputs.push_back(open_titles);
  std::string many_links;
  for (int k = 0; k < 20000; ++k) many_links += "[a](b) ";
  inputs.push_back(many_links);
  for (const std::string& input : inputs) {
    Readme readme = Parse(input);
    for (ReadmeSection section : AllReadmeSections()) (void)FindSection(readme, section);
  }
  EXPECT_EQ(Parse(many_links).links.size(), 20000u);
}

TEST(ReadmeFileTest, MissingFileIsAnError) {
  Result<Readme> readme = ParseReadme("/nonexistent/zooci/README.md");
  ASSERT_FALSE(readme.ok());
  EXPECT_NE(readme.error().message().find("/nonexistent/zooci/README.md"), std::string::npos);
}

}  // namespace
}  // namespace zooci
