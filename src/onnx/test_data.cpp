// Discovery of test_data_set_N directories and their input_K.pb / output_K.pb files.
#include <algorithm>
#include <map>

#include "onnx/onnx_io.h"

namespace zooci {
namespace {

// Parses "<prefix><digits><suffix>" and returns the number, or -1.
int64_t NumberedName(std::string_view name, std::string_view prefix, std::string_view suffix) {
  if (!StartsWith(name, prefix) || !EndsWith(name, suffix)) return -1;
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 9) return -1;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return ParseInt(digits, "index").value();
}

// Orders numbered files and checks they run 0..k-1 without gaps.
Result<std::vector<fs::path>> Contiguous(const std::map<int64_t, fs::path>& numbered,
                                         const char* kind) {
  std::vector<fs::path> files;
  int64_t expected = 0;
  for (const auto& [index, path] : numbered) {
    if (index != expected) {
      return Error(std::string(kind) + "_" + std::to_string(index) + ".pb present but " + kind +
                   "_" + std::to_string(expected) + ".pb missing");
    }
    files.push_back(path);
    ++expected;
  }
  return files;
}

Result<DataSet> ReadDataSet(const fs::path& dir, std::string name) {
  std::map<int64_t, fs::path> inputs;
  std::map<int64_t, fs::path> outputs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string file = entry.path().filename().string();
    if (int64_t index = NumberedName(file, "input_", ".pb"); index >= 0) {
      inputs[index] = entry.path();
    } else if (int64_t index = NumberedName(file, "output_", ".pb"); index >= 0) {
      outputs[index] = entry.path();
    }
    // Other files (README, config.txt) are ignored.
  }
  if (ec) return Error("cannot list " + dir.string() + ": " + ec.message());
  DataSet data_set;
  data_set.name = std::move(name);
  data_set.dir = dir;
  auto context = data_set.name;
  auto input_files = Contiguous(inputs, "input");
  if (!input_files.ok()) return input_files.error().WithContext(context);
  auto output_files = Contiguous(outputs, "output");
  if (!output_files.ok()) return output_files.error().WithContext(context);
  if (output_files->empty()) return Error(context + ": no output_0.pb (nothing to compare)");
  data_set.inputs = std::move(*input_files);
  data_set.outputs = std::move(*output_files);
  return data_set;
}

}  // namespace

Result<std::vector<DataSet>> FindDataSets(const fs::path& dir) {
  std::map<int64_t, fs::path> numbered;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_directory()) continue;
    int64_t index = NumberedName(entry.path().filename().string(), "test_data_set_", "");
    if (index >= 0) numbered[index] = entry.path();
  }
  if (ec) return Error("cannot list " + dir.string() + ": " + ec.message());
  std::vector<DataSet> data_sets;
  for (const auto& [index, path] : numbered) {
    ZC_ASSIGN_OR_RETURN(DataSet data_set, ReadDataSet(path, path.filename().string()));
    data_sets.push_back(std::move(data_set));
  }
  return data_sets;
}

}  // namespace zooci
