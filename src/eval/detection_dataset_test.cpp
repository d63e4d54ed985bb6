// Detection datasets: COCO JSON and the boxes format, read without decoding an image.
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "eval/eval.h"

namespace zooci {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class DetectionDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("detection_dataset_test");
    ASSERT_TRUE(dir.ok()) << dir.error().message();
    dir_ = std::make_unique<TempDir>(std::move(dir).value());
    fs::create_directories(root() / "images");
    for (const char* name : {"a.png", "b.png", "c.jpg"}) Write("images/" + std::string(name), "x");
  }
  const fs::path& root() const { return dir_->path(); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root() / name) << text;
  }
  DatasetSpec Coco(const std::string& json) {
    Write("instances.json", json);
    DatasetSpec spec;
    spec.root = root();
    spec.format = DatasetFormat::kCoco;
    spec.path = root() / "images";
    spec.annotations = root() / "instances.json";
    return spec;
  }
  DatasetSpec Boxes() {
    DatasetSpec spec;
    spec.root = root();
    spec.format = DatasetFormat::kBoxes;
    spec.path = root() / "images";
    spec.annotations = root() / "images";
    spec.labels = root() / "classes.txt";
    return spec;
  }
  std::string LoadError(const DatasetSpec& spec) {
    auto dataset = LoadDetectionDataset(spec);
    EXPECT_FALSE(dataset.ok());
    return dataset.ok() ? "" : dataset.error().message();
  }

  std::unique_ptr<TempDir> dir_;
};

const char* const kCoco = R"json({
  "images": [{"id": 9, "file_name": "b.png"}, {"id": 4, "file_name": "a.png"}],
  "categories": [{"id": 18, "name": "dog"}, {"id": 1, "name": "person"}],
  "annotations": [
    {"id": 1, "image_id": 9, "category_id": 18, "bbox": [1, 2, 30, 40], "area": 700.5, "iscrowd": 0},
    {"id": 2, "image_id": 4, "category_id": 1, "bbox": [0, 0, 10, 10], "iscrowd": 1},
    {"id": 3, "image_id": 4, "category_id": 1, "bbox": [5, 5, 4, 2]}
  ]})json";

TEST_F(DetectionDatasetTest, ReadsCocoInstancesInImageIdOrder) {
  auto dataset = LoadDetectionDataset(Coco(kCoco));
  ASSERT_TRUE(dataset.ok()) << dataset.error().message();
  ASSERT_EQ(dataset->images.size(), 2u);
  EXPECT_EQ(dataset->images[0].id, 4);
  EXPECT_EQ(dataset->images[0].path, root() / "images" / "a.png");
  EXPECT_EQ(dataset->truth.image_ids, (std::vector<int64_t>{4, 9}));
  ASSERT_EQ(dataset->truth.categories.size(), 2u);
  EXPECT_EQ(dataset->truth.categories[0].id, 18);  // file order: ids are not indices
  ASSERT_EQ(dataset->truth.boxes.size(), 3u);
  EXPECT_EQ(dataset->truth.boxes[0].area, 700.5);  // COCO's area, not the box's
  EXPECT_TRUE(dataset->truth.boxes[1].crowd);
  EXPECT_EQ(dataset->truth.boxes[2].area, 8);  // no area: the box's
  EXPECT_TRUE(Contains(dataset->description, "2 images, 2 categories, 2 boxes, 1 crowd regions"))
      << dataset->description;
  DatasetSpec limited = Coco(kCoco);
  limited.limit = 1;  // the first image by id, and only its boxes
  auto first = LoadDetectionDataset(limited);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->truth.image_ids, (std::vector<int64_t>{4}));
  EXPECT_EQ(first->truth.boxes.size(), 2u);
}

