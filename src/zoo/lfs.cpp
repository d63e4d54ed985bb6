// Git LFS: pointer files (spec v1, https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md) and
// whether .gitattributes route a path through the lfs filter (gitattributes(5) matching rules).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "zoo/zoo.h"

namespace zooci {
namespace {

constexpr size_t kPointerLimit = 1024;  // pointer files are smaller than this
constexpr uint64_t kMaxAttributesBytes = uint64_t{4} << 20;

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return true;
}

// Reads up to `limit` bytes; nullopt when the file cannot be read.
std::optional<std::string> ReadPrefix(const fs::path& path, size_t limit) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  std::string data(limit, '\0');
  size_t done = 0;
  while (done < limit) {
    ssize_t got = read(fd, data.data() + done, limit - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      close(fd);
      return std::nullopt;
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  close(fd);
  data.resize(done);
  return data;
}

std::optional<LfsPointer> ParsePointer(std::string_view text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  text.remove_suffix(1);
  std::vector<std::string> lines = SplitString(text, '\n');
  if (lines.empty() || lines[0] != "version https://git-lfs.github.com/spec/v1") {
    return std::nullopt;
  }
  std::optional<std::string> oid;
  std::optional<uint64_t> size;
  std::string previous_key;
  for (size_t index = 1; index < lines.size(); ++index) {
    std::string_view line = lines[index];
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::string_view key = line.substr(0, space);
    std::string_view value = line.substr(space + 1);
    // Keys are unique and sorted; values have no control characters (so no '\r').
    if (!IsKey(key) || key <= previous_key || key == "version") return std::nullopt;
    for (char c : value) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    }
    previous_key = std::string(key);
    if (key == "oid") {
      constexpr std::string_view kPrefix = "sha256:";
      if (!StartsWith(value, kPrefix)) return std::nullopt;
      std::string_view hex = value.substr(kPrefix.size());
      if (hex.size() != 64 || !IsLowerHex(hex)) return std::nullopt;
      oid = std::string(hex);
    } else if (key == "size") {
      if (value.empty() || value.size() > 19) return std::nullopt;
      uint64_t number = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + static_cast<uint64_t>(c - '0');
      }
      if (number > uint64_t{INT64_MAX}) return std::nullopt;  // git-lfs sizes are int64
      size = number;
    }
  }
  if (!oid || !size) return std::nullopt;
  return LfsPointer{*oid, *size};
}

// ---- gitattributes -----------------------------------------------------------------------------

// A gitattributes pattern compiled to tokens for wildmatch-style matching.
class Glob {
 public:
  explicit Glob(std::string_view pattern) {
    for (size_t i = 0; i < pattern.size();) {
      char c = pattern[i];
      bool at_segment_start = i == 0 || pattern[i - 1] == '/';
      if (c == '*' && i + 1 < pattern.size() && pattern[i + 1] == '*') {
        size_t after = i + 2;
        if (at_segment_start && after < pattern.size() && pattern[after] == '/') {
          tokens_.push_back({Kind::kAnyDirs});  // "**/": zero or more directories
          i = after + 1;
          continue;
        }
        if (at_segment_start && i > 0 && after == pattern.size()) {
          tokens_.push_back({Kind::kRest});  // trailing "/**": everything inside
          i = after;
          continue;
        }
      }
      if (c == '*') {
        tokens_.push_back({Kind::kStar});
        ++i;
      } else if (c == '?') {
        tokens_.push_back({Kind::kAny});
        ++i;
      } else if (c == '[' && ParseClass(pattern, &i)) {
        continue;
      } else if (c == '\\' && i + 1 < pattern.size()) {
        tokens_.push_back({Kind::kLiteral, pattern[i + 1]});
        i += 2;
      } else {
        tokens_.push_back({Kind::kLiteral, c});
        ++i;
      }
    }
  }

  // Dynamic programming over (token, position): linear in tokens x path length, no recursion.
  bool Matches(std::string_view path) const {
    size_t n = tokens_.size(), m = path.size();
    std::vector<char> next(m + 1, 0), current(m + 1, 0);
    next[m] = 1;  // no tokens left: matches only the end of the path
    for (size_t t = n; t-- > 0;) {
      const Token& token = tokens_[t];
      bool dirs_then_rest = false;  // kAnyDirs: some k > j has path[k - 1] == '/' and next[k]
      for (size_t j = m + 1; j-- > 0;) {
        bool match = false;
        bool has_char = j < m;
        char c = has_char ? path[j] : '\0';
        switch (token.kind) {
          case Kind::kLiteral:
            match = has_char && c == token.literal && next[j + 1];
            break;
          case Kind::kAny:
            match = has_char && c != '/' && next[j + 1];
            break;
          case Kind::kClass:
            match = has_char && c != '/' && InClass(token, c) && next[j + 1];
            break;
          case Kind::kStar:
            match = next[j] || (has_char && c != '/' && current[j + 1]);
            break;
          case Kind::kAnyDirs:  // "" or "a/", "a/b/", ...: the text consumed ends with '/'
            dirs_then_rest = dirs_then_rest || (has_char && c == '/' && next[j + 1]);
            match = next[j] || dirs_then_rest;
            break;
          case Kind::kRest:  // after "dir/": anything, at least one character
            match = has_char;
            break;
        }
        current[j] = match;
      }
      std::swap(next, current);
    }
    return next[0];
  }

 private:
  enum class Kind { kLiteral, kAny, kClass, kStar, kAnyDirs, kRest };
  struct Token {
    Kind kind;
    char literal = 0;
    bool negated = false;
    std::vector<std::pair<char, char>> ranges = {};
  };

  static bool InClass(const Token& token, char c) {
    bool in = false;
    for (auto [low, high] : token.ranges) in = in || (c >= low && c <= high);
    return in != token.negated;
  }

