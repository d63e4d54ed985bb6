// A detector's eval step in the validate reports: COCO's figures and the per-class table in
// Markdown and HTML, read from the step's details (zooci eval's detection JSON); and a
// segmentation model's mIoU.
#include <gtest/gtest.h>

#include <string>

#include "report/report.h"

namespace zooci {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ValidateReport DetectionReport() {
  ValidateReport report;
  report.zoo = "zoo";
  report.verdict = Verdict::kDecline;
  ModelReview model;
  model.folder = "validated/vision/object_detection_segmentation/shapes";
  model.verdict = Verdict::kDecline;
  StepResult eval;
  eval.name = "eval";
  eval.status = StepStatus::kFail;
  eval.summary = "mAP 63.55%, mAP@0.5 88.03% (300 images), 1 claim checked";
  eval.details_json = R"({"task": "object-detection", "map_percent": 63.5512,
      "map50_percent": 88.0301, "map75_percent": 70.25, "images": 300,
      "timing": {"images_per_s": 850},
      "per_class": [{"class": "circle", "ap": 0.6, "ap50": 0.9, "recall": 0.7},
                    {"class": "<b>square</b>", "ap": -1, "ap50": -1, "recall": -1}],
      "claims": [{"metric": "mAP", "claimed_percent": 75, "measured_percent": 63.5512,
                  "tolerance_pp": 0.5, "passed": false, "source": "README.md:14"}]})";
  eval.reasons.push_back({"eval", "mAP is claimed 75% (README.md:14) but measures 63.5512%",
                          "README.md", 14, "", ReasonLevel::kDecline});
  model.steps.push_back(eval);
  report.models.push_back(model);
  return report;
}

TEST(DetectionReportTest, StepDetailsReadCocoFigures) {
  StepDetails details = ParseStepDetails(DetectionReport().models[0].steps[0].details_json);
  ASSERT_TRUE(details.valid);
  EXPECT_EQ(details.map_percent, 63.5512);
  EXPECT_EQ(details.map50_percent, 88.0301);
  EXPECT_EQ(details.images, 300);
  ASSERT_EQ(details.class_ap.size(), 2u);
  EXPECT_EQ(details.class_ap[0].ap_percent, 60);
  EXPECT_FALSE(details.class_ap[1].ap_percent.has_value());  // -1: no ground truth
  EXPECT_FALSE(details.top1_percent.has_value());
}

TEST(DetectionReportTest, MarkdownAndHtmlShowMapAndClasses) {
  const ValidateReport report = DetectionReport();
  const std::string markdown = FormatValidateMarkdown(report);
  EXPECT_TRUE(Contains(markdown,
                       "mAP@[.5:.95] 63.55 %, mAP@0.5 88.03 %, mAP@0.75 70.25 % on 300 "
                       "images; 850 images/s"))
      << markdown;
  EXPECT_TRUE(Contains(markdown, "| circle | 60 % | 90 % | 70 % |")) << markdown;
  EXPECT_TRUE(Contains(markdown, "| mAP | 75 % | 63.55 % |")) << markdown;
  const std::string html = FormatValidateHtml(report);
  EXPECT_TRUE(Contains(html, "<h3>Detection (eval)</h3>")) << html;
  EXPECT_TRUE(Contains(html, "mAP@[.5:.95] 63.55 %")) << html;
  EXPECT_TRUE(Contains(html, "<td>&lt;b&gt;square&lt;/b&gt;</td><td class=\"num\">–</td>")) << html;
  EXPECT_TRUE(Contains(html, "<td class=\"fail\">not met</td>")) << html;
  EXPECT_FALSE(Contains(html, "<b>square</b>"));
  const std::string text = FormatValidateText(report);
  EXPECT_TRUE(Contains(text, "mAP 63.55%, mAP@0.5 88.03% (300 images)")) << text;
}

// A segmentation model's eval step: mIoU and pixel accuracy beside its claims.
TEST(SegmentationReportTest, MarkdownAndHtmlShowMiou) {
  ValidateReport report = DetectionReport();
  StepResult& eval = report.models[0].steps[0];
  eval.summary = "mIoU 71.07%, pixel accuracy 95.1% (100 images), 1 claim checked";
  eval.details_json = R"({"task": "semantic-segmentation", "miou_percent": 71.0712,
      "pixel_accuracy_percent": 95.1, "images": 100, "timing": {"images_per_s": 300},
      "per_class": [{"class": "circle", "iou": 0.6, "accuracy": 0.7}],
      "claims": [{"metric": "mIoU", "claimed_percent": 81.07, "measured_percent": 71.0712,
                  "tolerance_pp": 0.5, "passed": false, "source": "README.md:12"}]})";
  const StepDetails details = ParseStepDetails(eval.details_json);
  EXPECT_EQ(details.miou_percent, 71.0712);
  EXPECT_EQ(details.pixel_accuracy_percent, 95.1);
  EXPECT_TRUE(details.class_ap.empty());  // IoU rows are not AP rows
  const std::string markdown = FormatValidateMarkdown(report);
  EXPECT_TRUE(Contains(markdown, "mIoU 71.07 %, pixel accuracy 95.1 % on 100 images; 300 images/s"))
      << markdown;
  EXPECT_TRUE(Contains(markdown, "| mIoU | 81.07 % | 71.07 % |")) << markdown;
  const std::string html = FormatValidateHtml(report);
  EXPECT_TRUE(Contains(html, "<h3>Segmentation (eval)</h3>")) << html;
  EXPECT_TRUE(Contains(html, "mIoU 71.07 %, pixel accuracy 95.1 % on 100 images")) << html;
  EXPECT_TRUE(Contains(html, "<td class=\"fail\">not met</td>")) << html;
}

}  // namespace
}  // namespace zooci
