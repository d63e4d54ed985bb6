// The scenario parser's typed value readers: strings, enumerations, numbers, sizes and paths that
// must stay inside the model folder.
#include <algorithm>
#include <climits>

#include "eval/scenario_parser.h"

namespace zooci::scenario_internal {
namespace {

const char* TypeName(const YAML::Node& node) {
  static const char* const kNames[] = {"an undefined value", "nothing", "a scalar", "a list",
                                       "a mapping"};  // indexed by YAML::NodeType::value
  const int type = node.Type();
  return type >= 0 && type <= 4 ? kNames[type] : kNames[0];
}

}  // namespace

std::string JoinNames(const Names& names) {
  std::string joined;
  for (std::string_view name : names) joined += (joined.empty() ? "" : ", ") + std::string(name);
  return joined;
}

std::string JoinPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

Error Parser::Fail(const YAML::Node& node, const std::string& path,
                   const std::string& message) const {
  std::string where = file_;
  if (node.IsDefined() && !node.Mark().is_null()) {
    where += ":" + std::to_string(node.Mark().line + 1);
  }
  return Error(where + ": " + (path.empty() ? "" : path + ": ") + message);
}

Result<const Field*> Parser::Require(const Fields& fields, std::string_view name,
                                     const YAML::Node& parent, const std::string& path) const {
  if (const Field* field = fields.Find(name)) return field;
  return Fail(parent, path, "missing required key '" + std::string(name) + "'");
}

int Parser::Line(const Field& field) const {
  return field.key.Mark().is_null() ? 0 : field.key.Mark().line + 1;
}

Result<Fields> Parser::ReadFields(const YAML::Node& node, const std::string& path,
                                  const Names& valid) const {
  Fields fields;
  if (node.IsNull()) return fields;  // `key:` with nothing: an empty section
  if (!node.IsMap()) {
    return Fail(node, path, std::string("expected a mapping, got ") + TypeName(node));
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) return Fail(it->first, path, "keys must be plain names");
    std::string name = it->first.Scalar();
    if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
      return Fail(it->first, path, "unknown key '" + name + "' (valid: " + JoinNames(valid) + ")");
    }
    if (fields.Find(name) != nullptr) return Fail(it->first, path, "duplicate key '" + name + "'");
    fields.entries.push_back({name, it->first, it->second});
  }
  return fields;
}

Result<std::string> Parser::String(const Field& field, const std::string& path,
                                   const char* what) const {
  if (!field.value.IsScalar()) {
    return Fail(field.key, path,
                "expected " + std::string(what) + ", got " + TypeName(field.value));
  }
  return field.value.Scalar();
}

Result<std::string> Parser::Enum(const Field& field, const std::string& path,
                                 const Names& valid) const {
  ZC_ASSIGN_OR_RETURN(std::string value, String(field, path));
  if (std::find(valid.begin(), valid.end(), value) == valid.end()) {
    return Fail(field.value, path, "bad value '" + value + "' (valid: " + JoinNames(valid) + ")");
  }
  return value;
}

Result<int64_t> Parser::Int(const Field& field, const std::string& path, int64_t min,
                            int64_t max) const {
  ZC_ASSIGN_OR_RETURN(std::string text, String(field, path, "an integer"));
  Result<int64_t> value = ParseInt(StartsWith(text, "+") ? text.substr(1) : text, "");
  if (!value.ok()) return Fail(field.value, path, "expected an integer, got '" + text + "'");
  if (*value < min || *value > max) {
    std::string range = max == INT64_MAX
                            ? "at least " + std::to_string(min)
                            : "between " + std::to_string(min) + " and " + std::to_string(max);
    return Fail(field.value, path, "must be " + range + ", got " + std::to_string(*value));
  }
  return value;
}

