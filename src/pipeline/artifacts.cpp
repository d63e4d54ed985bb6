// The artifacts step: what a submitter must provide in the model folder, as the Model Zoo CI
// proposal lists it (eight items, split into the checks of zoo::Artifact), in every form the real
// ONNX Model Zoo uses: sections as headings or bold labels, scripts linked or given as complete
// inline code, notebooks here or in another repository. The zoo's zooci-zoo.yaml makes each
// required (missing declines), recommended (a warning) or off. Every reason says what was looked
// for and where, and how to fix it.
#include <algorithm>

#include "pipeline/artifact_checks.h"

namespace zooci::pipeline_internal {
namespace {

using json = nlohmann::json;

}  // namespace

ArtifactReview::ArtifactReview(const StepContext& context, const Readme& readme)
    : context_(context),
      readme_(readme),
      root_(context.folder->root),
      readme_file_(context.folder->relative + "/README.md"),
      sections_(readme),
      code_links_(CodeLinks(readme, root_)) {}

void ArtifactReview::Missing(Artifact artifact, std::string message, std::string file, int line) {
  ArtifactLevel level = context_.config->Level(artifact);
  if (level == ArtifactLevel::kOff) return;
  step_.reasons.push_back(MakeReason("artifacts", std::move(message),
                                     file.empty() ? readme_file_ : std::move(file), line,
                                     level == ArtifactLevel::kRequired ? ReasonLevel::kDecline
                                                                       : ReasonLevel::kWarning));
  Outcome(artifact).missing = true;
}

void ArtifactReview::Found(Artifact artifact, std::string evidence) {
  ArtifactOutcome& outcome = Outcome(artifact);
  if (outcome.evidence.empty()) outcome.evidence = std::move(evidence);
}

ArtifactOutcome& ArtifactReview::Outcome(Artifact artifact) {
  for (ArtifactOutcome& outcome : outcomes_) {
    if (outcome.artifact == artifact) return outcome;
  }
  outcomes_.push_back({artifact, false, ""});
  return outcomes_.back();
}

std::string ArtifactReview::At(int line) const {
  return readme_file_ + ":" + std::to_string(line);
}

std::string ArtifactReview::Describe(const MarkdownHeading& heading) const {
  return "the '" + heading.text + "' " + (heading.label ? "label" : "section") + " (" +
         At(heading.line) + ")";
}

std::string ArtifactReview::LookedFor(ReadmeSection section) const {
  std::vector<std::string> titles = ReadmeSectionTitles(section);
  if (titles.size() > 6) titles.resize(6);
  for (std::string& title : titles) title = "'" + title + "'";
  return "headings or bold labels " + JoinStrings(titles, ", ") + ", ...";
}

std::vector<const MarkdownHeading*> ArtifactReview::Sections(ReadmeSection section) const {
  std::vector<const MarkdownHeading*> found;
  for (const auto& [kind, heading] : sections_.headings) {
    if (kind == section) found.push_back(heading);
  }
  return found;
}

StepResult ArtifactReview::Run() {
  step_.name = "artifacts";
  CheckReadme();
  CheckInference();
  CheckValidation();
  CheckProcessing(ReadmeSection::kPreprocessing, Artifact::kPreprocessing, LinkRole::kPreprocessing,
                  "preprocessing");
  CheckProcessing(ReadmeSection::kPostprocessing, Artifact::kPostprocessing,
                  LinkRole::kPostprocessing, "postprocessing");
  CheckDataset();
  CheckNotebookScripts();
  CheckDescriptionSections();
  CheckLicense();
  CheckMainReadmeLink();
  CheckLinks();  // last: links the checks above reported (a dead notebook link) are not repeated

  json artifacts = json::array();
  size_t present = 0, checked = 0;
  for (const ArtifactInfo& info : AllArtifacts()) {
    ArtifactLevel level = context_.config->Level(info.id);
    const ArtifactOutcome& outcome = Outcome(info.id);
    std::string status = level == ArtifactLevel::kOff ? "off"
                         : outcome.missing            ? "missing"
                                                      : "present";
    if (level != ArtifactLevel::kOff) {
      ++checked;
      present += !outcome.missing;
    }
    artifacts.push_back({{"artifact", info.key},
                         {"proposal_item", info.proposal_item},
                         {"level", level == ArtifactLevel::kRequired      ? "required"
                                   : level == ArtifactLevel::kRecommended ? "recommended"
                                                                          : "off"},
                         {"status", status},
                         {"evidence", outcome.evidence}});
  }
  step_.details_json = json{{"artifacts", artifacts}}.dump();
  Conclude(step_, std::to_string(present) + " of " + Plural(checked, "artifact") + " present");
  return std::move(step_);
}

StepResult CheckArtifacts(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  std::string readme_file = folder.relative + "/README.md";
  const Result<Readme>& readme = context.readmes->Get(folder.dir / "README.md");
  if (!readme.ok()) {
    StepResult step;
    step.name = "artifacts";
    step.reasons.push_back(MakeReason(
        "artifacts", "the README was not read: " + readme.error().message(), readme_file));
    Conclude(step, "no readable README");
    return step;
  }
  return ArtifactReview(context, *readme).Run();
}

}  // namespace zooci::pipeline_internal