TEST_F(DetectionDatasetTest, CocoErrorsNameTheEntry) {
  EXPECT_TRUE(Contains(LoadError(Coco("[]")), "not a JSON object"));
  EXPECT_TRUE(
      Contains(LoadError(Coco(R"({"images": [], "annotations": []})")), "no 'categories' list"));
  EXPECT_TRUE(
      Contains(LoadError(Coco(R"({"images": [{"id": 1, "file_name": "../x.png"}], "annotations": [],
                         "categories": []})")),
               "images[0]: '../x.png' is not a relative path inside the dataset"));
  EXPECT_TRUE(
      Contains(LoadError(Coco(R"({"images": [{"id": 1, "file_name": "zz.png"}], "annotations": [],
                         "categories": []})")),
               "images[0]: no such image"));
  EXPECT_TRUE(Contains(
      LoadError(Coco(R"({"images": [{"id": 1, "file_name": "a.png"}], "categories": [{"id": 1,
          "name": "a"}], "annotations": [{"image_id": 2, "category_id": 1, "bbox": [0,0,1,1]}]})")),
      "annotations[0]: image_id 2 is not in images"));
  EXPECT_TRUE(Contains(
      LoadError(Coco(R"({"images": [{"id": 1, "file_name": "a.png"}], "categories": [{"id": 1,
          "name": "a"}], "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0,0,1]}]})")),
      "annotations[0]: bbox is not [x, y, w, h]"));
  EXPECT_TRUE(Contains(
      LoadError(Coco(R"({"images": [{"id": 1, "file_name": "a.png"}], "categories": [{"id": 1,
          "name": "a"}], "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0,0,1,1],
          "iscrowd": 1}]})")),
      "no ground-truth box (crowd regions aside)"));
  EXPECT_TRUE(Contains(LoadError(Coco(R"({"images": [{"file_name": "a.png"}], "annotations": [],
                                          "categories": []})")),
                       "instances.json"));
}

TEST_F(DetectionDatasetTest, ReadsTheBoxesFormat) {
  Write("classes.txt", "traffic light\ncat\n");
  Write("images/a.txt", "# a comment\ncat 1 2 11 22\ntraffic light 0 0 4 8 crowd\n");
  Write("images/b.txt", "");  // an image without objects
  Write("images/c.txt", "traffic light\t10 10 20 30\n");
  auto dataset = LoadDetectionDataset(Boxes());
  ASSERT_TRUE(dataset.ok()) << dataset.error().message();
  ASSERT_EQ(dataset->images.size(), 3u);  // a.png, b.png, c.jpg: ids 1, 2, 3
  EXPECT_EQ(dataset->images[2].path.filename(), "c.jpg");
  EXPECT_EQ(dataset->truth.categories[0].name, "traffic light");
  EXPECT_EQ(dataset->truth.categories[0].id, 1);
  ASSERT_EQ(dataset->truth.boxes.size(), 3u);
  const GroundTruthBox& cat = dataset->truth.boxes[0];
  EXPECT_EQ(cat.category_id, 2);
  EXPECT_EQ(cat.box.x, 1);
  EXPECT_EQ(cat.box.width, 10);
  EXPECT_EQ(cat.box.height, 20);
  EXPECT_EQ(cat.area, 200);
  EXPECT_TRUE(dataset->truth.boxes[1].crowd);
  EXPECT_EQ(dataset->truth.boxes[2].image_id, 3);
}

TEST_F(DetectionDatasetTest, BoxesErrorsNameTheFileAndLine) {
  Write("classes.txt", "cat\n");
  Write("images/a.txt", "cat 1 2 11 22\n");
  Write("images/b.txt", "");
  EXPECT_TRUE(Contains(LoadError(Boxes()), "c.txt: cannot read the annotations of c.jpg"));
  Write("images/c.txt", "cat 1 2 11\n");
  EXPECT_TRUE(Contains(LoadError(Boxes()), "c.txt:1: expected '<class name> x_min"));
  Write("images/c.txt", "\ndog 1 2 3 4\n");
  EXPECT_TRUE(Contains(LoadError(Boxes()), "c.txt:2: class 'dog' is not in the labels file"));
  Write("images/c.txt", "cat 5 2 3 4\n");
  EXPECT_TRUE(Contains(LoadError(Boxes()), "c.txt:1: x_max < x_min"));
  Write("images/c.txt", "cat 1 2 x 4\n");
  EXPECT_TRUE(Contains(LoadError(Boxes()), "c.txt:1: 'x' is not a number"));
}

}  // namespace
}  // namespace zooci
