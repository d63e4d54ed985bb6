// The sections a zoo model README must have and the heading variants that provide each one.
// Synonyms come from the three README outlines in ../shared/reference/model-zoo.md (section 2),
// the Caffe2-era pages (alexnet, zfnet-512) and the sample READMEs under
// ../shared/reference/onnx-model-zoo-sample/.
#include <algorithm>
#include <cctype>

#include "zoo/readme_internal.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

struct SectionSpec {
  ReadmeSection section;
  const char* name;
  // Heading texts that provide the section, best first; compared after SectionKey().
  std::vector<std::string_view> headings;
};

const std::vector<SectionSpec>& Specs() {
  static const std::vector<SectionSpec> specs = {
      // "Model" also provides the description when it has prose (see ModelHasProse).
      {ReadmeSection::kDescription,
       "Description",
       {"Description", "Model description", "Overview", "Introduction"}},
      {ReadmeSection::kUseCases, "Use cases", {"Use cases", "Use case", "Applications"}},
      {ReadmeSection::kModelTable, "Model table", {}},
      {ReadmeSection::kInference, "Inference", {"Inference", "Running inference"}},
      {ReadmeSection::kInput,
       "Inference / Input",
       {"Input", "Inputs", "Input(s)", "Input to model", "Model input", "Model inputs",
        "Input of model", "Model input and output"}},
      {ReadmeSection::kPreprocessing,
       "Inference / Preprocessing",
       {"Preprocessing", "Pre-processing", "Preprocessing steps", "Pre-processing steps",
        "Preprocess", "Input preprocessing"}},
      {ReadmeSection::kOutput,
       "Inference / Output",
       {"Output", "Outputs", "Output(s)", "Output of model", "Model output", "Model outputs",
        "Model input and output"}},
      {ReadmeSection::kPostprocessing,
       "Inference / Postprocessing",
       {"Postprocessing", "Post-processing", "Postprocessing steps", "Post-processing steps",
        "Postprocess", "Output postprocessing"}},
      {ReadmeSection::kDataset,
       "Dataset",
       {"Dataset", "Datasets", "Data set", "Dataset (Train and Validation)", "Training dataset"}},
      {ReadmeSection::kValidationAccuracy,
       "Validation accuracy",
       {"Validation accuracy", "Accuracy", "Results/accuracy on test set", "Validation results"}},
      {ReadmeSection::kReferences,
       "References",
       {"References", "Reference", "Publication/Attribution", "Publication", "Publications",
        "Citation"}},
      {ReadmeSection::kContributors, "Contributors", {"Contributors", "Contributor", "Authors"}},
      {ReadmeSection::kLicense, "License", {"License", "Licence", "Licensing"}},
  };
  return specs;
}

const SectionSpec* SpecFor(ReadmeSection section) {
  for (const SectionSpec& spec : Specs()) {
    if (spec.section == section) return &spec;
  }
  return nullptr;
}

// Lower-case ASCII letters and digits only: "Pre-processing steps" -> "preprocessingsteps",
// "Input(s)" -> "inputs", "Use-cases" == "Use cases". Bytes >= 0x80 are kept.
std::string SectionKey(std::string_view text) {
  std::string key;
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || std::isalnum(byte)) key += static_cast<char>(std::tolower(byte));
  }
  return key;
}

// Whether the body of `heading` (subsections included) has a text line outside model tables:
// a "Model" heading with such prose describes the model.
bool ModelHasProse(const Readme& readme, const MarkdownHeading& heading) {
  std::vector<zoo_internal::ClassifiedLine> classified = zoo_internal::ClassifyLines(readme.lines);
  std::vector<bool> table_line(readme.lines.size() + 2, false);
  for (const ModelTable& table : readme.model_tables) {
    int last = table.rows.empty() ? table.header_line + 1 : table.rows.back().line;
    for (int line = table.header_line; line <= last; ++line) {
      if (line >= 1 && line <= static_cast<int>(readme.lines.size())) table_line[line] = true;
    }
  }
  int last = std::min(heading.body_last_line, static_cast<int>(readme.lines.size()));
  for (int line = std::max(heading.body_first_line, 1); line <= last; ++line) {
    const zoo_internal::ClassifiedLine& entry = classified[line - 1];
    if (entry.kind != zoo_internal::LineKind::kText || table_line[line]) continue;
    if (zoo_internal::AtxHeadingLevel(entry.visible) > 0) continue;
    return true;
  }
  return false;
}

}  // namespace

std::string ReadmeSectionName(ReadmeSection section) {
  const SectionSpec* spec = SpecFor(section);
  return spec ? spec->name : "Unknown section";
}

const std::vector<ReadmeSection>& RequiredReadmeSections() {
  static const std::vector<ReadmeSection> sections = [] {
    std::vector<ReadmeSection> all;
    for (const SectionSpec& spec : Specs()) all.push_back(spec.section);
    return all;
  }();
  return sections;
}

const MarkdownHeading* FindSection(const Readme& readme, ReadmeSection section) {
  const SectionSpec* spec = SpecFor(section);
  if (spec == nullptr) return nullptr;
  for (std::string_view synonym : spec->headings) {
    std::string key = SectionKey(synonym);
    for (const MarkdownHeading& heading : readme.headings) {
      if (SectionKey(heading.text) == key) return &heading;
    }
  }
  if (section == ReadmeSection::kDescription) {
    for (const MarkdownHeading& heading : readme.headings) {
      if (SectionKey(heading.text) == "model" && ModelHasProse(readme, heading)) return &heading;
    }
  }
  return nullptr;
}

}  // namespace zooci
