// README links to notebooks and scripts, resolved and classified (see readme_links.h).
#include "pipeline/readme_links.h"

#include <algorithm>

namespace zooci::pipeline_internal {
namespace {

const char* const kScriptExtensions[] = {".py", ".sh", ".ipynb", ".cc", ".cpp", ".c", ".js",
                                         ".ts", ".java", ".cs", ".r", ".m", ".rs", ".go"};

std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (size_t index = 0; index < text.size(); ++index) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (text[index] == '%' && index + 2 < text.size() && hex(text[index + 1]) >= 0 &&
        hex(text[index + 2]) >= 0) {
      out += static_cast<char>(hex(text[index + 1]) * 16 + hex(text[index + 2]));
      index += 2;
    } else {
      out += text[index];
    }
  }
  return out;
}

// The URL's path without query and fragment, lower-cased.
std::string UrlPath(const std::string& url) {
  return AsciiLower(url.substr(0, url.find_first_of("?#")));
}

bool HasScriptExtension(const std::string& lower_path) {
  for (const char* extension : kScriptExtensions) {
    if (EndsWith(lower_path, extension)) return true;
  }
  return false;
}

bool Mentions(const std::string& lower, std::initializer_list<const char*> words) {
  for (const char* word : words) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// Roles from the words of a file name (and link text): "inference", "demo", "validation", ...
void AddRolesFromWords(const std::string& words, CodeLink* code) {
  auto add = [&](LinkRole role) {
    if (!code->Has(role)) code->roles.push_back(role);
  };
  if (Mentions(words, {"infer", "demo", "example", "usage", "predict", "quickstart"})) {
    add(LinkRole::kInference);
  }
  if (Mentions(words, {"valid", "eval", "accura", "benchmark", "metric"})) {
    add(LinkRole::kValidation);
  }
  if (Mentions(words, {"preproc", "pre-proc", "pre_proc"})) add(LinkRole::kPreprocessing);
  if (Mentions(words, {"postproc", "post-proc", "post_proc"})) add(LinkRole::kPostprocessing);
}

// Entries of a model folder looked at for unlinked notebooks and scripts (a dataset folder of
// images must not make the review slow).
constexpr size_t kMaxFolderEntries = 20000;

}  // namespace

