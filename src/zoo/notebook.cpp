// Jupyter notebooks as a zoo submission holds them: their code, markdown and outputs as text, the
// files their code runs, and whether a text names an evaluation metric. Nothing is executed.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "zoo/zoo.h"

namespace zooci {
namespace {

using json = nlohmann::json;

constexpr uint64_t kMaxNotebookBytes = uint64_t{64} << 20;

// A cell's "source" or an output's "text": a string or a list of strings.
std::string JoinedText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string text;
  if (value.is_array()) {
    for (const json& part : value) {
      if (part.is_string()) text += part.get<std::string>();
    }
  }
  return text;
}

// The text an output shows: stream text, and text/plain, text/markdown or text/html data.
std::string OutputText(const json& output) {
  if (!output.is_object()) return "";
  std::string text = JoinedText(output.value("text", json()));
  if (auto data = output.find("data"); data != output.end() && data->is_object()) {
    for (const char* kind : {"text/plain", "text/markdown", "text/html"}) {
      if (auto part = data->find(kind); part != data->end()) text += "\n" + JoinedText(*part);
    }
  }
  return text;
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Whether `word` occurs in `lower` (lower-case) with no word character on either side; with
// `not_call`, an occurrence followed by "(" or preceded by "." (Python's map(), x.map) is none.
bool HasWord(std::string_view lower, std::string_view word, bool not_call = false) {
  for (size_t pos = lower.find(word); pos != std::string_view::npos;
       pos = lower.find(word, pos + 1)) {
    bool left = pos == 0 || !IsWordChar(lower[pos - 1]);
    size_t end = pos + word.size();
    bool right = end >= lower.size() || !IsWordChar(lower[end]);
    if (not_call) {
      size_t next = lower.find_first_not_of(' ', end);
      if ((next != std::string_view::npos && lower[next] == '(') ||
          (pos > 0 && lower[pos - 1] == '.')) {
        continue;
      }
    }
    if (left && right) return true;
  }
  return false;
}

// The first path-like token of `text` (quotes stripped), or "".
std::string FirstToken(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return "";
  char quote = text[0];
  if (quote == '\'' || quote == '"') {
    size_t close = text.find(quote, 1);
    return close == std::string_view::npos ? "" : std::string(text.substr(1, close - 1));
  }
  size_t end = text.find_first_of(" \t;|&)");
  return std::string(text.substr(0, end));
}

bool LooksLikeScriptPath(const std::string& token) {
  if (token.empty() || token[0] == '-' || token.find("://") != std::string::npos ||
      token.find('$') != std::string::npos || token.find('{') != std::string::npos) {
    return false;
  }
  for (const char* extension : {".py", ".sh", ".ipynb", ".R", ".js"}) {
    if (EndsWith(token, extension)) return true;
  }
  return false;
}

}  // namespace

Result<Notebook> ReadNotebook(const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxNotebookBytes));
  return ParseNotebookText(text);
}

Result<Notebook> ParseNotebookText(std::string_view text) {
  Notebook notebook;
  try {
    json document = json::parse(text);
    if (!document.is_object()) return Error("not a Jupyter notebook (the JSON is not an object)");
    notebook.nbformat = document.value("nbformat", 0);
    // nbformat 3 keeps cells in worksheets[].cells and code in "input"; 4 in cells and "source".
    std::vector<const json*> cell_lists;
    if (notebook.nbformat >= 4) {
      if (auto cells = document.find("cells"); cells != document.end()) {
        cell_lists.push_back(&*cells);
      }
    } else if (notebook.nbformat == 3) {
      if (auto sheets = document.find("worksheets"); sheets != document.end()) {
        for (const json& sheet : *sheets) {
          if (auto cells = sheet.find("cells"); cells != sheet.end()) cell_lists.push_back(&*cells);
        }
      }
    } else {
      return Error("not a Jupyter notebook (no nbformat 3 or 4)");
    }
    if (cell_lists.empty()) return Error("not a Jupyter notebook (no cells)");
    for (const json* cells : cell_lists) {
      if (!cells->is_array()) return Error("not a Jupyter notebook (cells is not a list)");
      for (const json& cell : *cells) {
        if (!cell.is_object()) continue;
        std::string type = cell.value("cell_type", "");
        std::string source = JoinedText(cell.value(notebook.nbformat >= 4 ? "source" : "input",
                                                   json()));
        if (type == "code") {
          if (!Trim(source).empty()) ++notebook.code_cells;
          notebook.code += source + "\n";
          if (auto outputs = cell.find("outputs"); outputs != cell.end() && outputs->is_array()) {
            for (const json& output : *outputs) notebook.outputs += OutputText(output) + "\n";
          }
        } else {
          notebook.markdown += source + "\n";
        }
      }
    }
  } catch (const json::parse_error& error) {
    // Never the parser's own message: it quotes the bytes it read ("last read: '...'").
    return Error("not valid notebook JSON (a syntax error at byte " + std::to_string(error.byte) +
                 ")");
  } catch (const json::exception&) {
    return Error("not a Jupyter notebook (its JSON does not have a notebook's structure)");
  }
  if (notebook.code_cells == 0) return Error("the notebook has no code cell");
  return notebook;
}

