// Private to pipeline: the artifacts step's review of one model README (artifacts.cpp runs it,
// artifact_checks.cpp holds the checks).
#pragma once

#include <string>
#include <vector>

#include "pipeline/internal.h"
#include "pipeline/readme_links.h"

namespace zooci::pipeline_internal {

struct ArtifactOutcome {
  Artifact artifact;
  bool missing = false;
  std::string evidence;  // what provides it: "dependencies/inference.ipynb (README.md:32)"
};

// One README's review. Each Check* records, per artifact, either evidence or reasons (at the
// level the zoo's configuration gives the artifact). Not thread-safe; one per folder.
class ArtifactReview {
 public:
  ArtifactReview(const StepContext& context, const Readme& readme);
  StepResult Run();

 private:
  void CheckReadme();
  void CheckLinks();
  void CheckZooUrls();  // URLs into the zoo's own repository (zooci-zoo.yaml `repository`)
  void CheckInference();
  void CheckValidation();
  void CheckProcessing(ReadmeSection section, Artifact artifact, LinkRole role, const char* what);
  void CheckDataset();
  void CheckNotebookScripts();
  void CheckDescriptionSections();
  void CheckLicense();
  void CheckMainReadmeLink();

  // Records `artifact` as missing with `message` (a reason at the artifact's level).
  void Missing(Artifact artifact, std::string message, std::string file = {}, int line = 0);
  void Found(Artifact artifact, std::string evidence);
  ArtifactOutcome& Outcome(Artifact artifact);

  std::string At(int line) const;                          // "folder/README.md:12"
  std::string Describe(const MarkdownHeading& heading) const;  // "the 'Input' section (..:12)"
  std::string LookedFor(ReadmeSection section) const;      // "headings or bold labels 'X', ..."
  std::vector<const MarkdownHeading*> Sections(ReadmeSection section) const;
  // The first line in the bodies of `headings` that mentions `word` (at a word start), or 0.
  int MentionIn(const std::vector<const MarkdownHeading*>& headings, std::string_view word) const;
  // Code blocks inside the body of `heading` with at least `min_code_lines` lines of code.
  std::vector<const CodeBlock*> CodeIn(const MarkdownHeading& heading, int min_code_lines) const;
  // Local notebooks and scripts linked for `role` that exist and read well; the others are
  // reported (dead link, not a notebook) under `artifact`, once each.
  std::vector<const CodeLink*> UsableLinks(LinkRole role, Artifact artifact);
  // "dependencies/x.ipynb (README.md:12)", or "(in the folder; the README does not link it)".
  std::string Where(const CodeLink& link) const;
  // " (did you mean dependencies/x.ipynb?)" for a dead link with one close file, else "".
  std::string DidYouMean(const fs::path& missing) const;
  // A warning when `link` is a file of the folder that the README does not link.
  void NoteUnlinked(const CodeLink& link, const std::string& what, const std::string& where);

  const StepContext& context_;
  const Readme& readme_;
  fs::path root_;
  std::string readme_file_;
  SectionIndex sections_;
  std::vector<CodeLink> code_links_;
  std::vector<std::string> reported_links_;  // targets already reported as dead or invalid
  std::vector<ArtifactOutcome> outcomes_;
  StepResult step_;
};

}  // namespace zooci::pipeline_internal