Result<double> Parser::Number(const Field& field, const std::string& path) const {
  ZC_ASSIGN_OR_RETURN(std::string text, String(field, path, "a number"));
  Result<double> value = ParseDouble(StartsWith(text, "+") ? text.substr(1) : text, "");
  if (!value.ok()) return Fail(field.value, path, "expected a finite number, got '" + text + "'");
  return value;
}

Result<bool> Parser::Bool(const Field& field, const std::string& path) const {
  if (field.value.IsScalar()) {
    const std::string& text = field.value.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
  }
  return Fail(field.key, path, "expected true or false");
}

Result<std::vector<double>> Parser::NumberList(const Field& field, const std::string& path) const {
  if (!field.value.IsSequence() || field.value.size() == 0) {
    return Fail(field.key, path, "expected a non-empty list of numbers");
  }
  std::vector<double> values;
  for (size_t idx = 0; idx < field.value.size(); ++idx) {
    Field element{"", field.value[idx], field.value[idx]};
    ZC_ASSIGN_OR_RETURN(double value, Number(element, path + "[" + std::to_string(idx) + "]"));
    values.push_back(value);
  }
  return values;
}

Status Parser::Size(const Field& field, const std::string& path, int64_t* height,
                    int64_t* width) const {
  if (!field.value.IsSequence() || field.value.size() != 2) {
    return Fail(field.key, path, "expected [height, width]");
  }
  Field h{"", field.value[0], field.value[0]};
  Field w{"", field.value[1], field.value[1]};
  ZC_ASSIGN_OR_RETURN(*height, Int(h, path + "[0]", 1, INT64_MAX));
  ZC_ASSIGN_OR_RETURN(*width, Int(w, path + "[1]", 1, INT64_MAX));
  return OkStatus();
}

Result<fs::path> Parser::InsidePath(const Field& field, const std::string& path,
                                    PathKind kind) const {
  ZC_ASSIGN_OR_RETURN(std::string text, String(field, path));
  fs::path relative(text);
  if (text.empty()) return Fail(field.value, path, "empty path");
  if (relative.has_root_path()) {
    return Fail(field.value, path,
                "'" + text + "' is absolute; paths are relative to the model folder");
  }
  fs::path normal = relative.lexically_normal();
  if (!normal.empty() && *normal.begin() == "..") {
    return Fail(field.value, path, "'" + text + "' leaves the model folder");
  }
  fs::path resolved = normal == "." ? folder_ : folder_ / normal;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(resolved, ec)) && !IsWithin(folder_, resolved)) {
    return Fail(field.value, path,
                "'" + text + "' leaves the model folder through a symbolic link; it was not read");
  }
  fs::file_status status = fs::status(resolved, ec);
  if (ec || !fs::exists(status)) {
    return Fail(field.value, path, "'" + text + "' does not exist in " + folder_.string());
  }
  if (kind == PathKind::kFile && !fs::is_regular_file(status)) {
    return Fail(field.value, path, "'" + text + "' is not a regular file");
  }
  if (kind == PathKind::kDirectory && !fs::is_directory(status)) {
    return Fail(field.value, path, "'" + text + "' is not a directory");
  }
  return resolved;
}

Result<fs::path> Parser::SingleOnnxFile() const {
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::directory_iterator it(folder_, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code file_ec;
    if (it->path().extension() == ".onnx" && it->is_regular_file(file_ec)) {
      found.push_back(it->path());
    }
  }
  if (ec) return Fail("cannot list " + folder_.string() + ": " + ec.message());
  std::sort(found.begin(), found.end());
  if (found.size() == 1) return found[0];
  if (found.empty()) {
    return Fail("no .onnx file in " + folder_.string() + "; name the model with 'model:'");
  }
  std::vector<std::string> names;
  for (const fs::path& file : found) names.push_back(file.filename().string());
  return Fail("several .onnx files in " + folder_.string() + " (" + JoinStrings(names, ", ") +
              "); choose one with 'model:'");
}

}  // namespace zooci::scenario_internal