std::vector<std::string> ScriptsRunBy(std::string_view code) {
  std::vector<std::string> scripts;
  std::vector<std::string> lines = SplitString(code, '\n');
  // Files the notebook fetches itself ("!wget .../x.py", "urlretrieve(...)"): not the
  // submission's to carry.
  std::string fetched;
  for (const std::string& raw : lines) {
    std::string lower = AsciiLower(raw);
    for (const char* fetch : {"wget ", "curl ", "urlretrieve", "download", "hf_hub"}) {
      if (lower.find(fetch) != std::string::npos) fetched += raw + "\n";
    }
  }
  for (const std::string& raw : lines) {
    std::string_view line = Trim(raw);
    // After the notebook clones a repository or changes directory, relative paths point into
    // something the submission does not hold: nothing after that is attributed to it.
    std::string lower = AsciiLower(line);
    if (lower.find("git clone") != std::string::npos || StartsWith(lower, "%cd") ||
        StartsWith(lower, "!cd ") || StartsWith(lower, "cd ") ||
        lower.find("os.chdir(") != std::string::npos || StartsWith(lower, "%pushd")) {
      break;
    }
    std::string token;
    for (std::string_view prefix : {"%run ", "%load ", "!python3 ", "!python ", "!sh ", "!bash ",
                                    "!./", "exec(open("}) {
      if (!StartsWith(line, prefix)) continue;
      std::string_view rest = line.substr(prefix.size());
      if (prefix == "!./") {
        token = "./" + FirstToken(rest);
      } else {
        // Options before the script ("%run -i x.py", "!python -u x.py").
        while (StartsWith(Trim(rest), "-")) {
          rest = Trim(rest);
          rest = rest.substr(std::min(rest.size(), rest.find_first_of(" \t")));
        }
        token = FirstToken(rest);
      }
      break;
    }
    std::string name = fs::path(token).filename().string();
    bool fetched_by_notebook = !name.empty() && fetched.find(name) != std::string::npos;
    if (LooksLikeScriptPath(token) && !fetched_by_notebook &&
        std::find(scripts.begin(), scripts.end(), token) == scripts.end()) {
      scripts.push_back(token);
    }
  }
  return scripts;
}

std::string MetricNamed(std::string_view text) {
  std::string lower = AsciiLower(text);
  // Phrases first (they would also match a shorter word), then words; the name reported is the
  // metric as people write it.
  static const std::pair<const char*, const char*> kMetrics[] = {
      {"mean average precision", "mAP"},
      {"matthews", "MCC"},
      {"exact match", "exact match"},
      {"top-1", "top-1"},
      {"top-5", "top-5"},
      {"top1", "top-1"},
      {"top5", "top-5"},
      {"accuracy", "accuracy"},

      {"error rate", "error rate"},
      {"map", "mAP"},
      {"miou", "mIoU"},
      {"iou", "IoU"},
      {"f1", "F1"},
      {"f1_score", "F1"},
      {"mcc", "MCC"},
      {"bleu", "BLEU"},
      {"rouge", "ROUGE"},
      {"perplexity", "perplexity"},
      {"ppl", "perplexity"},
      {"psnr", "PSNR"},
      {"ssim", "SSIM"},
      {"wer", "WER"},
      {"auc", "AUC"},
      {"precision", "precision"},
      {"recall", "recall"},
  };
  for (const auto& [word, name] : kMetrics) {
    if (HasWord(lower, word, /*not_call=*/std::string_view(word) == "map")) return name;
  }
  return "";
}

}  // namespace zooci
