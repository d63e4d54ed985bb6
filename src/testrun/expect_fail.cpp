// The expect-fail list: cases known to fail, each with the reason.
#include <set>

#include "testrun/testrun.h"

namespace zooci {

Result<std::vector<ExpectFailEntry>> ParseExpectFail(std::string_view text,
                                                     const std::string& file_name) {
  std::vector<ExpectFailEntry> entries;
  std::set<std::string> seen;
  int line_number = 0;
  for (const std::string& raw_line : SplitString(text, '\n')) {
    ++line_number;
    std::string_view line = raw_line;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    std::string where = file_name + ":" + std::to_string(line_number);
    size_t space = line.find_first_of(" \t");
    if (space == std::string_view::npos) {
      return Error(where + ": '" + std::string(line) +
                   "' has no reason (expected '<case path> <reason>')");
    }
    ExpectFailEntry entry;
    entry.case_path = std::string(line.substr(0, space));
    entry.reason = std::string(Trim(line.substr(space)));
    entry.line = line_number;
    while (EndsWith(entry.case_path, "/")) entry.case_path.pop_back();
    if (!seen.insert(entry.case_path).second)
      return Error(where + ": '" + entry.case_path + "' is listed twice");
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<ExpectFailEntry>> ReadExpectFail(const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 16 << 20).WithContext("expect-fail list"));
  return ParseExpectFail(text, path.string());
}

bool ExpectFailMatches(const ExpectFailEntry& entry, const std::string& case_id) {
  const std::string& path = entry.case_path;
  if (!EndsWith(case_id, path)) return false;
  return case_id.size() == path.size() || case_id[case_id.size() - path.size() - 1] == '/';
}

const ExpectFailEntry* FindExpectFail(const std::vector<ExpectFailEntry>& entries,
                                      const std::string& case_id) {
  for (const ExpectFailEntry& entry : entries) {
    if (ExpectFailMatches(entry, case_id)) return &entry;
  }
  return nullptr;
}

}  // namespace zooci
