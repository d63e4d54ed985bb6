// README structure beyond headings: bold labels as section titles (Caffe2-era pages), fenced and
// indented code blocks, every pipe table, the SPDX line.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "zoo/zoo.h"

namespace zooci {
namespace {

Readme Parse(std::string_view text) {
  return ParseReadmeText(text, "README.md");
}

TEST(ReadmeLabelsTest, BoldLabelsAreSectionsOneLevelBelowTheirHeading) {
  Readme readme = Parse(
      "# AlexNet\n"
      "## Model\n"
      "**Use cases:** image classification.\n"   // 3: text on the label's line
      "**Description**\n"                         // 4: label alone
      "A CNN.\n"
      "__References__: [paper](https://x)\n"     // 6
      "**Note** this is emphasis, not a label\n"  // 7
      "## License\n"
      "MIT\n");
  const MarkdownHeading* use_cases = FindSection(readme, ReadmeSection::kUseCases);
  ASSERT_NE(use_cases, nullptr);
  EXPECT_TRUE(use_cases->label);
  EXPECT_EQ(use_cases->line, 3);
  EXPECT_EQ(use_cases->level, 3);
  EXPECT_EQ(use_cases->body_last_line, 3);  // ends at the next label
  EXPECT_FALSE(use_cases->body_empty);      // its text is on its own line
  const MarkdownHeading* description = FindSection(readme, ReadmeSection::kDescription);
  ASSERT_NE(description, nullptr);
  EXPECT_EQ(description->text, "Description");
  EXPECT_EQ(description->body_last_line, 5);
  EXPECT_FALSE(description->body_empty);
  ASSERT_NE(FindSection(readme, ReadmeSection::kReferences), nullptr);
  EXPECT_EQ(FindSection(readme, ReadmeSection::kReferences)->line, 6);
  for (const MarkdownHeading& heading : readme.headings) EXPECT_NE(heading.text, "Note");
  // The Model heading's body still runs to the License heading.
  EXPECT_EQ(readme.headings[1].text, "Model");
  EXPECT_EQ(readme.headings[1].body_last_line, 7);
}

TEST(ReadmeLabelsTest, LabelWithoutTextIsEmpty) {
  Readme readme = Parse("# X\n**Use cases:**\n\n## Next\n");
  const MarkdownHeading* use_cases = FindSection(readme, ReadmeSection::kUseCases);
  ASSERT_NE(use_cases, nullptr);
  EXPECT_TRUE(use_cases->body_empty);
}

TEST(ReadmeCodeBlocksTest, FencedBlocksWithLanguageAndCodeLines) {
  Readme readme = Parse(
      "# X\n"
      "```python\n"       // 2
      "# a comment\n"
      "import numpy\n"
      "\n"
      "x = numpy.ones(3)\n"
      "```\n"             // 7
      "~~~\n"             // 8: unclosed, runs to the end
      "data_0: float[1, 3]\n");
  ASSERT_EQ(readme.code_blocks.size(), 2u);
  EXPECT_EQ(readme.code_blocks[0].first_line, 2);
  EXPECT_EQ(readme.code_blocks[0].last_line, 7);
  EXPECT_EQ(readme.code_blocks[0].language, "python");
  EXPECT_EQ(readme.code_blocks[0].code_lines, 2);  // the comment and the blank line do not count
  EXPECT_EQ(readme.code_blocks[1].language, "");
  EXPECT_EQ(readme.code_blocks[1].lines, (std::vector<std::string>{"data_0: float[1, 3]"}));
}

TEST(ReadmeCodeBlocksTest, IndentedCodeAfterABlankLineButNotInLists) {
  Readme readme = Parse(
      "# X\n"
      "## Preprocessing\n"
      "The steps:\n"
      "\n"
      "    import cv2\n"        // 5: code
      "    # resize\n"
      "\n"
      "    img = cv2.imread(f)\n"  // 8: same block across the blank line
      "\n"
      "* a list item\n"
      "\n"
      "    continues the item\n"  // 12: not code
      "text\n"
      "    not code either\n");  // 14: continues a paragraph
  ASSERT_EQ(readme.code_blocks.size(), 1u);
  EXPECT_EQ(readme.code_blocks[0].first_line, 5);
  EXPECT_EQ(readme.code_blocks[0].last_line, 8);
  EXPECT_EQ(readme.code_blocks[0].code_lines, 2);
  EXPECT_EQ(readme.code_blocks[0].lines.front(), "import cv2");
  // "    # resize" is code, not a heading.
  for (const MarkdownHeading& heading : readme.headings) EXPECT_NE(heading.text, "resize");
}

TEST(ReadmeTablesTest, EveryTableIsKeptModelTablesToo) {
  Readme readme = Parse(
      "# X\n|a|b|\n|-|-|\n|1|2|\n\n|Model|Download|\n|-|-|\n|m|[x](m.onnx)|\n");
  EXPECT_EQ(readme.tables.size(), 2u);
  EXPECT_EQ(readme.model_tables.size(), 1u);
}

TEST(ReadmeSpdxTest, LineOfTheIdentifier) {
  Readme readme = Parse("# X\n\n<!--- SPDX-License-Identifier: MIT -->\n");
  EXPECT_EQ(readme.spdx_license, "MIT");
  EXPECT_EQ(readme.spdx_line, 3);
}

}  // namespace
}  // namespace zooci
