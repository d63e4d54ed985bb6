#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "check/check.h"

namespace zooci {
namespace {

TEST(RulesTest, EveryRuleIsDocumentedAndUnique) {
  std::set<std::string> codes, names;
  const std::regex kebab("^[a-z0-9]+(-[a-z0-9]+)*$");
  for (const Rule& rule : Rules()) {
    EXPECT_TRUE(codes.insert(RuleCode(rule.id)).second) << RuleCode(rule.id);
    EXPECT_TRUE(names.insert(std::string(rule.name)).second) << rule.name;
    EXPECT_TRUE(std::regex_match(std::string(rule.name), kebab)) << rule.name;
    EXPECT_FALSE(rule.summary.empty()) << rule.name;
    EXPECT_FALSE(rule.hint.empty()) << rule.name;
    EXPECT_FALSE(rule.failing_example.empty()) << rule.name;
    EXPECT_FALSE(rule.passing_example.empty()) << rule.name;
    EXPECT_NE(rule.failing_example, rule.passing_example) << rule.name;
  }
  EXPECT_GE(Rules().size(), 60u);
}

TEST(RulesTest, RegistryIsSortedSoLookupFindsEveryRule) {
  for (const Rule& rule : Rules()) {
    EXPECT_EQ(&GetRule(rule.id), &rule) << RuleCode(rule.id);
  }
}

TEST(RulesTest, CodesFollowTheCategoryNumbering) {
  EXPECT_EQ(RuleCode(RuleId::kDanglingInput), "ZC0203");
  EXPECT_EQ(RuleCode(RuleId::kUnparseableModel), "ZC0001");
  for (const Rule& rule : Rules()) {
    int hundreds = static_cast<int>(rule.id) / 100;
    static const std::map<RuleCategory, std::set<int>> expected = {
        {RuleCategory::kModel, {0, 1}},     {RuleCategory::kGraph, {2}},
        {RuleCategory::kOperator, {3}},     {RuleCategory::kTensor, {4}},
        {RuleCategory::kExternalData, {5}}, {RuleCategory::kTypeShape, {6}},
        {RuleCategory::kFunction, {7}}};
    EXPECT_EQ(expected.at(rule.category).count(hundreds), 1u) << RuleCode(rule.id);
  }
}

TEST(RulesTest, FindRuleByCodeOrName) {
  ASSERT_NE(FindRule("ZC0203"), nullptr);
  EXPECT_EQ(FindRule("zc0203")->name, "dangling-input");
  EXPECT_EQ(FindRule("dangling-input")->id, RuleId::kDanglingInput);
  EXPECT_EQ(FindRule("ZC9999"), nullptr);
  EXPECT_EQ(FindRule(""), nullptr);
}

TEST(RulesTest, ExplainShowsExamplesAndHint) {
  std::string text = ExplainRule(*FindRule("ZC0203"));
  EXPECT_NE(text.find("ZC0203 dangling-input"), std::string::npos);
  EXPECT_NE(text.find("category: graph"), std::string::npos);
  EXPECT_NE(text.find("Fails:\n    main (float x) => (float y) { y = Add(x, w) }"),
            std::string::npos);
  EXPECT_NE(text.find("Passes:"), std::string::npos);
  EXPECT_NE(text.find("Fix: "), std::string::npos);
}

TEST(RulesTest, ListHasOneLinePerRule) {
  std::string list = FormatRuleList();
  size_t lines = std::count(list.begin(), list.end(), '\n');
  EXPECT_EQ(lines, Rules().size() + 1);
}

TEST(RulesTest, ParseProfile) {
  EXPECT_EQ(*ParseProfile("zoo"), Profile::kZoo);
  EXPECT_FALSE(ParseProfile("lenient").ok());
}

}  // namespace
}  // namespace zooci
