#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "eval/scenario.h"

namespace zooci {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A model folder with model.onnx, dataset/ (a class folder), labels.txt, data.csv and README.md.
class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("scenario_test");
    ASSERT_TRUE(dir.ok()) << dir.error().message();
    dir_ = std::make_unique<TempDir>(std::move(dir).value());
    Touch("model.onnx");
    fs::create_directories(folder() / "dataset" / "cat");
    Touch("labels.txt");
    Touch("data.csv");
    Touch("README.md");
  }

  const fs::path& folder() const { return dir_->path(); }
  void Touch(const std::string& name) { std::ofstream(folder() / name) << "x"; }

  Result<EvalScenario> Load(const std::string& yaml) {
    std::ofstream(folder() / "zooci.yaml") << yaml;
    return LoadScenario(folder());
  }

  // Loads `yaml`, expects failure and returns the message.
  std::string LoadError(const std::string& yaml) {
    Result<EvalScenario> scenario = Load(yaml);
    EXPECT_FALSE(scenario.ok()) << yaml;
    return scenario.ok() ? "" : scenario.error().message();
  }

  std::unique_ptr<TempDir> dir_;
};

const char* const kMinimal =
    "dataset: {format: imagefolder, path: dataset}\n"
    "preprocessing:\n"
    "  - decode: color\n";

TEST_F(ScenarioTest, LoadsAFullFile) {
  auto scenario = Load(R"yaml(task: image-classification
model: model.onnx
dataset:
  format: csv
  path: data.csv
  labels: labels.txt
  header: true
  limit: 500
preprocessing:
  - decode: color
  - color: RGB
  - resize: {shorter_side: 256, interpolation: bicubic}
  - center_crop: {size: [224, 200]}
  - scale: 0.00392156862745098
  - normalize: {mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}
  - layout: NHWC
  - dtype: float32
output:
  name: logits
  kind: probabilities
  label_offset: 1
  top_k: 3
claims:
  top5: 99.9
  readme: {file: README.md, column: "Top-1 accuracy (%)", row: "digits_cnn"}
tolerance: 0.25
batch_size: 16
)yaml");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->folder, folder());
  EXPECT_EQ(scenario->task, EvalTask::kImageClassification);
  EXPECT_EQ(scenario->model, folder() / "model.onnx");
  EXPECT_EQ(scenario->dataset.format, DatasetFormat::kCsv);
  EXPECT_EQ(scenario->dataset.path, folder() / "data.csv");
  EXPECT_EQ(scenario->dataset.labels, folder() / "labels.txt");
  EXPECT_TRUE(scenario->dataset.header);
  EXPECT_EQ(scenario->dataset.limit, 500);
  ASSERT_EQ(scenario->preprocessing.size(), 8u);
  const auto& steps = scenario->preprocessing;
  EXPECT_EQ(steps[0].kind, PreprocessKind::kDecode);
  EXPECT_EQ(steps[0].text, "color");
  EXPECT_EQ(steps[1].text, "RGB");
  EXPECT_EQ(steps[2].shorter_side, 256);
  EXPECT_EQ(steps[2].text, "bicubic");
  EXPECT_EQ(steps[3].kind, PreprocessKind::kCenterCrop);
  EXPECT_EQ(steps[3].height, 224);
  EXPECT_EQ(steps[3].width, 200);
  EXPECT_DOUBLE_EQ(steps[4].scale, 0.00392156862745098);
  EXPECT_EQ(steps[5].mean, (std::vector<double>{0.485, 0.456, 0.406}));
  EXPECT_EQ(steps[5].std, (std::vector<double>{0.229, 0.224, 0.225}));
  EXPECT_EQ(steps[6].text, "NHWC");
  EXPECT_EQ(steps[7].text, "float32");
  EXPECT_EQ(scenario->output.name, "logits");
  EXPECT_EQ(scenario->output.kind, "probabilities");
  EXPECT_EQ(scenario->output.label_offset, 1);
  EXPECT_EQ(scenario->output.top_k, 3);
  EXPECT_FALSE(scenario->claims.top1.has_value());
  EXPECT_EQ(scenario->claims.top5, 99.9);
  ASSERT_TRUE(scenario->claims.readme.has_value());
  EXPECT_EQ(scenario->claims.readme->file, folder() / "README.md");
  EXPECT_EQ(scenario->claims.readme->column, "Top-1 accuracy (%)");
  EXPECT_EQ(scenario->claims.readme->row, "digits_cnn");
  EXPECT_EQ(scenario->tolerance_pp, 0.25);
  EXPECT_EQ(scenario->batch_size, 16);
}

