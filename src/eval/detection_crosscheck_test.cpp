// EvaluateDetections against tools/coco_reference.py, an independent numpy implementation of
// COCO's evaluation, on random data made to hit the rules' corners: integer boxes on a coarse
// grid (equal IoUs), scores from a few values (equal scores across and within images), crowd
// regions, boxes of every size range, images without ground truth, a category with ground truth
// and no detection, one with detections and no ground truth, images with more than 100
// detections. Both sides are expected to agree to the last bit (same arithmetic, numpy's
// pairwise means).
#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eval/detection_metrics.h"
#include "testing/testing.h"

namespace zooci {
namespace {

using json = nlohmann::json;

struct RandomCase {
  DetectionGroundTruth truth;
  std::vector<DetectedBox> detections;
};

RandomCase MakeCase(uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  RandomCase c;
  const int images = uniform(3, 12);
  for (int image = 0; image < images; ++image) c.truth.image_ids.push_back(100 - 3 * image);
  // Category 4 never has ground truth; category 5 is never detected.
  c.truth.categories = {{1, "a"}, {3, "b"}, {4, "c"}, {5, "d"}};
  const int64_t truth_categories[] = {1, 3, 5};
  const int64_t detected_categories[] = {1, 3, 4};
  auto random_box = [&]() {
    const double scale = std::vector<double>{4, 10, 24}[uniform(0, 2)];  // small .. large
    return BoxXywh{static_cast<double>(uniform(0, 20) * 4), static_cast<double>(uniform(0, 20) * 4),
                   uniform(1, 6) * scale, uniform(1, 6) * scale};
  };
  for (int64_t image : c.truth.image_ids) {
    if (uniform(0, 5) == 0) continue;  // an image without ground truth
    const int boxes = uniform(1, 8);
    std::vector<BoxXywh> placed;
    for (int idx = 0; idx < boxes; ++idx) {
      GroundTruthBox box;
      box.image_id = image;
      box.category_id = truth_categories[uniform(0, 2)];
      box.box = random_box();
      box.crowd = uniform(0, 9) == 0;
      // COCO's area is the segment's: smaller than the box, sometimes crossing a size boundary.
      box.area = box.box.width * box.box.height * (uniform(0, 1) ? 1.0 : 0.7);
      c.truth.boxes.push_back(box);
      placed.push_back(box.box);
    }
    const int detections = uniform(0, 3) == 0 ? 130 : uniform(0, 15);
    for (int idx = 0; idx < detections; ++idx) {
      DetectedBox det;
      det.image_id = image;
      det.category_id = detected_categories[uniform(0, 2)];
      if (!placed.empty() && uniform(0, 2) > 0) {  // near a true box: jittered on a grid
        const size_t which = static_cast<size_t>(uniform(0, static_cast<int>(placed.size()) - 1));
        BoxXywh near = placed[which];
        const double step = std::max(1.0, std::round(near.width / 8));
        near.x += uniform(-1, 1) * step;
        near.y += uniform(-1, 1) * step;
        near.width += uniform(-1, 1) * step;
        near.height += uniform(-1, 1) * step;
        det.box = near;
        const int64_t category =
            c.truth.boxes[c.truth.boxes.size() - placed.size() + which].category_id;
        if (category != 5 && uniform(0, 3) > 0) det.category_id = category;
        det.score = uniform(4, 12) / 12.0;
      } else {
        det.box = random_box();
        det.score = uniform(1, 8) / 12.0;
      }
      c.detections.push_back(det);
    }
  }
  return c;
}

json GroundTruthJson(const DetectionGroundTruth& truth) {
  json images = json::array(), categories = json::array(), annotations = json::array();
  for (int64_t id : truth.image_ids) images.push_back({{"id", id}});
  for (const DetectionCategory& category : truth.categories) {
    categories.push_back({{"id", category.id}, {"name", category.name}});
  }
  int64_t id = 1;
  for (const GroundTruthBox& box : truth.boxes) {
    annotations.push_back({{"id", id++},
                           {"image_id", box.image_id},
                           {"category_id", box.category_id},
                           {"bbox", {box.box.x, box.box.y, box.box.width, box.box.height}},
                           {"area", box.area},
                           {"iscrowd", box.crowd ? 1 : 0}});
  }
  return {{"images", images}, {"categories", categories}, {"annotations", annotations}};
}

json DetectionsJson(const std::vector<DetectedBox>& detections) {
  json list = json::array();
  for (const DetectedBox& det : detections) {
    list.push_back({{"image_id", det.image_id},
                    {"category_id", det.category_id},
                    {"bbox", {det.box.x, det.box.y, det.box.width, det.box.height}},
                    {"score", det.score}});
  }
  return list;
}

TEST(DetectionCrossCheckTest, AgreesWithAnIndependentPythonImplementation) {
  auto scratch = testing::ScratchDir("coco-crosscheck");
  const fs::path reference = fs::path(ZOOCI_SOURCE_DIR) / "tools" / "coco_reference.py";
  int nontrivial = 0, with_large = 0;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomCase c = MakeCase(seed);
    const fs::path gt_file = scratch->path() / ("gt" + std::to_string(seed) + ".json");
    const fs::path dt_file = scratch->path() / ("dt" + std::to_string(seed) + ".json");
    testing::WriteTestFile(gt_file, GroundTruthJson(c.truth).dump());
    testing::WriteTestFile(dt_file, DetectionsJson(c.detections).dump());
    CommandOptions options;
    options.timeout_ms = 300000;
    auto run = RunCapturedCommand(
        {"/usr/bin/python3", reference.string(), gt_file.string(), dt_file.string()}, options);
    ASSERT_TRUE(run.ok()) << run.error().message();
    ASSERT_TRUE(run->exit.exited && run->exit.exit_code == 0) << run->stderr_text;
    json expected = json::parse(run->stdout_text);

    auto metrics = EvaluateDetections(c.truth, c.detections);
    ASSERT_TRUE(metrics.ok()) << metrics.error().message();
    const CocoSummary& s = metrics->summary;
    const double stats[] = {s.ap,  s.ap50, s.ap75,  s.ap_small, s.ap_medium, s.ap_large,
                            s.ar1, s.ar10, s.ar100, s.ar_small, s.ar_medium, s.ar_large};
    for (size_t idx = 0; idx < 12; ++idx) {
      EXPECT_EQ(stats[idx], expected["stats"][idx].get<double>()) << "stat " << idx;
    }
    for (const ClassDetectionMetrics& row : metrics->per_class) {
      const json& ref = expected["per_class"][std::to_string(row.category_id)];
      EXPECT_EQ(row.ap, ref["ap"].get<double>()) << "category " << row.category_id;
      EXPECT_EQ(row.ap50, ref["ap50"].get<double>()) << "category " << row.category_id;
      EXPECT_EQ(row.ap75, ref["ap75"].get<double>()) << "category " << row.category_id;
      EXPECT_EQ(row.recall, ref["recall"].get<double>()) << "category " << row.category_id;
    }

    nontrivial += s.ap > 0.05 && s.ap < 0.95 && s.ap_small > 0 && s.ap_medium > 0;
    with_large += s.ap_large > 0;
  }
  EXPECT_GE(nontrivial, 8) << "the random cases should exercise more than trivial figures";
  EXPECT_GE(with_large, 3);
}

}  // namespace
}  // namespace zooci
