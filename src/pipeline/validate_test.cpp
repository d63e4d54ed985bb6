// Validate() as a whole, with an in-process fake runtime: verdicts (DECLINE over INCOMPLETE over
// ACCEPT), discovery (models/, files no folder reviews, symbolic links), Git LFS pointers whose
// content is missing, and the zoo's own reasons.
#include <gtest/gtest.h>

#include "pipeline/internal.h"
#include "testing/testing.h"

namespace zooci {
namespace {

using testing::ScratchDir;
using testing::WriteTestFile;

std::string Pointer(std::string_view content) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + Sha256Hex(content) +
         "\nsize " + std::to_string(content.size()) + "\n";
}

TEST(VerdictTest, DeclineOverIncompleteOverAccept) {
  using pipeline_internal::MakeReason;
  StepResult pass;
  pass.status = StepStatus::kPass;
  StepResult unverified;
  unverified.status = StepStatus::kSkipped;
  unverified.reasons.push_back(MakeReason("check", "not run", "", 0, ReasonLevel::kUnverified));
  StepResult warned;
  warned.reasons.push_back(MakeReason("check", "w", "", 0, ReasonLevel::kWarning));
  StepResult failed;
  failed.status = StepStatus::kFail;
  EXPECT_EQ(VerdictOf({pass, warned}), Verdict::kAccept);
  EXPECT_EQ(VerdictOf({pass, unverified}), Verdict::kIncomplete);
  EXPECT_EQ(VerdictOf({unverified, failed}), Verdict::kDecline);
  EXPECT_EQ(VerdictOf({pass}, {MakeReason("zoo", "x")}), Verdict::kDecline);
  EXPECT_EQ(VerdictName(Verdict::kIncomplete), "INCOMPLETE");
}

class ValidateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir("validate");
    root_ = dir_->path() / "zoo";
    executor_ = MakeInProcessExecutor(testing::MakeFakeBackend());
    WriteTestFile(root_ / "README.md", "# Zoo\n[M](validated/m)\n");
    WriteTestFile(root_ / ".gitattributes", "*.onnx filter=lfs diff=lfs merge=lfs -text\n");
    WriteTestFile(root_ / "validated/m/README.md", "# M\n|Model|Download|\n|-|-|\n"
                                                   "|M|[x](models/m-13.onnx)|\n");
  }

  ValidateReport Run() {
    ValidateOptions options;
    options.zoo = root_;
    options.run_bench = false;
    auto report = Validate(options, *executor_, nullptr);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.error().message());
    return report.ok() ? *report : ValidateReport{};
  }

  static const StepResult* Step(const ModelReview& review, const std::string& name) {
    for (const StepResult& step : review.steps) {
      if (step.name == name) return &step;
    }
    return nullptr;
  }

  std::unique_ptr<TempDir> dir_;
  fs::path root_;
  std::unique_ptr<Executor> executor_;
};

TEST_F(ValidateTest, ModelsFolderIsReviewedAndPointersLeaveItIncomplete) {
  WriteTestFile(root_ / "validated/m/models/m-13.onnx", Pointer(testing::IdentityModel()));
  ValidateReport report = Run();
  ASSERT_EQ(report.models.size(), 1u);
  const ModelReview& review = report.models[0];
  EXPECT_EQ(review.folder, "validated/m");
  const StepResult* check = Step(review, "check");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->status, StepStatus::kSkipped);
  ASSERT_EQ(check->reasons.size(), 1u);
  EXPECT_EQ(check->reasons[0].level, ReasonLevel::kUnverified);
  // The README lacks most artifacts, so the folder is declined; the pointer alone declines
  // nothing (no integrity reason mentions it).
  EXPECT_EQ(review.verdict, Verdict::kDecline);
  for (const Reason* reason : review.DecliningReasons()) {
    EXPECT_EQ(reason->message.find("Git LFS"), std::string::npos) << reason->message;
  }
  ASSERT_EQ(report.zoo_reasons.size(), 1u);
  EXPECT_EQ(report.zoo_reasons[0].level, ReasonLevel::kWarning);
  EXPECT_NE(report.zoo_reasons[0].message.find("1 model file of the reviewed folders is a Git LFS "
                                               "pointer"),
            std::string::npos);
}

TEST_F(ValidateTest, PointerOutsideTheRulesDeclines) {
  WriteTestFile(root_ / ".gitattributes", "*.tar.gz filter=lfs diff=lfs merge=lfs -text\n");
  WriteTestFile(root_ / "validated/m/models/m-13.onnx", Pointer("x"));
  ValidateReport report = Run();
  ASSERT_EQ(report.models.size(), 1u);
  const StepResult* integrity = Step(report.models[0], "integrity");
  ASSERT_NE(integrity, nullptr);
  ASSERT_FALSE(integrity->reasons.empty());
  EXPECT_EQ(integrity->reasons[0].message,
            "m-13.onnx is a Git LFS pointer committed outside the .gitattributes LFS rules, so git "
            "never replaces it with the model: add an LFS rule covering it and commit it again "
            "with git lfs");
  EXPECT_EQ(integrity->reasons[0].file, "validated/m/models/m-13.onnx");
}

TEST_F(ValidateTest, ModelFilesNoFolderReviewsDeclineTheZoo) {
  WriteTestFile(root_ / "validated/m/models/m-13.onnx", testing::IdentityModel());
  WriteTestFile(root_ / "loose/a-13.onnx", testing::IdentityModel());
  WriteTestFile(root_ / "loose/b-13.tar.gz", "x");
  ValidateReport report = Run();
  EXPECT_EQ(report.verdict, Verdict::kDecline);
  ASSERT_FALSE(report.zoo_reasons.empty());
  EXPECT_EQ(report.zoo_reasons[0].message,
            "2 model files in loose not reviewed (a-13.onnx, b-13.tar.gz): no README.md in its "
            "folder or in a parent folder below the zoo root: add the model folder's README.md");
  EXPECT_TRUE(report.zoo_reasons[0].declines());
}

TEST_F(ValidateTest, SymlinkedModelIsNotFollowed) {
  WriteTestFile(root_ / "validated/m/models/m-13.onnx", testing::IdentityModel());
  WriteTestFile(dir_->path() / "elsewhere.onnx", testing::IdentityModel());
  fs::create_symlink(dir_->path() / "elsewhere.onnx", root_ / "validated/m/models/n-13.onnx");
  ValidateReport report = Run();
  ASSERT_EQ(report.models.size(), 1u);
  EXPECT_EQ(report.models[0].steps.size(), 6u);
  const StepResult* integrity = Step(report.models[0], "integrity");
  ASSERT_NE(integrity, nullptr);
  bool link_reported = false;
  for (const Reason& reason : integrity->reasons) {
    link_reported = link_reported || reason.message.find("validated/m/models/n-13.onnx is a "
                                                         "symbolic link to '") == 0;
    EXPECT_EQ(reason.message.find(dir_->path().string() + "/zoo"), std::string::npos);
  }
  EXPECT_TRUE(link_reported);
  bool unreviewed = false;
  for (const Reason& reason : report.zoo_reasons) {
    unreviewed = unreviewed || reason.message.find("(n-13.onnx): a symbolic link") !=
                                   std::string::npos;
  }
  EXPECT_TRUE(unreviewed);
}

}  // namespace
}  // namespace zooci