TEST_F(ScenarioTest, AppliesDefaults) {
  auto scenario = Load(kMinimal);
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->task, EvalTask::kImageClassification);
  EXPECT_EQ(scenario->model, folder() / "model.onnx");  // the folder's single .onnx file
  EXPECT_EQ(scenario->dataset.format, DatasetFormat::kImageFolder);
  EXPECT_EQ(scenario->dataset.path, folder() / "dataset");
  EXPECT_TRUE(scenario->dataset.labels.empty());
  EXPECT_FALSE(scenario->dataset.header);
  EXPECT_EQ(scenario->dataset.limit, 0);
  EXPECT_EQ(scenario->output.name, "");
  EXPECT_EQ(scenario->output.kind, "logits");
  EXPECT_EQ(scenario->output.label_offset, 0);
  EXPECT_EQ(scenario->output.top_k, 5);
  EXPECT_FALSE(scenario->claims.top1 || scenario->claims.top5 || scenario->claims.readme);
  EXPECT_EQ(scenario->tolerance_pp, 0.5);
  EXPECT_EQ(scenario->batch_size, 0);
}

TEST_F(ScenarioTest, ResizeDefaultsToBilinearAndEmptySectionsAreAllowed) {
  auto scenario = Load(std::string(kMinimal) + "  - resize: {size: [10, 20]}\noutput:\nclaims:\n");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->preprocessing[1].text, "bilinear");
  EXPECT_EQ(scenario->preprocessing[1].height, 10);
  EXPECT_EQ(scenario->preprocessing[1].width, 20);
}

TEST_F(ScenarioTest, LoadsAnExplicitFile) {
  std::ofstream(folder() / "other.yaml") << kMinimal;
  auto scenario = LoadScenario(folder(), folder() / "other.yaml");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
}

TEST_F(ScenarioTest, UnknownKeysListTheValidOnes) {
  std::string message = LoadError(
      "dataset:\n  format: imagefolder\n  path: dataset\n  lables: labels.txt\n"
      "preprocessing: [decode: color]\n");
  EXPECT_TRUE(Contains(message,
                       "zooci.yaml:4: dataset: unknown key 'lables' (valid: format, "
                       "path, labels, header, limit, annotations, ignore_index)"))
      << message;
  message = LoadError(std::string(kMinimal) + "claim: {top1: 5}\n");
  EXPECT_TRUE(Contains(message,
                       "unknown key 'claim' (valid: task, model, dataset, preprocessing, "
                       "output, claims, tolerance, batch_size)"))
      << message;
  message = LoadError(std::string(kMinimal) + "  - resize: {shorter: 5}\n");
  EXPECT_TRUE(Contains(message,
                       "preprocessing[1].resize: unknown key 'shorter' (valid: "
                       "shorter_side, size, interpolation)"))
      << message;
  message = LoadError(std::string(kMinimal) + "claims: {readme: {file: README.md, col: x}}\n");
  EXPECT_TRUE(Contains(message, "claims.readme: unknown key 'col' (valid: file, column, row)"))
      << message;
  message = LoadError(std::string(kMinimal) + "  - crop: {size: [1, 1]}\n");
  EXPECT_TRUE(Contains(message,
                       "preprocessing[1]: unknown step 'crop' (valid: decode, color, "
                       "resize, center_crop, letterbox, scale, normalize, layout, dtype)"))
      << message;
}

TEST_F(ScenarioTest, BadEnumerationsListTheValidValues) {
  std::string message = LoadError(std::string(kMinimal) + "  - color: RBG\n");
  EXPECT_TRUE(Contains(message,
                       "zooci.yaml:4: preprocessing[1].color: bad value 'RBG' "
                       "(valid: RGB, BGR, GRAY)"))
      << message;
  message = LoadError(std::string(kMinimal) + "  - resize: {size: [2, 2], interpolation: cubic}\n");
  EXPECT_TRUE(Contains(message,
                       "preprocessing[1].resize.interpolation: bad value 'cubic' (valid: "
                       "nearest, bilinear, bicubic, area)"))
      << message;
  message = LoadError("task: detection\n" + std::string(kMinimal));
  EXPECT_TRUE(Contains(message, "task: bad value 'detection'")) << message;
  message = LoadError("dataset: {format: folder, path: dataset}\npreprocessing: [decode: color]\n");
  EXPECT_TRUE(
      Contains(message, "dataset.format: bad value 'folder' (valid: imagefolder, csv, tsv)"))
      << message;
  message = LoadError(std::string(kMinimal) + "output: {kind: scores}\n");
  EXPECT_TRUE(Contains(message, "output.kind: bad value 'scores'")) << message;
}

