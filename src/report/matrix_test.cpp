// The compatibility matrix in every view: exact text lines, the small Markdown table, the JSON
// fields (the step's figures and the review's runtimes) and the HTML table, on a hand-built review
// of two models on two runtimes: one agreeing, one refused by the reported runtime with a hostile
// reason, and a disagreement with its first differing element.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/report.h"

namespace zooci {
namespace {

using json = nlohmann::json;

MatrixRow Row(std::string runtime, std::string backend, bool required, MatrixStatus status) {
  MatrixRow row;
  row.runtime = std::move(runtime);
  row.backend = std::move(backend);
  row.required = required;
  row.primary = required;
  row.status = status;
  return row;
}

MatrixOutput Output(std::string name, double max_abs, double max_rel, int64_t mismatches) {
  MatrixOutput output;
  output.name = std::move(name);
  output.elements = 1000;
  output.mismatches = mismatches;
  output.max_abs_error = max_abs;
  output.max_rel_error = max_rel;
  output.within_tolerance = mismatches == 0;
  return output;
}

RuntimeMatrix BaseMatrix() {
  RuntimeMatrix matrix;
  matrix.inputs = "test data: 1 data set (model/m.tar.gz)";
  matrix.reference = true;
  matrix.rtol = 1e-3;
  matrix.atol = 1e-5;
  matrix.warmup_runs = 3;
  matrix.latency_runs = 20;
  return matrix;
}

// resnet: both runtimes run it; opencv differs from ort at flat index 17.
RuntimeMatrix AgreeingMatrix() {
  RuntimeMatrix matrix = BaseMatrix();
  MatrixRow ort = Row("ort", "onnxruntime 1.30.0", true, MatrixStatus::kOk);
  ort.loads = ort.runs = ort.within_tolerance = true;
  ort.outputs.push_back(Output("output", 3.4e-6, 2.1e-5, 0));
  ort.p50_ms = 12.25;
  ort.latency_runs = 20;
  MatrixRow opencv = Row("opencv", "opencv-dnn 4.6.0", false, MatrixStatus::kOk);
  opencv.loads = opencv.runs = opencv.within_tolerance = true;
  opencv.outputs.push_back(Output("output", 2.6e-6, 1.5e-5, 0));
  opencv.p50_ms = 9.5;
  opencv.latency_runs = 20;
  matrix.rows = {ort, opencv};
  MatrixAgreement agreement;
  agreement.runtime = "opencv";
  agreement.against = "ort";
  agreement.agrees = false;
  MatrixOutput differing = Output("output", 0.02, 0.5, 3);
  differing.first_mismatch = MatrixMismatch{"test_data_set_0", 17, "1.5", "1.52"};
  agreement.outputs.push_back(differing);
  matrix.agreement.push_back(agreement);
  return matrix;
}

// mobilenet: the reported runtime refuses it, with markup and a table separator in the reason.
RuntimeMatrix RefusedMatrix() {
  RuntimeMatrix matrix = BaseMatrix();
  MatrixRow ort = Row("ort", "onnxruntime 1.30.0", true, MatrixStatus::kOk);
  ort.loads = ort.runs = ort.within_tolerance = true;
  ort.p50_ms = 2.5;
  ort.latency_runs = 20;
  MatrixRow opencv = Row("opencv", "opencv-dnn 4.6.0", false, MatrixStatus::kRefused);
  opencv.loads = opencv.runs = false;
  opencv.reason = "opencv-dnn: import: Node [Clip@ai.onnx] <b>|x</b>";
  matrix.rows = {ort, opencv};
  MatrixAgreement agreement;
  agreement.runtime = "opencv";
  agreement.against = "ort";
  agreement.note = "not compared: opencv did not run the model (refused)";
  matrix.agreement.push_back(agreement);
  return matrix;
}

StepResult MatrixStep(const RuntimeMatrix& matrix) {
  StepResult step;
  step.name = "matrix";
  step.status = StepStatus::kPass;
  step.summary = "ort ok, opencv ok";
  step.details_json = RuntimeMatrixJson(matrix);
  return step;
}

ValidateReport MatrixReport() {
  ValidateReport report;
  report.zoo = "zoo";
  report.runtime = "onnxruntime 1.30.0";
  ReviewRuntime ort{"ort", "onnxruntime 1.30.0", true, true, "default",
                    "every model step (test, eval, bench) and the matrix", ""};
  ReviewRuntime opencv{"opencv", "opencv-dnn 4.6.0", false, false, "--runtimes",
                       "the matrix only; eval and bench do not run on it", ""};
  report.runtimes = {ort, opencv};
  ModelReview resnet;
  resnet.folder = "validated/vision/classification/resnet";
  resnet.steps.push_back(MatrixStep(AgreeingMatrix()));
  ModelReview mobilenet;
  mobilenet.folder = "validated/vision/classification/mobilenet";
  mobilenet.steps.push_back(MatrixStep(RefusedMatrix()));
  report.models = {resnet, mobilenet};
  return report;
}

TEST(RuntimeMatrixTest, JsonRoundTripsThroughStepDetails) {
  const RuntimeMatrix original = AgreeingMatrix();
  const StepDetails details = ParseStepDetails(RuntimeMatrixJson(original));
  ASSERT_TRUE(details.matrix.has_value());
  const RuntimeMatrix& parsed = *details.matrix;
  EXPECT_EQ(parsed.inputs, original.inputs);
  EXPECT_TRUE(parsed.reference);
  EXPECT_EQ(parsed.rtol, 1e-3);
  EXPECT_EQ(parsed.latency_runs, 20);
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[1].runtime, "opencv");
  EXPECT_EQ(parsed.rows[1].status, MatrixStatus::kOk);
  EXPECT_EQ(parsed.rows[1].p50_ms, 9.5);
  EXPECT_EQ(parsed.rows[1].outputs.at(0).max_rel_error, 1.5e-5);
  ASSERT_EQ(parsed.agreement.size(), 1u);
  EXPECT_EQ(parsed.agreement[0].agrees, false);
  const MatrixOutput& differing = parsed.agreement[0].outputs.at(0);
  ASSERT_TRUE(differing.first_mismatch.has_value());
  EXPECT_EQ(differing.first_mismatch->flat_index, 17);
  EXPECT_EQ(differing.first_mismatch->actual, "1.52");
  // Unknown loads/runs stay unknown; an unknown status never reads as ok.
  json doc = json::parse(RuntimeMatrixJson(RefusedMatrix()));
  doc["matrix"]["runtimes"][1]["status"] = "something-new";
  doc["matrix"]["runtimes"][0]["loads"] = nullptr;
  const StepDetails odd = ParseStepDetails(doc.dump());
  EXPECT_EQ(odd.matrix->rows[1].status, MatrixStatus::kNotChecked);
  EXPECT_FALSE(odd.matrix->rows[0].loads.has_value());
  EXPECT_FALSE(ParseStepDetails(R"({"matrix": 3})").matrix.has_value());
}

TEST(RuntimeMatrixTest, TextShowsEveryRuntimeOutputAndTheFirstDifference) {
  const std::string text = FormatValidateText(MatrixReport());
  for (const char* line : {
           "  runtimes: ort = onnxruntime 1.30.0 (required, default): every model step (test, "
           "eval, bench) and the matrix\n",
           "            opencv = opencv-dnn 4.6.0 (reported, never declines, --runtimes): the "
           "matrix only; eval and bench do not run on it\n",
           "    test data: 1 data set (model/m.tar.gz); tolerance rtol 0.001, atol 1e-05; latency: "
           "p50 of 20 runs after 3 warm-ups on one intra-op thread (a short fixed run, not a "
           "benchmark)\n",
           "    ort (onnxruntime 1.30.0, required): ok; loads yes, runs yes, outputs within "
           "tolerance of the reference; p50 12.2 ms (20 runs)\n",
           "      output 'output': max abs 3.4e-06, max rel 2.1e-05, 0 of 1000 elements beyond "
           "tolerance\n",
           "    opencv against ort: DIFFER beyond tolerance\n",
           "      output 'output': max abs 0.02, max rel 0.5, 3 of 1000 elements beyond "
           "tolerance; first at flat index 17 of test_data_set_0: ort 1.5, opencv 1.52\n",
           "    opencv (opencv-dnn 4.6.0, reported): refused to load; loads no, runs no: "
           "opencv-dnn: import: Node [Clip@ai.onnx] <b>|x</b>\n",
           "    opencv against ort: not compared: opencv did not run the model (refused)\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << text;
  }
}

TEST(RuntimeMatrixTest, MarkdownIsOneSmallTable) {
  const std::string markdown = FormatValidateMarkdown(MatrixReport());
  const std::string table =
      "### Runtimes\n\n"
      "| Model | ort (required) | opencv (reported) |\n"
      "| --- | --- | --- |\n"
      "| validated/vision/classification/resnet | ✅ ok · 12.2 ms | ⚠️ ok · 9.5 ms · differs from "
      "ort |\n"
      "| validated/vision/classification/mobilenet | ✅ ok · 2.5 ms | ⚠️ refused to load |\n";
  EXPECT_NE(markdown.find(table), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("Latency is the p50 of 20 runs after 3 warm-ups on one thread"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("opencv = opencv-dnn 4.6.0 (reported, never declines"),
            std::string::npos)
      << markdown;
  // The refusal's text is not in the table (it is a reason of the model), so nothing in it can
  // break a row; the table has exactly one line per model.
  EXPECT_EQ(markdown.find("<b>"), std::string::npos);
  // A required runtime's failure is marked as declining.
  ValidateReport required = MatrixReport();
  RuntimeMatrix refused = RefusedMatrix();
  refused.rows[1].required = true;
  required.models[1].steps[0] = MatrixStep(refused);
  EXPECT_NE(FormatValidateMarkdown(required).find("| ❌ refused to load |"), std::string::npos);
  // No matrix: no section.
  ValidateReport none = MatrixReport();
  none.runtimes.clear();
  EXPECT_EQ(FormatValidateMarkdown(none).find("### Runtimes"), std::string::npos);
}

TEST(RuntimeMatrixTest, JsonCarriesTheRuntimesAndTheMatrix) {
  const json doc = json::parse(FormatValidateJson(MatrixReport()));
  ASSERT_EQ(doc["runtimes"].size(), 2u);
  EXPECT_EQ(doc["runtimes"][1]["name"], "opencv");
  EXPECT_EQ(doc["runtimes"][1]["required"], false);
  EXPECT_EQ(doc["runtimes"][1]["role_source"], "--runtimes");
  EXPECT_EQ(doc["runtimes"][0]["primary"], true);
  const json& matrix = doc["models"][1]["steps"][0]["details"]["matrix"];
  EXPECT_EQ(matrix["runtimes"][1]["status"], "refused");
  EXPECT_EQ(matrix["runtimes"][1]["loads"], false);
  EXPECT_EQ(matrix["runtimes"][1]["p50_ms"], nullptr);
  EXPECT_EQ(matrix["agreement"][0]["agrees"], nullptr);
  EXPECT_EQ(doc["models"][0]["steps"][0]["details"]["matrix"]["agreement"][0]["outputs"][0]
               ["first_mismatch"]["flat_index"],
            17);
  // Without a matrix the key is an empty list.
  EXPECT_TRUE(json::parse(FormatValidateJson(ValidateReport{}))["runtimes"].empty());
}

TEST(RuntimeMatrixTest, HtmlTableEscapesTheRuntimesWords) {
  const std::string html = FormatValidateHtml(MatrixReport());
  EXPECT_NE(html.find("<table class=\"matrix\">"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"fail\">refused to load</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("opencv-dnn: import: Node [Clip@ai.onnx] &lt;b&gt;|x&lt;/b&gt;"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>|x"), std::string::npos);
  EXPECT_NE(html.find("first at flat index 17 of test_data_set_0: ort 1.5, opencv 1.52"),
            std::string::npos);
  EXPECT_NE(html.find("<dt>Runtimes</dt>"), std::string::npos);
}

}  // namespace
}  // namespace zooci
