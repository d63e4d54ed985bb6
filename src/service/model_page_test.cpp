// The model page and /api/v1/models read the eval step of each stored review: a classifier's
// top-1, a detector's mAP@[.5:.95] and mAP@0.5, a segmentation model's mIoU and pixel accuracy,
// each against its own claim. The reviews go through a real SQLite store in the envelope the
// runner writes (FormatValidateJson's document), with the eval step's details as zooci eval's
// JSON report (FormatEvalJson).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "eval/eval.h"
#include "report/report.h"
#include "service/internal.h"
#include "testing/testing.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

const char kRepo[] = "example/zoo";
const char kDetector[] = "validated/vision/object_detection_segmentation/shapes_yolo";
const char kSegmenter[] = "validated/vision/object_detection_segmentation/shapes_seg";

ClaimCheck Claim(const std::string& metric, double claimed, double measured) {
  ClaimCheck claim;
  claim.metric = metric;
  claim.claimed_percent = claimed;
  claim.measured_percent = measured;
  claim.tolerance_pp = 0.5;
  claim.source = "README.md:23, column 'x'";
  claim.passed = measured >= claimed - 0.5;
  return claim;
}

// zooci eval's JSON report of a detector measuring `map`/`map50` (fractions), claiming `claimed`
// percent mAP@[.5:.95].
std::string DetectionDetails(double map, double map50, double claimed) {
  EvalResult result;
  result.task = TaskName(EvalTask::kObjectDetection);
  result.detection.summary.ap = map;
  result.detection.summary.ap50 = map50;
  result.claims.push_back(Claim("mAP@0.5", 99, map50 * 100));  // another metric's claim first
  result.claims.push_back(Claim("mAP", claimed, map * 100));
  return FormatEvalJson(result);
}

std::string SegmentationDetails(double miou_percent, double pixel_percent, double claimed) {
  EvalResult result;
  result.task = TaskName(EvalTask::kSemanticSegmentation);
  result.segmentation.miou_percent = miou_percent;
  result.segmentation.pixel_accuracy_percent = pixel_percent;
  result.claims.push_back(Claim("mIoU", claimed, miou_percent));
  return FormatEvalJson(result);
}

class ModelPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir("model_page");
    auto store = OpenJobStore("sqlite:" + (dir_->path() / "jobs.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_ = std::move(*store);
  }

  // Stores a finished review of `folder` whose eval step reports `details`.
  void Review(const std::string& folder, const std::string& details, Verdict verdict) {
    ValidateReport report;
    report.zoo = kRepo;
    ModelReview model;
    model.folder = folder;
    model.verdict = verdict;
    StepResult eval;
    eval.name = "eval";
    eval.details_json = details;
    model.steps.push_back(eval);
    report.models.push_back(model);
    report.verdict = verdict;
    json envelope = {{"verdict", VerdictName(verdict)},
                     {"report", json::parse(FormatValidateJson(report))}};
    JobSpec spec;
    spec.repo = kRepo;
    spec.head_sha = std::string(40, 'a');
    spec.pr_number = ++pr_;
    auto id = store_->Enqueue(spec, 1000);
    ASSERT_TRUE(id.ok()) << id.error().message();
    auto claimed = store_->Claim("w1", 60000, 1000);
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
    auto done = store_->Complete(*id, "w1", envelope.dump(), "log", 2000);
    ASSERT_TRUE(done.ok() && *done);
  }

  std::vector<Job> Jobs() {
    auto jobs = store_->Recent(100, 0);
    EXPECT_TRUE(jobs.ok());
    return jobs.ok() ? *jobs : std::vector<Job>{};
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<JobStore> store_;
  int64_t pr_ = 0;
};

TEST_F(ModelPageTest, DetectorChartsMapAgainstTheClaimedMap) {
  Review(kDetector, DetectionDetails(0.5898, 0.8766, 58.98), Verdict::kAccept);
  Review(kDetector, DetectionDetails(0.5898, 0.8766, 68.98), Verdict::kDecline);
  const std::vector<Job> jobs = Jobs();

  const json history = json::parse(ModelHistoryJson(jobs, kRepo, kDetector));
  ASSERT_EQ(history["reviews"].size(), 2u);
  EXPECT_EQ(history["verdict"], "DECLINE");
  const json& newest = history["reviews"][0];
  EXPECT_EQ(newest["task"], "object-detection");
  EXPECT_DOUBLE_EQ(newest["map_percent"].get<double>(), 58.98);
  EXPECT_DOUBLE_EQ(newest["map50_percent"].get<double>(), 87.66);
  EXPECT_DOUBLE_EQ(newest["claimed_map_percent"].get<double>(), 68.98);  // not mAP@0.5's 99
  EXPECT_TRUE(newest["top1_percent"].is_null());
  EXPECT_DOUBLE_EQ(history["reviews"][1]["claimed_map_percent"].get<double>(), 58.98);

  const std::string page = ModelPage(jobs, kRepo, kDetector);
  EXPECT_NE(page.find("<title>mAP (claimed mAP@[.5:.95]: dashed)</title>"), std::string::npos);
  // Both series, one point per review each, and the newest claim as the dashed line.
  EXPECT_NE(page.find(": mAP@[.5:.95] 58.98 %</title>"), std::string::npos) << page;
  EXPECT_NE(page.find(": mAP@0.5 87.66 %</title>"), std::string::npos);
  size_t points = 0;
  for (size_t at = page.find("<circle"); at != std::string::npos;
       at = page.find("<circle", at + 1)) {
    ++points;
  }
  EXPECT_EQ(points, 4u);
  EXPECT_NE(page.find("<title>claimed 68.98</title>"), std::string::npos);
  EXPECT_NE(page.find("<th>mAP@[.5:.95]</th>"), std::string::npos);
  EXPECT_NE(page.find("<td>58.98 %</td>"), std::string::npos);
  EXPECT_EQ(page.find("no figures yet</text></svg></figure><figure id=\"zooci-latency\""),
            std::string::npos);
}

TEST_F(ModelPageTest, SegmentationModelChartsMiouAgainstTheClaim) {
  Review(kSegmenter, SegmentationDetails(71.25, 93.5, 71.25), Verdict::kAccept);
  const std::vector<Job> jobs = Jobs();
  const json history = json::parse(ModelHistoryJson(jobs, kRepo, kSegmenter));
  ASSERT_EQ(history["reviews"].size(), 1u);
  EXPECT_EQ(history["reviews"][0]["task"], "semantic-segmentation");
  EXPECT_DOUBLE_EQ(history["reviews"][0]["miou_percent"].get<double>(), 71.25);
  EXPECT_DOUBLE_EQ(history["reviews"][0]["pixel_accuracy_percent"].get<double>(), 93.5);
  EXPECT_DOUBLE_EQ(history["reviews"][0]["claimed_miou_percent"].get<double>(), 71.25);
  const std::string page = ModelPage(jobs, kRepo, kSegmenter);
  EXPECT_NE(page.find(": mIoU 71.25 %</title>"), std::string::npos) << page;
  EXPECT_NE(page.find(": pixel acc. 93.5 %</title>"), std::string::npos);
  EXPECT_NE(page.find("<title>claimed 71.25</title>"), std::string::npos);
}

TEST_F(ModelPageTest, ClassifierKeepsTopOneAndOtherFoldersAreLeftOut) {
  EvalResult result;
  result.task = TaskName(EvalTask::kImageClassification);
  result.metrics.top1_percent = 97.5;
  result.claims.push_back(Claim("top-1", 97.8, 97.5));
  Review("validated/vision/classification/digits", FormatEvalJson(result), Verdict::kAccept);
  Review(kDetector, DetectionDetails(0.5, 0.8, 50), Verdict::kAccept);
  const std::vector<Job> jobs = Jobs();
  const json history =
      json::parse(ModelHistoryJson(jobs, kRepo, "validated/vision/classification/digits"));
  ASSERT_EQ(history["reviews"].size(), 1u);
  EXPECT_DOUBLE_EQ(history["reviews"][0]["top1_percent"].get<double>(), 97.5);
  EXPECT_DOUBLE_EQ(history["reviews"][0]["claimed_top1_percent"].get<double>(), 97.8);
  EXPECT_TRUE(history["reviews"][0]["map_percent"].is_null());
  const std::string page = ModelPage(jobs, kRepo, "validated/vision/classification/digits");
  EXPECT_NE(page.find("<title>top-1 accuracy (claimed: dashed)</title>"), std::string::npos);
  EXPECT_NE(page.find(": top-1 97.5 %</title>"), std::string::npos);
  EXPECT_EQ(page.find("mAP"), std::string::npos);
}

}  // namespace
}  // namespace zooci::service_internal