TEST_F(ScenarioTest, MissingRequiredKeys) {
  EXPECT_TRUE(
      Contains(LoadError("preprocessing: [decode: color]\n"), "missing required key 'dataset'"));
  EXPECT_TRUE(Contains(LoadError("dataset: {format: imagefolder, path: dataset}\n"),
                       "missing required key 'preprocessing'"));
  EXPECT_TRUE(
      Contains(LoadError("dataset: {format: imagefolder}\npreprocessing: [decode: color]\n"),
               "dataset: missing required key 'path'"));
  EXPECT_TRUE(Contains(LoadError("dataset: {format: csv, path: data.csv}\n"
                                 "preprocessing: [decode: color]\n"),
                       "dataset: missing required key 'labels' (required for csv)"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - normalize: {mean: [1]}\n"),
                       "preprocessing[1].normalize: missing required key 'std'"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "claims: {readme: {file: README.md}}\n"),
                       "claims.readme: missing required key 'column'"));
}

TEST_F(ScenarioTest, PathsMayNotLeaveTheFolder) {
  fs::create_directories(folder().parent_path() / "outside");
  std::string message = LoadError(
      "dataset: {format: imagefolder, path: ../outside}\npreprocessing: [decode: color]\n");
  EXPECT_TRUE(Contains(message, "dataset.path: '../outside' leaves the model folder")) << message;
  message = LoadError(
      "dataset: {format: imagefolder, path: dataset/../../x}\n"
      "preprocessing: [decode: color]\n");
  EXPECT_TRUE(Contains(message, "leaves the model folder")) << message;
  message = LoadError("model: /etc/passwd\n" + std::string(kMinimal));
  EXPECT_TRUE(Contains(message, "model: '/etc/passwd' is absolute")) << message;
  // ".." that stays inside after normalization is fine.
  auto scenario = Load(
      "dataset: {format: imagefolder, path: dataset/cat/../}\n"
      "preprocessing: [decode: color]\n");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
}

TEST_F(ScenarioTest, PathsMustExistWithTheRightKind) {
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "model: nope.onnx\n"),
                       "model: 'nope.onnx' does not exist"));
  EXPECT_TRUE(Contains(LoadError("dataset: {format: csv, path: data.csv, labels: nope.txt}\n"
                                 "preprocessing: [decode: color]\n"),
                       "dataset.labels: 'nope.txt' does not exist"));
  EXPECT_TRUE(Contains(LoadError("dataset: {format: imagefolder, path: labels.txt}\n"
                                 "preprocessing: [decode: color]\n"),
                       "dataset.path: 'labels.txt' is not a directory"));
  EXPECT_TRUE(Contains(LoadError("dataset: {format: tsv, path: dataset, labels: labels.txt}\n"
                                 "preprocessing: [decode: color]\n"),
                       "dataset.path: 'dataset' is not a regular file"));
  EXPECT_TRUE(
      Contains(LoadError(std::string(kMinimal) + "claims: {readme: {file: NOTES.md, column: x}}\n"),
               "claims.readme.file: 'NOTES.md' does not exist"));
  EXPECT_TRUE(Contains(LoadScenario(folder() / "absent").error().message(), "cannot open"));
}

TEST_F(ScenarioTest, ModelDefaultsToTheSingleOnnxFile) {
  Touch("b.onnx");
  EXPECT_TRUE(Contains(LoadError(kMinimal), "several .onnx files in " + folder().string() +
                                                " (b.onnx, model.onnx); choose one with 'model:'"));
  fs::remove(folder() / "b.onnx");
  fs::remove(folder() / "model.onnx");
  EXPECT_TRUE(Contains(LoadError(kMinimal), "no .onnx file in"));
}

TEST_F(ScenarioTest, YamlSyntaxErrorsNameTheLine) {
  std::string message = LoadError(
      "dataset:\n  format: imagefolder\n  path: [dataset\n"
      "preprocessing: [decode: color]\n");
  EXPECT_TRUE(Contains(message, (folder() / "zooci.yaml").string() + ":4:")) << message;
  EXPECT_TRUE(Contains(message, "YAML error")) << message;
  message = LoadError("a: 1\n  b: 2\n");
  EXPECT_TRUE(Contains(message, "zooci.yaml:2:")) << message;
  EXPECT_TRUE(Contains(LoadError(""), "the file is empty"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "---\ntask: x\n"), "one YAML document"));
}

