// The artifacts step: what a submitter must provide in the model folder (README sections,
// notebooks, scripts, dataset instructions, resolvable links, license, a main-README link).
#include <algorithm>

#include "pipeline/internal.h"

namespace zooci::pipeline_internal {
namespace {

using json = nlohmann::json;

bool IsExternal(const std::string& target) {
  return target.find("://") != std::string::npos || StartsWith(target, "mailto:") ||
         StartsWith(target, "#") || target.empty();
}

// A README link's target resolved against the README's directory, anchor and query removed.
fs::path Resolve(const fs::path& readme_dir, const std::string& target) {
  std::string path = target.substr(0, target.find_first_of("#?"));
  if (!path.empty() && path[0] == '/') return fs::path();  // site-absolute: not a repo file
  return (readme_dir / path).lexically_normal();
}

bool InsideRoot(const fs::path& root, const fs::path& path) {
  std::string relative = path.lexically_relative(root).generic_string();
  return !relative.empty() && !StartsWith(relative, "..");
}

// Jupyter nbformat 4 with at least one non-empty code cell. Returns the notebook's code and
// markdown text for content checks.
Result<std::string> ReadNotebook(const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, uint64_t{64} << 20));
  try {
    json notebook = json::parse(text);
    if (!notebook.is_object() || notebook.value("nbformat", 0) != 4) {
      return Error("not a Jupyter notebook in nbformat 4");
    }
    std::string content;
    bool has_code = false;
    for (const json& cell : notebook.at("cells")) {
      std::string source;
      const json& lines = cell.at("source");
      if (lines.is_string()) {
        source = lines.get<std::string>();
      } else {
        for (const json& line : lines) source += line.get<std::string>();
      }
      if (cell.value("cell_type", "") == "code" && !std::string(Trim(source)).empty()) {
        has_code = true;
      }
      content += source + "\n";
    }
    if (!has_code) return Error("the notebook has no code cell");
    return content;
  } catch (const json::exception& error) {
    return Error(std::string("not valid notebook JSON: ") + error.what());
  }
}

// Readable, non-empty text without NUL bytes (what can be said of a script without running it).
Status CheckScript(const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, uint64_t{16} << 20));
  if (std::string(Trim(text)).empty()) return Error("the script is empty");
  if (text.find('\0') != std::string::npos) return Error("the script is not text (NUL bytes)");
  return OkStatus();
}

struct LinkedFile {
  fs::path path;
  int line = 0;
};

// Links in the README lines [first, last] whose targets end with one of `extensions`.
std::vector<LinkedFile> LinksIn(const Readme& readme, int first, int last,
                                const std::vector<std::string>& extensions) {
  std::vector<LinkedFile> found;
  for (const MarkdownLink& link : readme.links) {
    if (link.line < first || link.line > last || IsExternal(link.target)) continue;
    fs::path path = Resolve(readme.path.parent_path(), link.target);
    std::string extension = AsciiLower(path.extension().string());
    if (std::find(extensions.begin(), extensions.end(), extension) != extensions.end()) {
      found.push_back({path, link.line});
    }
  }
  return found;
}

}  // namespace

