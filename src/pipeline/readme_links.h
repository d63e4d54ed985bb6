// Private to pipeline: what a model README links (notebooks, scripts, other files), resolved and
// classified by the role the README gives each (inference, validation, pre-/post-processing).
#pragma once

#include <string>
#include <vector>

#include "pipeline/internal.h"

namespace zooci::pipeline_internal {

enum class LinkRole { kInference, kValidation, kPreprocessing, kPostprocessing };

// A README link to a notebook or script, in the repository or in another one; or a notebook or
// script in the model folder that the README does not link (`line` 0).
struct CodeLink {
  int line = 0;           // the link's README line; 0 for an unlinked file of the folder
  std::string target;     // as written (for an unlinked file: its path relative to the folder)
  fs::path path;          // resolved in the repository; empty for a remote link
  std::string relative;   // path relative to the zoo root ("" for a remote link)
  bool remote = false;    // http(s) URL
  bool notebook = false;  // .ipynb (or a Colab/nbviewer URL)
  bool exists = false;    // local: a regular file inside the repository (CheckFileInside)
  bool leaves = false;    // local: exists, but only through a symbolic link out of the repository
  std::string problem;    // local and not `exists`: why, as CheckFileInside says it
  std::vector<LinkRole> roles;

  bool Has(LinkRole role) const;
};

// Every section heading (or label) of a README, computed once.
struct SectionIndex {
  std::vector<std::pair<ReadmeSection, const MarkdownHeading*>> headings;
  explicit SectionIndex(const Readme& readme);
  // The sections whose bodies (heading line included) contain `line`.
  std::vector<ReadmeSection> At(int line) const;
};

// A link target resolved in the repository: relative to the README's directory, or to the
// repository root for "/path" (as GitHub renders README links). Anchor, query and %-escapes
// are removed; empty for external targets (a scheme, "mailto:", "#anchor").
fs::path ResolveLink(const fs::path& root, const fs::path& readme_dir, const std::string& target);
bool IsExternalLink(const std::string& target);
bool InsideRoot(const fs::path& root, const fs::path& path);  // lexically

// Every link of `readme` to a notebook or script, with its roles: from the section it is in
// (Inference, Validation accuracy, Preprocessing, ...) and from the words of its file name and
// link text ("inference", "demo", "validation", "eval", "preprocess", ...) and, for a notebook, from
// its code (one that opens an ONNX Runtime session is an inference example); then the notebooks and
// scripts of the README's folder that no link names, with the roles their names give (nested
// folders with a README of their own, hidden folders and symlinks are left out).
std::vector<CodeLink> CodeLinks(const Readme& readme, const fs::path& root);

}  // namespace zooci::pipeline_internal