TEST_F(ScenarioTest, RangesAndTypesAreChecked) {
  auto dataset_with = [](const std::string& extra) {
    return "dataset: {format: imagefolder, path: dataset, " + extra +
           "}\npreprocessing: [decode: color]\n";
  };
  EXPECT_TRUE(
      Contains(LoadError(dataset_with("limit: -1")), "dataset.limit: must be at least 0, got -1"));
  EXPECT_TRUE(Contains(LoadError(dataset_with("limit: 1.5")),
                       "dataset.limit: expected an integer, got '1.5'"));
  EXPECT_TRUE(Contains(LoadError(dataset_with("header: true")), "applies to csv and tsv only"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "tolerance: -0.1\n"),
                       "tolerance: must be at least 0"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "tolerance: .nan\n"),
                       "tolerance: expected a finite number"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "output: {top_k: 0}\n"),
                       "output.top_k: must be between 1 and"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "batch_size: 0\n"),
                       "batch_size: must be between 1 and"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "batch_size: [1]\n"),
                       "batch_size: expected an integer, got a list"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - resize: {size: [0, 4]}\n"),
                       "preprocessing[1].resize.size[0]: must be at least 1, got 0"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - center_crop: {size: 224}\n"),
                       "preprocessing[1].center_crop.size: expected [height, width]"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - resize: {shorter_side: 2, "
                                                         "size: [2, 2]}\n"),
                       "give exactly one of 'shorter_side' and 'size'"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - normalize: {mean: [0], std: [0]}\n"),
                       "preprocessing[1].normalize.std[0]: must not be 0"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - scale: x\n"),
                       "preprocessing[1].scale: expected a finite number, got 'x'"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "claims: {top1: 101}\n"),
                       "claims.top1: a percentage must be within [0, 100]"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "dataset: {}\n"), "duplicate key"));
  EXPECT_TRUE(Contains(LoadError("[1, 2]\n"), "expected a mapping, got a list"));
}

TEST_F(ScenarioTest, StepsAreSingleKeyMappings) {
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - layout\n"),
                       "preprocessing[1]: expected a mapping with one key naming the step"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - {layout: NCHW, dtype: uint8}\n"),
                       "preprocessing[1]: expected a mapping with one key"));
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) + "  - layout: [NCHW]\n"),
                       "preprocessing[1].layout: expected a string, got a list"));
  EXPECT_TRUE(
      Contains(LoadError("dataset: {format: imagefolder, path: dataset}\npreprocessing: []\n"),
               "preprocessing: expected a non-empty list of steps"));
}

TEST_F(ScenarioTest, ClaimsAreOptionalButTop1IsClaimedOnce) {
  EXPECT_TRUE(Load(std::string(kMinimal) + "claims: {top1: 97.5, top5: 99}\n").ok());
  EXPECT_TRUE(Contains(LoadError(std::string(kMinimal) +
                                 "claims: {top1: 97, readme: {file: README.md, column: x}}\n"),
                       "'top1' and 'readme' both claim top-1 accuracy"));
}

TEST_F(ScenarioTest, ValidatesThePipeline) {
  std::string message =
      LoadError(std::string(kMinimal) + "  - normalize: {mean: [0.5, 0.5], std: [0.2]}\n");
  EXPECT_TRUE(Contains(message, "zooci.yaml: preprocessing[1] normalize: mean has 2 values"))
      << message;
  message = LoadError(
      "dataset: {format: imagefolder, path: dataset}\n"
      "preprocessing: [color: RGB, decode: color]\n");
  EXPECT_TRUE(Contains(message, "preprocessing[0] color: the first step must be decode"))
      << message;
  message = LoadError(std::string(kMinimal) + "  - scale: 2\n  - dtype: uint8\n");
  EXPECT_TRUE(Contains(message, "preprocessing[2] dtype: uint8 output cannot hold")) << message;
}

PreprocessStep Step(PreprocessKind kind, const std::string& text) {
  PreprocessStep step;
  step.kind = kind;
  step.text = text;
  return step;
}

TEST(PreprocessStepTest, Describe) {
  PreprocessStep resize = Step(PreprocessKind::kResize, "bilinear");
  resize.shorter_side = 256;
  EXPECT_EQ(resize.Describe(), "resize(shorter_side=256, bilinear)");
  resize.shorter_side = 0;
  resize.height = 224;
  resize.width = 200;
  resize.text = "nearest";
  EXPECT_EQ(resize.Describe(), "resize(size=[224,200], nearest)");
  PreprocessStep normalize = Step(PreprocessKind::kNormalize, "");
  normalize.mean = {0.485, 0.456};
  normalize.std = {0.5};
  EXPECT_EQ(normalize.Describe(), "normalize(mean=[0.485,0.456], std=[0.5])");
  EXPECT_EQ(Step(PreprocessKind::kDecode, "grayscale").Describe(), "decode(grayscale)");
  PreprocessStep scale = Step(PreprocessKind::kScale, "");
  scale.scale = 0.00392156862745098;
  EXPECT_EQ(scale.Describe(), "scale(0.00392157)");
}

}  // namespace
}  // namespace zooci
