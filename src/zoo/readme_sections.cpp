// The sections of a zoo model README and the titles that provide each. Titles come from the README
// outlines in ../shared/reference/model-zoo.md (section 2), the Caffe2-era pages (alexnet,
// zfnet-512: "Model input and output", "Results/accuracy on test set") and every README under
// ../shared/reference/onnx-model-zoo/. A title matches a synonym exactly after SectionKey(), or
// starts with one of the section's stems ("Dataset (Train and validation)", "Preprocessing steps").
#include <algorithm>
#include <cctype>

#include "zoo/readme_internal.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

struct SectionSpec {
  ReadmeSection section;
  const char* name;
  // Titles that provide the section, best first; compared after SectionKey().
  std::vector<std::string_view> titles;
  // Keys a title may start with ("dataset" matches "Dataset (Train and validation)").
  std::vector<std::string_view> stems;
};

const std::vector<SectionSpec>& Specs() {
  static const std::vector<SectionSpec> specs = {
      // "Model" also provides the description when it has prose (see ModelHasProse).
      {ReadmeSection::kDescription,
       "Description",
       {"Description", "Model description", "Overview", "Introduction", "Abstract", "Summary",
        "About", "About the model"},
       {"description"}},
      {ReadmeSection::kUseCases,
       "Use cases",
       {"Use cases", "Use case", "Applications", "Application", "Intended use", "Intended uses"},
       {"usecase"}},
      {ReadmeSection::kInference,
       "Inference",
       {"Inference", "Running inference", "Model input and output", "Usage", "How to use",
        "Example", "Examples", "Demo"},
       {"inference", "runninginference"}},
      {ReadmeSection::kInput,
       "Inference / Input",
       {"Input", "Inputs", "Input(s)", "Input to model", "Inputs to model", "Model input",
        "Model inputs", "Input of model", "Model input and output", "Input format"},
       {"inputto", "inputof", "inputformat"}},
      {ReadmeSection::kPreprocessing,
       "Inference / Preprocessing",
       {"Preprocessing", "Pre-processing", "Preprocessing steps", "Pre-processing steps",
        "Preprocess", "Input preprocessing", "Image preprocessing", "Data preprocessing"},
       {"preprocess"}},
      {ReadmeSection::kOutput,
       "Inference / Output",
       {"Output", "Outputs", "Output(s)", "Output of model", "Model output", "Model outputs",
        "Output to model", "Model input and output", "Output format"},
       {"outputof", "outputformat"}},
      {ReadmeSection::kPostprocessing,
       "Inference / Postprocessing",
       {"Postprocessing", "Post-processing", "Postprocessing steps", "Post-processing steps",
        "Postprocess", "Output postprocessing"},
       {"postprocess"}},
      {ReadmeSection::kDataset,
       "Dataset",
       {"Dataset", "Datasets", "Data set", "Data", "Training dataset", "Training data"},
       {"dataset"}},
      {ReadmeSection::kValidationAccuracy,
       "Validation accuracy",
       {"Validation accuracy", "Accuracy", "Results/accuracy on test set", "Validation results",
        "Validation", "Results", "Evaluation", "Evaluation results", "Metrics"},
       {"validationaccuracy", "accuracy", "resultsaccuracy", "evaluation"}},
      {ReadmeSection::kReferences,
       "References",
       {"References", "Reference", "Publication/Attribution", "Publication", "Publications",
        "Citation", "Citations", "Paper", "Papers"},
       {"reference"}},
      {ReadmeSection::kContributors,
       "Contributors",
       {"Contributors", "Contributor", "Authors", "Author", "Maintainers", "Credits"},
       {"contributor"}},
      {ReadmeSection::kLicense, "License", {"License", "Licence", "Licensing"}, {"licen"}},
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

// 0 when `heading` is not a title of `spec`; else a rank (1 = the best synonym) for FindSection.
size_t Rank(const SectionSpec& spec, const MarkdownHeading& heading) {
  std::string key = SectionKey(heading.text);
  if (key.empty()) return 0;
  for (size_t index = 0; index < spec.titles.size(); ++index) {
    if (key == SectionKey(spec.titles[index])) return index + 1;
  }
  for (std::string_view stem : spec.stems) {
    if (StartsWith(key, stem)) return spec.titles.size() + 1;
  }
  return 0;
}

}  // namespace

std::string ReadmeSectionName(ReadmeSection section) {
  const SectionSpec* spec = SpecFor(section);
  return spec ? spec->name : "Unknown section";
}

const std::vector<ReadmeSection>& AllReadmeSections() {
  static const std::vector<ReadmeSection> sections = [] {
    std::vector<ReadmeSection> all;
    for (const SectionSpec& spec : Specs()) all.push_back(spec.section);
    return all;
  }();
  return sections;
}

std::vector<std::string> ReadmeSectionTitles(ReadmeSection section) {
  const SectionSpec* spec = SpecFor(section);
  if (spec == nullptr) return {};
  return std::vector<std::string>(spec->titles.begin(), spec->titles.end());
}

std::vector<const MarkdownHeading*> FindSections(const Readme& readme, ReadmeSection section) {
  std::vector<const MarkdownHeading*> found;
  const SectionSpec* spec = SpecFor(section);
  if (spec == nullptr) return found;
  for (const MarkdownHeading& heading : readme.headings) {
    bool model_prose = section == ReadmeSection::kDescription && !heading.label &&
                       SectionKey(heading.text) == "model" && ModelHasProse(readme, heading);
    if (Rank(*spec, heading) > 0 || model_prose) found.push_back(&heading);
  }
  return found;
}

const MarkdownHeading* FindSection(const Readme& readme, ReadmeSection section) {
  const SectionSpec* spec = SpecFor(section);
  if (spec == nullptr) return nullptr;
  const MarkdownHeading* best = nullptr;
  size_t best_rank = 0;
  for (const MarkdownHeading& heading : readme.headings) {
    size_t rank = Rank(*spec, heading);
    if (rank > 0 && (best == nullptr || rank < best_rank)) {
      best = &heading;
      best_rank = rank;
    }
  }
  if (best == nullptr && section == ReadmeSection::kDescription) {
    for (const MarkdownHeading& heading : readme.headings) {
      if (!heading.label && SectionKey(heading.text) == "model" && ModelHasProse(readme, heading)) {
        return &heading;
      }
    }
  }
  return best;
}

}  // namespace zooci