StepResult CheckArtifacts(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  StepResult step;
  step.name = "artifacts";
  std::string readme_file = folder.relative + "/README.md";
  auto add = [&](std::string message, std::string file = {}, int line = 0, bool declines = true) {
    step.reasons.push_back(MakeReason("artifacts", std::move(message),
                                      file.empty() ? readme_file : file, line, declines));
  };
  auto readme = ParseReadme(folder.dir / "README.md");
  if (!readme.ok()) {
    add("the README cannot be read: " + readme.error().message());
    Conclude(step, "no readable README");
    return step;
  }
  int sections_found = 0;
  for (ReadmeSection section : RequiredReadmeSections()) {
    bool present = section == ReadmeSection::kModelTable ? !readme->model_tables.empty()
                                                         : FindSection(*readme, section) != nullptr;
    if (present) {
      ++sections_found;
    } else {
      add("the README has no '" + ReadmeSectionName(section) + "' section");
    }
  }

  // Notebooks: an inference one and a validation one that states its metric.
  int last_line = static_cast<int>(readme->lines.size());
  std::vector<LinkedFile> notebooks = LinksIn(*readme, 1, last_line, {".ipynb"});
  bool inference_notebook = false, validation_notebook = false;
  for (const LinkedFile& notebook : notebooks) {
    std::string relative = RelativeTo(folder.root, notebook.path);
    if (!fs::exists(notebook.path)) continue;  // reported with the other broken links
    auto content = ReadNotebook(notebook.path);
    if (!content.ok()) {
      add(relative + ": " + content.error().message(), relative);
      continue;
    }
    bool validation =
        AsciiLower(notebook.path.filename().string()).find("valid") != std::string::npos;
    if (validation) {
      validation_notebook = true;
      std::string lower = AsciiLower(*content);
      bool states_metric =
          lower.find("accuracy") != std::string::npos || lower.find("top-1") != std::string::npos ||
          lower.find("map") != std::string::npos || lower.find("f1") != std::string::npos;
      if (!states_metric) add(relative + ": the validation notebook states no metric", relative);
    } else {
      inference_notebook = true;
    }
  }
  if (!inference_notebook) add("the README references no inference notebook (.ipynb)");
  if (!validation_notebook) {
    add("the README references no validation notebook (an .ipynb whose name says 'validation')");
  }

  // Pre- and post-processing scripts, linked from their sections.
  for (auto [section, what] : {std::pair{ReadmeSection::kPreprocessing, "preprocessing"},
                               std::pair{ReadmeSection::kPostprocessing, "postprocessing"}}) {
    const MarkdownHeading* heading = FindSection(*readme, section);
    if (heading == nullptr) continue;  // already reported as a missing section
    std::vector<LinkedFile> scripts = LinksIn(*readme, heading->line, heading->body_last_line,
                                              {".py", ".sh", ".ipynb", ".cc", ".cpp", ".js"});
    if (scripts.empty()) {
      add(std::string("the ") + what + " section links no script", readme_file, heading->line);
    }
    for (const LinkedFile& script : scripts) {
      if (!fs::exists(script.path)) continue;
      Status ok = CheckScript(script.path);
      std::string relative = RelativeTo(folder.root, script.path);
      if (!ok.ok()) add(relative + ": " + ok.error().message(), relative);
    }
  }

  // Dataset: a non-empty section with a link or steps.
  if (const MarkdownHeading* dataset = FindSection(*readme, ReadmeSection::kDataset)) {
    bool has_link = false;
    for (const MarkdownLink& link : readme->links) {
      has_link = has_link || (link.line > dataset->line && link.line <= dataset->body_last_line);
    }
    if (dataset->body_empty || !has_link) {
      add("the Dataset section gives no link or instructions to obtain the dataset", readme_file,
          dataset->line);
    }
  }

  // Every relative link resolves to a file inside the repository.
  for (const MarkdownLink& link : readme->links) {
    if (IsExternal(link.target)) continue;
    fs::path target = Resolve(folder.dir, link.target);
    if (target.empty() || !InsideRoot(folder.root, target)) {
      add("link '" + link.target + "' points outside the repository", readme_file, link.line);
    } else if (!fs::exists(target)) {
      add("link '" + link.target + "' points to a file that does not exist", readme_file,
          link.line);
    }
  }

  // License: an SPDX identifier, or a LICENSE file in the folder or at the root.
  bool license_file = fs::exists(folder.dir / "LICENSE") || fs::exists(folder.root / "LICENSE");
  if (readme->spdx_license.empty() && !license_file) {
    add("no license: add an SPDX-License-Identifier to the README or a LICENSE file");
  }

  // The main README links the folder.
  fs::path main_readme = folder.root / "README.md";
  auto main = ParseReadme(main_readme);
  bool linked = false;
  if (main.ok()) {
    for (const MarkdownLink& link : main->links) {
      if (IsExternal(link.target)) continue;
      fs::path target = Resolve(folder.root, link.target);
      std::string relative = RelativeTo(folder.root, target);
      while (!relative.empty() && relative.back() == '/') relative.pop_back();
      linked = linked || relative == folder.relative || relative == readme_file;
    }
  }
  if (!linked) add("the main README does not link to " + folder.relative, "README.md");
  Conclude(step, std::to_string(sections_found) + " of " +
                     std::to_string(RequiredReadmeSections().size()) + " README sections, " +
                     std::to_string(notebooks.size()) + " notebooks");
  return step;
}

}  // namespace zooci::pipeline_internal
