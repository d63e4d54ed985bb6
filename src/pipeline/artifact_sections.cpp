// The artifacts step's checks of the proposal's items 7 and 8: description, use cases, references,
// contributors and licence (with the zoo's licence policy), and the link from the main README.
#include <algorithm>

#include "pipeline/artifact_checks.h"

namespace zooci::pipeline_internal {

void ArtifactReview::CheckDescriptionSections() {
  const struct {
    Artifact artifact;
    ReadmeSection section;
    const char* fix;
  } kSections[] = {
      {Artifact::kDescription, ReadmeSection::kDescription,
       "add a '## Description' section saying what the model does and how it was made"},
      {Artifact::kUseCases, ReadmeSection::kUseCases,
       "add a '## Use cases' section saying what the model is for"},
      {Artifact::kReferences, ReadmeSection::kReferences,
       "add a '## References' section with the paper and the model's source"},
      {Artifact::kContributors, ReadmeSection::kContributors,
       "add a '## Contributors' section naming who contributed the model"},
  };
  for (const auto& [artifact, section, fix] : kSections) {
    std::vector<const MarkdownHeading*> headings = Sections(section);
    auto with_text = std::find_if(headings.begin(), headings.end(),
                                  [](const MarkdownHeading* heading) { return !heading->body_empty; });
    if (with_text != headings.end()) {
      Found(artifact, At((*with_text)->line));
    } else if (!headings.empty()) {
      Missing(artifact, Describe(*headings.front()) + " is empty: " + fix, readme_file_,
              headings.front()->line);
    } else {
      Missing(artifact, "found no " + ReadmeSectionName(section) + " section: looked for " +
                            LookedFor(section) + "; " + fix);
    }
  }
}

void ArtifactReview::CheckLicense() {
  std::vector<const MarkdownHeading*> headings = Sections(ReadmeSection::kLicense);
  // Every statement of the licence, where it is made, and the SPDX expression it gives.
  struct Statement {
    std::string where;
    std::string file;
    int line = 0;
    LicenseFinding finding;
  };
  std::vector<Statement> statements;
  if (!readme_.spdx_license.empty()) {
    statements.push_back({"the SPDX-License-Identifier comment (" + At(readme_.spdx_line) + ")",
                          readme_file_, readme_.spdx_line,
                          {readme_.spdx_license, readme_.spdx_license}});
  }
  for (const MarkdownHeading* heading : headings) {
    if (heading->body_empty) continue;
    std::string body;
    for (int line = heading->body_first_line;
         line <= heading->body_last_line && line <= static_cast<int>(readme_.lines.size()); ++line) {
      body += readme_.lines[line - 1] + "\n";
    }
    statements.push_back({Describe(*heading), readme_file_, heading->line,
                          IdentifyLicenseText(body)});
  }
  std::error_code error;
  fs::path license_file = context_.folder->dir / "LICENSE";
  if (fs::exists(fs::symlink_status(license_file, error))) {
    std::string relative = RelativeTo(root_, license_file);
    auto text = ReadFileInside(root_, license_file, uint64_t{1} << 20);
    if (text.ok()) {
      statements.push_back({relative, relative, 0, IdentifyLicenseFile(*text)});
    } else {
      step_.reasons.push_back(MakeReason("artifacts", text.error().message(), relative));
    }
  }
  if (statements.empty()) {
    Missing(Artifact::kLicense,
            "the README states no licence: looked for " + LookedFor(ReadmeSection::kLicense) +
                " with text, an SPDX-License-Identifier comment and a LICENSE file in the folder; "
                "add '<!--- SPDX-License-Identifier: Apache-2.0 -->' (or the model's licence) at "
                "the top of the README and a '## License' section",
            readme_file_, headings.empty() ? 0 : headings.front()->line);
    return;
  }
  Found(Artifact::kLicense, statements.front().where);
  const std::vector<std::string>& allowed = context_.config->licenses;
  if (allowed.empty()) return;  // the zoo accepts any stated licence
  // Policy: every licence the submission states must be one the zoo accepts; a licence that
  // cannot be identified cannot be accepted.
  const std::string policy = "the zoo accepts " + JoinStrings(allowed, ", ") + " (" +
                             std::string(kZooConfigFile) + ":" +
                             std::to_string(context_.config->licenses_line) + ")";
  bool identified = false;
  for (const Statement& statement : statements) {
    if (statement.finding.spdx.empty()) continue;
    identified = true;
    if (!LicenseAllowed(statement.finding.spdx, allowed)) {
      step_.reasons.push_back(MakeReason(
          "artifacts",
          statement.where + " gives the licence " + statement.finding.spdx + " ('" +
              statement.finding.evidence + "'), which is not one the zoo accepts: " + policy,
          statement.file, statement.line));
    }
  }
  if (!identified) {
    std::vector<std::string> places;
    for (const Statement& statement : statements) places.push_back(statement.where);
    step_.reasons.push_back(MakeReason(
        "artifacts",
        "the licence could not be identified as an SPDX expression from " +
            JoinStrings(places, ", ") + "; " + policy +
            ": add '<!--- SPDX-License-Identifier: <id> -->' at the top of the README",
        readme_file_, statements.front().line));
  }
}

void ArtifactReview::CheckMainReadmeLink() {
  const Readme* main = context_.main_readme;
  if (main != nullptr) {
    for (const MarkdownLink& link : main->links) {
      fs::path target = ResolveLink(root_, root_, link.target);
      if (target.empty()) continue;
      std::string relative = RelativeTo(root_, target);
      while (!relative.empty() && relative.back() == '/') relative.pop_back();
      const ModelFolder& folder = *context_.folder;
      if (relative == folder.relative || relative == readme_file_) {
        Found(Artifact::kMainReadmeLink, "README.md:" + std::to_string(link.line));
        return;
      }
    }
  }
  Missing(Artifact::kMainReadmeLink,
          "the main README does not link to " + context_.folder->relative +
              (main == nullptr ? " (the zoo has no readable README.md)" : "") +
              ": add a row for the model to its table, linking the folder",
          "README.md");
}

}  // namespace zooci::pipeline_internal