bool CodeLink::Has(LinkRole role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool IsExternalLink(const std::string& target) {
  return target.find("://") != std::string::npos || StartsWith(target, "mailto:") ||
         StartsWith(target, "#") || target.empty();
}

bool InsideRoot(const fs::path& root, const fs::path& path) {
  std::string relative = path.lexically_relative(root).generic_string();
  return !relative.empty() && relative != ".." && !StartsWith(relative, "../");
}

fs::path ResolveLink(const fs::path& root, const fs::path& readme_dir, const std::string& target) {
  if (IsExternalLink(target)) return fs::path();
  std::string path = PercentDecoded(target.substr(0, target.find_first_of("#?")));
  if (path.empty()) return fs::path();
  if (path[0] == '/') return (root / path.substr(1)).lexically_normal();
  return (readme_dir / path).lexically_normal();
}

SectionIndex::SectionIndex(const Readme& readme) {
  for (ReadmeSection section : AllReadmeSections()) {
    for (const MarkdownHeading* heading : FindSections(readme, section)) {
      headings.emplace_back(section, heading);
    }
  }
}

std::vector<ReadmeSection> SectionIndex::At(int line) const {
  std::vector<ReadmeSection> sections;
  for (const auto& [section, heading] : headings) {
    if (line >= heading->line && line <= heading->body_last_line &&
        std::find(sections.begin(), sections.end(), section) == sections.end()) {
      sections.push_back(section);
    }
  }
  return sections;
}

// A local notebook whose code runs an ONNX model (a session, not a "pip install onnxruntime") is
// an inference example whatever its name ("BERT-Squad.ipynb").
void AddRolesFromContent(CodeLink* code) {
  if (!code->notebook || code->remote || !code->exists || code->Has(LinkRole::kInference)) return;
  auto notebook = ReadNotebook(code->path);
  if (!notebook.ok()) return;
  for (const char* marker : {"InferenceSession(", "PyOrtFunction", "readNetFromONNX(", "ort.run("}) {
    if (notebook->code.find(marker) != std::string::npos) {
      code->roles.push_back(LinkRole::kInference);
      return;
    }
  }
}

std::vector<CodeLink> CodeLinks(const Readme& readme, const fs::path& root) {
  std::vector<CodeLink> found;
  const fs::path readme_dir = readme.path.parent_path();
  const SectionIndex sections(readme);
  for (const MarkdownLink& link : readme.links) {
    CodeLink code;
    code.line = link.line;
    code.target = link.target;
    std::string name;  // the file name, lower-case
    if (StartsWith(link.target, "http://") || StartsWith(link.target, "https://")) {
      std::string path = UrlPath(link.target);
      bool colab = path.find("colab.research.google.com") != std::string::npos ||
                   path.find("nbviewer.") != std::string::npos;
      if (!colab && !HasScriptExtension(path)) continue;
      code.remote = true;
      code.notebook = colab || EndsWith(path, ".ipynb");
      name = path.substr(path.rfind('/') + 1);
    } else {
      fs::path resolved = ResolveLink(root, readme_dir, link.target);
      if (resolved.empty()) continue;
      name = AsciiLower(resolved.filename().string());
      if (!HasScriptExtension(name)) continue;
      code.path = resolved;
      code.notebook = EndsWith(name, ".ipynb");
      if (InsideRoot(root, resolved)) {
        code.relative = RelativeTo(root, resolved);
        Status inside = CheckFileInside(root, resolved);
        code.exists = inside.ok();
        if (!inside.ok()) {
          code.problem = inside.error().message();
          code.leaves = code.problem.find("leaves the repository") != std::string::npos;
        }
      }
    }
    const std::string words = name + " " + AsciiLower(link.text);
    auto add = [&](LinkRole role) {
      if (!code.Has(role)) code.roles.push_back(role);
    };
    std::vector<ReadmeSection> around = sections.At(link.line);
    auto in = [&](ReadmeSection section) {
      return std::find(around.begin(), around.end(), section) != around.end();
    };
    // A link under Pre-/Post-processing is for that step, even inside the Inference section.
    if ((in(ReadmeSection::kInference) || in(ReadmeSection::kInput) ||
         in(ReadmeSection::kOutput)) &&
        !in(ReadmeSection::kPreprocessing) && !in(ReadmeSection::kPostprocessing)) {
      add(LinkRole::kInference);
    }
    for (ReadmeSection section : around) {
      if (section == ReadmeSection::kValidationAccuracy) add(LinkRole::kValidation);
      if (section == ReadmeSection::kPreprocessing) add(LinkRole::kPreprocessing);
      if (section == ReadmeSection::kPostprocessing) add(LinkRole::kPostprocessing);
    }
    AddRolesFromWords(words, &code);
    AddRolesFromContent(&code);
    found.push_back(std::move(code));
  }
  // The folder's notebooks and scripts that no link names.
  const fs::path folder = readme_dir;
  std::error_code error;
  auto options = fs::directory_options::skip_permission_denied;
  size_t visited = 0;
  for (auto it = fs::recursive_directory_iterator(folder, options, error);
       !error && it != fs::recursive_directory_iterator() && ++visited <= kMaxFolderEntries;
       it.increment(error)) {
    std::error_code entry_error;
    const fs::path& path = it->path();
    if (it->is_symlink(entry_error)) continue;  // links are the integrity step's to judge
    if (it->is_directory(entry_error)) {
      bool nested = fs::exists(path / "README.md", entry_error);
      if (StartsWith(path.filename().string(), ".") || nested || it.depth() >= 3) {
        it.disable_recursion_pending();
      }
      continue;
    }
    std::string name = AsciiLower(path.filename().string());
    if (!HasScriptExtension(name) || !it->is_regular_file(entry_error)) continue;
    fs::path normal = path.lexically_normal();
    bool linked = std::any_of(found.begin(), found.end(),
                              [&](const CodeLink& code) { return code.path == normal; });
    if (linked) continue;
    CodeLink code;
    code.target = RelativeTo(folder, normal);
    code.path = normal;
    code.relative = RelativeTo(root, normal);
    code.notebook = EndsWith(name, ".ipynb");
    code.exists = true;
    AddRolesFromWords(name, &code);
    AddRolesFromContent(&code);
    if (!code.roles.empty()) found.push_back(std::move(code));
  }
  return found;
}

}  // namespace zooci::pipeline_internal
