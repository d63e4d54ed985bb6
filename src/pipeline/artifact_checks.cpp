// The checks of the artifacts step, one per group of zoo::Artifact (see artifacts.cpp).
#include <algorithm>
#include <cctype>

#include "pipeline/artifact_checks.h"

namespace zooci::pipeline_internal {
namespace {

// Code that runs an ONNX model: a runtime's session API.
bool RunsModel(const CodeBlock& block) {
  for (const std::string& line : block.lines) {
    // A session of a runtime, not a mention ("onnxruntime: 1.10.0" in an environment list).
    for (const char* marker : {"InferenceSession", "PyOrtFunction", "readNetFromONNX",
                               "Ort::Session", "ort.run", "OrtSession", "cv2.dnn."}) {
      if (line.find(marker) != std::string::npos) return true;
    }
  }
  return false;
}

// Metric words in a model-table column name: the table states the metric's value.
bool IsMetricColumn(const std::string& column) {
  std::string lower = AsciiLower(column);
  for (const char* word : {"accuracy", "top-1", "top-5", "top1", "top5", "error", "map", "miou",
                           "iou", "f1", "mcc", "bleu", "perplexity", "psnr", "ssim", "score",
                           "exact match", "em", "ap"}) {
    std::string_view needle = word;
    for (size_t pos = lower.find(needle); pos != std::string::npos;
         pos = lower.find(needle, pos + 1)) {
      bool left = pos == 0 || !std::isalnum(static_cast<unsigned char>(lower[pos - 1]));
      size_t end = pos + needle.size();
      bool right = end >= lower.size() || !std::isalnum(static_cast<unsigned char>(lower[end]));
      if (left && right) return true;
    }
  }
  return false;
}

bool HasDigit(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The repository path a GitHub URL into `repository` ("owner/name") points at, on a branch (not a
// commit, whose tree may differ on purpose): github.com/O/R/{blob,raw,tree}/REF/PATH,
// raw.githubusercontent.com/O/R/REF/PATH, media.githubusercontent.com/media/O/R/REF/PATH.
std::optional<std::string> PathInRepository(const std::string& url, const std::string& repository) {
  std::string rest = url.substr(0, url.find_first_of("?#"));
  for (const char* scheme : {"https://", "http://"}) {
    if (StartsWith(rest, scheme)) rest = rest.substr(std::string_view(scheme).size());
  }
  if (StartsWith(rest, "www.")) rest = rest.substr(4);
  std::vector<std::string> parts = SplitString(rest, '/');
  std::string lower_repository = AsciiLower(repository);
  size_t ref_index = 0;
  if (parts.size() >= 6 && parts[0] == "github.com" &&
      AsciiLower(parts[1] + "/" + parts[2]) == lower_repository &&
      (parts[3] == "blob" || parts[3] == "raw" || parts[3] == "tree")) {
    ref_index = 4;
  } else if (parts.size() >= 5 && parts[0] == "raw.githubusercontent.com" &&
             AsciiLower(parts[1] + "/" + parts[2]) == lower_repository) {
    ref_index = 3;
  } else if (parts.size() >= 6 && parts[0] == "media.githubusercontent.com" &&
             parts[1] == "media" && AsciiLower(parts[2] + "/" + parts[3]) == lower_repository) {
    ref_index = 4;
  } else {
    return std::nullopt;
  }
  const std::string& ref = parts[ref_index];
  bool commit = ref.size() >= 7 && ref.size() <= 40 &&
                ref.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (commit) return std::nullopt;
  std::vector<std::string> path(parts.begin() + static_cast<long>(ref_index) + 1, parts.end());
  while (!path.empty() && path.back().empty()) path.pop_back();
  return JoinStrings(path, "/");
}

}  // namespace

int ArtifactReview::MentionIn(const std::vector<const MarkdownHeading*>& headings,
                              std::string_view word) const {
  for (const MarkdownHeading* heading : headings) {
    for (int line = heading->body_first_line;
         line <= heading->body_last_line && line <= static_cast<int>(readme_.lines.size());
         ++line) {
      std::string lower = AsciiLower(readme_.lines[line - 1]);
      for (size_t pos = lower.find(word); pos != std::string::npos;
           pos = lower.find(word, pos + 1)) {
        bool left = pos == 0 || !std::isalpha(static_cast<unsigned char>(lower[pos - 1]));
        if (left) return line;
      }
    }
  }
  return 0;
}

std::vector<const CodeBlock*> ArtifactReview::CodeIn(const MarkdownHeading& heading,
                                                     int min_code_lines) const {
  std::vector<const CodeBlock*> blocks;
  for (const CodeBlock& block : readme_.code_blocks) {
    if (block.first_line >= heading.body_first_line && block.first_line <= heading.body_last_line &&
        block.code_lines >= min_code_lines) {
      blocks.push_back(&block);
    }
  }
  return blocks;
}

std::string ArtifactReview::DidYouMean(const fs::path& missing) const {
  // Another file of the same directory and extension whose name holds every word of the missing
  // one ("roberta-inference.ipynb" -> "roberta-sequence-classification-inference.ipynb").
  std::vector<std::string> words;
  std::string word;
  for (char c : AsciiLower(missing.stem().string()) + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  std::error_code error;
  std::string found;
  int matches = 0;
  for (auto it = fs::directory_iterator(missing.parent_path(), error);
       !error && it != fs::directory_iterator(); it.increment(error)) {
    const fs::path& candidate = it->path();
    if (candidate.extension() != missing.extension()) continue;
    std::string name = AsciiLower(candidate.stem().string());
    bool all = !words.empty() && std::all_of(words.begin(), words.end(), [&](const auto& w) {
      return name.find(w) != std::string::npos;
    });
    if (all) {
      found = RelativeTo(root_, candidate);
      ++matches;
    }
  }
  return matches == 1 ? " (did you mean " + found + "?)" : "";
}

std::string ArtifactReview::Where(const CodeLink& link) const {
  if (link.remote) return link.target + " (" + At(link.line) + ")";
  if (link.line == 0) return link.relative + " (in the folder; the README does not link it)";
  return link.relative + " (" + At(link.line) + ")";
}

std::vector<const CodeLink*> ArtifactReview::UsableLinks(LinkRole role, Artifact artifact) {
  std::vector<const CodeLink*> usable;
  std::vector<std::pair<const CodeLink*, std::string>> unusable;  // and why
  for (const CodeLink& link : code_links_) {
    if (!link.Has(role)) continue;
    if (link.remote) {
      usable.push_back(&link);
    } else if (link.relative.empty()) {
      unusable.emplace_back(&link, "the link '" + link.target +
                                       "' points outside the repository; a submission's files "
                                       "must be in it");
    } else if (link.leaves) {
      unusable.emplace_back(&link, "the link '" + link.target + "': " + link.problem);
    } else if (!link.exists && link.problem.find("does not exist") == std::string::npos) {
      unusable.emplace_back(&link, "the link '" + link.target + "': " + link.problem);
    } else if (!link.exists) {
      unusable.emplace_back(&link, "the link '" + link.target + "' points to " + link.relative +
                                       ", which does not exist" + DidYouMean(link.path) +
                                       ": add the file or fix the link");
    } else if (auto notebook = link.notebook ? ReadNotebook(link.path) : Result<Notebook>(Notebook{});
               !notebook.ok()) {
      unusable.emplace_back(&link, link.relative + (link.line ? " (linked at " + At(link.line) + ")"
                                                              : std::string()) +
                                       " is not a usable notebook: " + notebook.error().message());
    } else {
      usable.push_back(&link);
    }
  }
  // A dead or broken candidate is this artifact's reason only when nothing else provides it
  // (then it is the only reason: never also "no notebook"); otherwise the links check reports it.
  if (usable.empty()) {
    for (const auto& [link, why] : unusable) {
      if (std::find(reported_links_.begin(), reported_links_.end(), link->target) !=
          reported_links_.end()) {
        Outcome(artifact).missing = true;
        continue;
      }
      Missing(artifact, why, link->exists ? link->relative : readme_file_,
              link->exists ? 0 : link->line);
      reported_links_.push_back(link->target);
    }
  }
  return usable;
}

void ArtifactReview::CheckReadme() {
  if (!readme_.model_tables.empty()) {
    Found(Artifact::kReadme, At(readme_.model_tables.front().header_line));
    return;
  }
  Missing(Artifact::kReadme,
          "the README has no model table: looked for a Markdown table with a 'Model' column and a "
          "'Download' column; add one (| Model | Download | Download (with sample test data) | "
          "ONNX version | Opset version |) with a row per model file");
}

void ArtifactReview::NoteUnlinked(const CodeLink& link, const std::string& what,
                                  const std::string& where) {
  if (link.line != 0 || link.remote) return;
  step_.reasons.push_back(MakeReason(
      "artifacts",
      link.relative + " is the " + what + ", but the README does not link it: link it from " +
          where,
      readme_file_, 0, ReasonLevel::kWarning));
}

void ArtifactReview::CheckLinks() {
  const fs::path readme_dir = readme_.path.parent_path();
  size_t checked = 0;
  for (const MarkdownLink& link : readme_.links) {
    if (IsExternalLink(link.target)) continue;
    if (std::find(reported_links_.begin(), reported_links_.end(), link.target) !=
        reported_links_.end()) {
      continue;
    }
    fs::path target = ResolveLink(root_, readme_dir, link.target);
    if (target.empty()) continue;
    ++checked;
    std::error_code error;
    if (!InsideRoot(root_, target) && target != root_) {
      Missing(Artifact::kLinks, "the link '" + link.target + "' points outside the repository",
              readme_file_, link.line);
    } else if (!fs::exists(fs::symlink_status(target, error))) {
      Missing(Artifact::kLinks,
              "the link '" + link.target + "' points to " + RelativeTo(root_, target) +
                  ", which does not exist" + DidYouMean(target) + ": add the file or fix the link",
              readme_file_, link.line);
    } else if (!IsWithin(root_, target)) {  // a symbolic link on the way leaves the repository
      Status inside = CheckFileInside(root_, target);
      Missing(Artifact::kLinks,
              "the link '" + link.target + "': " +
                  (inside.ok() ? RelativeTo(root_, target) + " leaves the repository"
                               : inside.error().message()),
              readme_file_, link.line);
    }
  }
  Found(Artifact::kLinks, Plural(checked, "relative link") + " checked");
  CheckZooUrls();
}

void ArtifactReview::CheckZooUrls() {
  const std::string& repository = context_.config->repository;
  if (repository.empty()) return;
  auto check = [&](const std::string& url, int line, const char* where) {
    std::optional<std::string> path = PathInRepository(url, repository);
    if (!path || path->empty()) return;
    std::error_code error;
    fs::path target = (root_ / *path).lexically_normal();
    if (!InsideRoot(root_, target) || fs::exists(fs::symlink_status(target, error))) return;
    step_.reasons.push_back(MakeReason(
        "artifacts",
        std::string(where) + " " + url + " points at " + *path + " in " + repository +
            ", which does not exist in the zoo (moved or removed?): point it at the file's "
            "current place",
        readme_file_, line, ReasonLevel::kWarning));
  };
  for (const MarkdownLink& link : readme_.links) check(link.target, link.line, "the link");
  for (const CodeBlock& block : readme_.code_blocks) {
    for (size_t index = 0; index < block.lines.size(); ++index) {
      const std::string& text = block.lines[index];
      for (size_t pos = text.find("http"); pos != std::string::npos;
           pos = text.find("http", pos + 1)) {
        if (!StartsWith(std::string_view(text).substr(pos), "http://") &&
            !StartsWith(std::string_view(text).substr(pos), "https://")) {
          continue;
        }
        size_t end = text.find_first_of(" \t'\"`)>", pos);
        std::string url = text.substr(pos, end == std::string::npos ? end : end - pos);
        // A fenced block's content starts on the line after its fence.
        int offset = readme_.lines.size() >= static_cast<size_t>(block.first_line) &&
                             Trim(readme_.lines[block.first_line - 1]) == Trim(block.lines[0])
                         ? 0
                         : 1;
        check(url, block.first_line + offset + static_cast<int>(index), "the URL");
        pos = end == std::string::npos ? text.size() : end;
      }
    }
  }
}

void ArtifactReview::CheckInference() {
  // The input and output, described: in their own sections, or in the Inference section's text.
  std::vector<const MarkdownHeading*> inference_sections = Sections(ReadmeSection::kInference);
  for (auto [section, what] : {std::pair{ReadmeSection::kInput, "input"},
                               std::pair{ReadmeSection::kOutput, "output"}}) {
    const MarkdownHeading* heading = FindSection(readme_, section);
    if (heading != nullptr && !heading->body_empty) {
      Found(Artifact::kInferenceDetails, At(heading->line));
      continue;
    }
    int mention = MentionIn(inference_sections, what);
    if (mention > 0) {
      Found(Artifact::kInferenceDetails, std::string(what) + " described at " + At(mention));
      continue;
    }
    if (heading != nullptr) {
      Missing(Artifact::kInferenceDetails,
              Describe(*heading) + " is empty: describe the " + what + " names, shapes and types",
              readme_file_, heading->line);
      continue;
    }
    Missing(Artifact::kInferenceDetails,
            std::string("found no description of the model's ") + what + ": no " +
                LookedFor(section) +
                (inference_sections.empty()
                     ? std::string(", and no Inference section")
                     : ", and " + Describe(*inference_sections.front()) + " never mentions the " +
                           what) +
                "; add a '### " + (what[0] == 'i' ? "Input" : "Output") +
                "' section under '## Inference' with the " + what + " names, shapes and types",
            readme_file_, inference_sections.empty() ? 0 : inference_sections.front()->line);
  }
  // A notebook, script or complete inline example that runs the model.
  std::vector<const CodeLink*> links = UsableLinks(LinkRole::kInference, Artifact::kInferenceNotebook);
  if (!links.empty()) {
    const CodeLink& link = *links.front();
    Found(Artifact::kInferenceNotebook, Where(link));
    NoteUnlinked(link, "inference notebook", "the Inference section");
    return;
  }
  for (const CodeBlock& block : readme_.code_blocks) {
    if (block.code_lines >= 3 && RunsModel(block)) {
      Found(Artifact::kInferenceNotebook, "inline example at " + At(block.first_line));
      return;
    }
  }
  if (Outcome(Artifact::kInferenceNotebook).missing) return;  // a dead or invalid link said why
  const MarkdownHeading* inference = FindSection(readme_, ReadmeSection::kInference);
  Missing(Artifact::kInferenceNotebook,
          "no inference notebook: looked for a notebook or script (linked from the README or in "
          "the folder) named or linked as inference, demo or example, a notebook that opens an "
          "ONNX Runtime session, one linked from " +
              (inference ? Describe(*inference) : std::string("an Inference section")) +
              ", and an inline code example that runs the model (onnxruntime, cv2.dnn); found "
              "none. Add dependencies/inference.ipynb and link it from the Inference section",
          readme_file_, inference ? inference->line : 0);
}

void ArtifactReview::CheckValidation() {
  // The metric's value in the README: a non-empty accuracy section or a model-table metric.
  for (const ModelTable& table : readme_.model_tables) {
    for (size_t column = 0; column < table.columns.size(); ++column) {
      if (!IsMetricColumn(table.columns[column])) continue;
      for (const ModelTableRow& row : table.rows) {
        if (column < row.cells.size() && HasDigit(row.cells[column])) {
          Found(Artifact::kAccuracy, "model table column '" + table.columns[column] + "' (" +
                                         At(row.line) + ")");
        }
      }
    }
  }
  std::vector<const MarkdownHeading*> accuracy_sections = Sections(ReadmeSection::kValidationAccuracy);
  for (const MarkdownHeading* heading : accuracy_sections) {
    if (!heading->body_empty) Found(Artifact::kAccuracy, At(heading->line));
  }
  if (Outcome(Artifact::kAccuracy).evidence.empty()) {
    std::string where = accuracy_sections.empty()
                            ? "looked for " + LookedFor(ReadmeSection::kValidationAccuracy)
                            : Describe(*accuracy_sections.front()) + " is empty";
    Missing(Artifact::kAccuracy,
            "the README states no measured accuracy or other metric: " + where +
                ", and for a model-table column naming a metric (Top-1 accuracy (%), mAP, ...) "
                "with a value; add the figures and how they were measured",
            readme_file_, accuracy_sections.empty() ? 0 : accuracy_sections.front()->line);
  }

  // A notebook or script that measures it.
  std::vector<const CodeLink*> links =
      UsableLinks(LinkRole::kValidation, Artifact::kValidationNotebook);
  for (const CodeLink* link : links) {
    std::string where = Where(*link);
    if (link->remote || !link->notebook) {
      Found(Artifact::kValidationNotebook, where);
      continue;
    }
    auto notebook = ReadNotebook(link->path);
    std::string metric = MetricNamed(notebook->markdown + "\n" + notebook->code + "\n" +
                                     notebook->outputs);
    if (!metric.empty()) {
      Found(Artifact::kValidationNotebook, where + ", measures " + metric);
      NoteUnlinked(*link, "validation notebook", "the Validation accuracy section");
    } else if (links.size() == 1) {
      Missing(Artifact::kValidationNotebook,
              link->relative + " (linked at " + At(link->line) +
                  ") is the validation notebook but names no metric in its code, text or "
                  "outputs (looked for accuracy, top-1, mAP, mIoU, F1, MCC, BLEU, perplexity, "
                  "...): compute and print the metric the README claims",
              link->relative);
    }
  }
  if (!Outcome(Artifact::kValidationNotebook).evidence.empty() ||
      Outcome(Artifact::kValidationNotebook).missing) {
    return;
  }
  const MarkdownHeading* section = accuracy_sections.empty() ? nullptr : accuracy_sections.front();
  Missing(Artifact::kValidationNotebook,
          "no validation notebook: looked for a notebook or script, linked from the README or in "
          "the folder, whose name or link text says validation, evaluation or accuracy, and one "
          "linked from " +
              (section ? Describe(*section) : std::string("a Validation accuracy section")) +
              "; found none. Add dependencies/validation.ipynb that measures the claimed "
              "metric on the dataset and link it from that section",
          readme_file_, section ? section->line : 0);
}

void ArtifactReview::CheckProcessing(ReadmeSection section, Artifact artifact, LinkRole role,
                                     const char* what) {
  std::vector<const CodeLink*> links = UsableLinks(role, artifact);
  if (!links.empty()) {
    const CodeLink& link = *links.front();
    Found(artifact, Where(link));
    NoteUnlinked(link, std::string(what) + " script", "the " + std::string(what) + " section");
    return;
  }
  std::vector<const MarkdownHeading*> headings = Sections(section);
  for (const MarkdownHeading* heading : headings) {
    std::vector<const CodeBlock*> code = CodeIn(*heading, 2);
    if (!code.empty()) {
      Found(artifact, "inline code at " + At(code.front()->first_line));
      return;
    }
  }
  if (Outcome(artifact).missing) return;  // a dead or invalid link said why
  // A complete example that runs the model (a notebook, a script, inline code) carries its
  // pre- and post-processing, unless the README gives the step a section with nothing in it.
  const std::string& example = Outcome(Artifact::kInferenceNotebook).evidence;
  bool empty_section = !headings.empty() && headings.front()->body_empty;
  if (!example.empty() && !empty_section) {
    Found(artifact, "part of the inference example " + example);
    return;
  }
  std::string fix = std::string("link a script (e.g. dependencies/") + what +
                    ".py) from it or give the " + what + " as a code block";
  if (headings.empty()) {
    Missing(artifact, std::string("no ") + what + " script: looked for " + LookedFor(section) +
                          " with a linked script or a code block, a script named for " + what +
                          " (linked or in the folder), and an inference example that runs the "
                          "model; found none. Add a section with the steps and " + fix);
    return;
  }
  const MarkdownHeading& heading = *headings.front();
  Missing(artifact,
          Describe(heading) + (heading.body_empty ? " is empty" : " has prose only") +
              ": it links no script and has no code block (of 2 or more lines); " + fix,
          readme_file_, heading.line);
}

void ArtifactReview::CheckDataset() {
  std::vector<const MarkdownHeading*> headings = Sections(ReadmeSection::kDataset);
  for (const MarkdownHeading* heading : headings) {
    bool has_link = std::any_of(readme_.links.begin(), readme_.links.end(), [&](const auto& link) {
      return link.line >= heading->body_first_line && link.line <= heading->body_last_line;
    });
    if (has_link || !CodeIn(*heading, 1).empty()) {
      Found(Artifact::kDataset, At(heading->line));
      return;
    }
  }
  if (headings.empty()) {
    // A model-table column naming each model's dataset names it, without saying how to get it.
    std::string named;
    for (const ModelTable& table : readme_.model_tables) {
      for (size_t column = 0; column < table.columns.size() && named.empty(); ++column) {
        if (AsciiLower(table.columns[column]).find("dataset") == std::string::npos) continue;
        for (const ModelTableRow& row : table.rows) {
          if (column < row.cells.size() && !row.cells[column].empty()) {
            named = "the model table's '" + table.columns[column] + "' column (" +
                    At(row.line) + ") names " + row.cells[column] + ", but ";
            break;
          }
        }
      }
    }
    Missing(Artifact::kDataset,
            named + "found no dataset section: no " + LookedFor(ReadmeSection::kDataset) +
                "; add a '## Dataset' section with a link to the dataset and the steps to obtain "
                "and prepare it");
    return;
  }
  const MarkdownHeading& heading = *headings.front();
  Missing(Artifact::kDataset,
          Describe(heading) + (heading.body_empty ? " is empty" : " has no link and no commands") +
              ": give a link to the dataset and the steps to obtain and prepare it",
          readme_file_, heading.line);
}

void ArtifactReview::CheckNotebookScripts() {
  size_t scripts = 0;
  for (const CodeLink& link : code_links_) {
    if (!link.notebook || link.remote || !link.exists) continue;
    auto notebook = ReadNotebook(link.path);
    if (!notebook.ok()) continue;  // reported where the notebook is required
    for (const std::string& script : ScriptsRunBy(notebook->code)) {
      fs::path resolved = script[0] == '/' ? fs::path(script)
                                           : (link.path.parent_path() / script).lexically_normal();
      ++scripts;
      std::error_code error;
      if (!InsideRoot(root_, resolved)) {
        Missing(Artifact::kNotebookScripts,
                link.relative + " runs " + script +
                    ", which is outside the repository: add the script to the submission",
                link.relative);
      } else if (!fs::is_regular_file(fs::symlink_status(resolved, error))) {
        Missing(Artifact::kNotebookScripts,
                link.relative + " runs " + script + " (" + RelativeTo(root_, resolved) +
                    "), which is not in the submission: add it",
                link.relative);
      }
    }
  }
  Found(Artifact::kNotebookScripts, Plural(scripts, "script") + " run by the notebooks");
}

}  // namespace zooci::pipeline_internal
