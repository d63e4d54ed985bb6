#include <gtest/gtest.h>

#include "testrun/testrun.h"

namespace zooci {
namespace {

TEST(ExpectFailTest, ParsesEntriesCommentsAndBlankLines) {
  auto entries = ParseExpectFail(
      "# header\n\nnode/test_a   ORT gap: no kernel  # trailing comment\n  simple/test_b/ random "
      "op\n",
      "list.txt");
  ASSERT_TRUE(entries.ok()) << entries.error().message();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].case_path, "node/test_a");
  EXPECT_EQ((*entries)[0].reason, "ORT gap: no kernel");
  EXPECT_EQ((*entries)[0].line, 3);
  EXPECT_EQ((*entries)[1].case_path, "simple/test_b");
  EXPECT_EQ((*entries)[1].reason, "random op");
}

TEST(ExpectFailTest, AnEntryWithoutReasonIsAnErrorNamingTheLine) {
  auto entries = ParseExpectFail("node/test_a reason\nnode/test_b\n", "list.txt");
  ASSERT_FALSE(entries.ok());
  EXPECT_NE(entries.error().message().find("list.txt:2"), std::string::npos)
      << entries.error().message();
  EXPECT_NE(entries.error().message().find("no reason"), std::string::npos);
}

TEST(ExpectFailTest, DuplicateEntryIsAnError) {
  auto entries = ParseExpectFail("a r1\na r2\n", "list.txt");
  ASSERT_FALSE(entries.ok());
  EXPECT_NE(entries.error().message().find("listed twice"), std::string::npos);
}

TEST(ExpectFailTest, MatchesWholePathComponentsFromTheEnd) {
  auto entries = ParseExpectFail("node/test_abs reason\n", "list.txt");
  ASSERT_TRUE(entries.ok());
  EXPECT_NE(FindExpectFail(*entries, "node/test_abs"), nullptr);
  EXPECT_NE(FindExpectFail(*entries, "data/node/test_abs"), nullptr);
  EXPECT_EQ(FindExpectFail(*entries, "xnode/test_abs"), nullptr);
  EXPECT_EQ(FindExpectFail(*entries, "node/test_abs_2"), nullptr);
}

TEST(ExpectFailTest, MissingFileIsAnError) {
  auto entries = ReadExpectFail("/nonexistent/list.txt");
  ASSERT_FALSE(entries.ok());
  EXPECT_NE(entries.error().message().find("/nonexistent/list.txt"), std::string::npos);
}

}  // namespace
}  // namespace zooci