  // "[...]" at *i: sets, ranges, '!' or '^' negation, ']' first is literal. Returns false (the
  // '[' is then literal) when the class is not closed.
  bool ParseClass(std::string_view pattern, size_t* i) {
    Token token{Kind::kClass};
    size_t k = *i + 1;
    if (k < pattern.size() && (pattern[k] == '!' || pattern[k] == '^')) {
      token.negated = true;
      ++k;
    }
    bool first = true;
    for (; k < pattern.size(); first = false) {
      char c = pattern[k];
      if (c == ']' && !first) {
        tokens_.push_back(std::move(token));
        *i = k + 1;
        return true;
      }
      if (c == '\\' && k + 1 < pattern.size()) c = pattern[++k];
      char high = c;
      if (k + 2 < pattern.size() && pattern[k + 1] == '-' && pattern[k + 2] != ']') {
        high = pattern[k + 2];
        k += 2;
        if (high == '\\' && k + 1 < pattern.size()) high = pattern[++k];
      }
      token.ranges.emplace_back(c, high);
      ++k;
    }
    return false;
  }

  std::vector<Token> tokens_;
};

// One "pattern attr..." line: the result for `filter` when the pattern matches.
enum class FilterState { kUnspecified, kLfs, kOther };

// Splits a line into whitespace-separated fields; a leading "..." pattern may be C-quoted.
std::vector<std::string> Fields(std::string_view line) {
  std::vector<std::string> fields;
  size_t k = 0;
  while (k < line.size()) {
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    if (k >= line.size()) break;
    std::string field;
    if (fields.empty() && line[k] == '"') {
      for (++k; k < line.size() && line[k] != '"'; ++k) {
        if (line[k] == '\\' && k + 1 < line.size()) ++k;
        field += line[k];
      }
      ++k;
    } else {
      while (k < line.size() && line[k] != ' ' && line[k] != '\t') field += line[k++];
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

struct AttributeFile {
  std::string dir;  // relative to the repository root, '/'-separated, "" for the root
  fs::path path;
  bool macros_allowed = false;  // only the root file and .git/info/attributes define macros
};

// Applies one attribute token ("filter=lfs", "-filter", "!filter", a macro name) to `state`.
void ApplyAttribute(std::string_view attribute,
                    const std::map<std::string, std::vector<std::string>, std::less<>>& macros,
                    FilterState* state, int depth) {
  if (attribute == "filter=lfs") {
    *state = FilterState::kLfs;
  } else if (StartsWith(attribute, "filter=") || attribute == "filter" || attribute == "-filter") {
    *state = FilterState::kOther;
  } else if (attribute == "!filter") {
    *state = FilterState::kUnspecified;
  } else if (auto macro = macros.find(attribute); macro != macros.end() && depth < 8) {
    for (const std::string& inner : macro->second) ApplyAttribute(inner, macros, state, depth + 1);
  }
}

}  // namespace

std::optional<LfsPointer> ReadLfsPointer(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return std::nullopt;
  std::optional<std::string> prefix = ReadPrefix(path, kPointerLimit);
  if (!prefix || prefix->size() >= kPointerLimit) return std::nullopt;
  return ParsePointer(*prefix);
}

bool CoveredByLfs(const fs::path& repo_root, const fs::path& relative_path) {
  fs::path relative = relative_path.lexically_normal();
  if (relative.is_absolute()) relative = relative.lexically_relative(repo_root.lexically_normal());
  std::string file = relative.generic_string();
  if (file.empty() || file == "." || StartsWith(file, "../") || file == ".." ||
      EndsWith(file, "/")) {
    return false;
  }
  // Lowest precedence first: the root, each directory down to the file's, then info/attributes.
  std::vector<AttributeFile> files = {{"", repo_root / ".gitattributes", true}};
  for (size_t slash = file.find('/'); slash != std::string::npos;
       slash = file.find('/', slash + 1)) {
    std::string dir = file.substr(0, slash);
    files.push_back({dir, repo_root / dir / ".gitattributes", false});
  }
  files.push_back({"", repo_root / ".git" / "info" / "attributes", true});

  std::map<std::string, std::vector<std::string>, std::less<>> macros;
  FilterState state = FilterState::kUnspecified;
  for (const AttributeFile& attributes : files) {
    std::error_code error;
    if (fs::is_symlink(attributes.path, error)) continue;  // git ignores symlinked attributes
    Result<std::string> text = ReadFile(attributes.path, kMaxAttributesBytes);
    if (!text.ok()) continue;
    std::string within = attributes.dir.empty() ? file : file.substr(attributes.dir.size() + 1);
    std::string base = file.substr(file.rfind('/') == std::string::npos ? 0 : file.rfind('/') + 1);
    for (const std::string& raw : SplitString(*text, '\n')) {
      std::string_view line = Trim(raw);
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> fields = Fields(line);
      if (fields.empty()) continue;
      std::string_view pattern = fields[0];
      if (StartsWith(pattern, "[attr]")) {
        if (attributes.macros_allowed) {
          macros[std::string(pattern.substr(6))] = {fields.begin() + 1, fields.end()};
        }
        continue;
      }
      // Negative patterns are forbidden; a trailing '/' matches directories only, never a file.
      if (pattern.empty() || pattern[0] == '!' || EndsWith(pattern, "/")) continue;
      bool anchored = pattern.find('/') != std::string_view::npos;
      if (StartsWith(pattern, "/")) pattern.remove_prefix(1);
      if (!Glob(pattern).Matches(anchored ? within : base)) continue;
      for (size_t index = 1; index < fields.size(); ++index) {
        ApplyAttribute(fields[index], macros, &state, 0);
      }
    }
  }
  return state == FilterState::kLfs;
}

}  // namespace zooci
