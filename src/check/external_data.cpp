// External data rules (ZC05xx): the location stays inside the model's directory (lexically and
// through symlinks), the file exists, offset and length lie inside it and match the tensor.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "check/internal.h"
#include "onnx/onnx_io.h"

namespace zooci::check_internal {
namespace {

using onnx::TensorProto;

// A whole-string non-negative decimal integer that fits int64: no sign, space, exponent or "".
std::optional<uint64_t> ParseByteCount(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return static_cast<uint64_t>(value);
}

// Lower-case hex SHA-1 of `length` bytes of `path` from `offset` (to the end when nullopt), read in
// 1 MiB blocks; "" when the file cannot be read.
std::string Sha1Hex(const fs::path& path, uint64_t offset, std::optional<uint64_t> length) {
  UniqueFd file(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  const int fd = file.get();
  if (fd < 0) return "";
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> digest(EVP_MD_CTX_new(),
                                                                 EVP_MD_CTX_free);
  bool ok = digest != nullptr && EVP_DigestInit_ex(digest.get(), EVP_sha1(), nullptr) == 1;
  std::string block(size_t{1} << 20, '\0');
  uint64_t position = offset;
  uint64_t left = length.value_or(UINT64_MAX);
  while (ok && left > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(left, block.size()));
    const ssize_t got = pread(fd, block.data(), want, static_cast<off_t>(position));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) ok = false;
    if (got <= 0) break;
    ok = EVP_DigestUpdate(digest.get(), block.data(), static_cast<size_t>(got)) == 1;
    position += static_cast<uint64_t>(got);
    left -= static_cast<uint64_t>(got);
  }
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!ok || (length && left > 0) || EVP_DigestFinal_ex(digest.get(), bytes, &size) != 1) return "";
  return LowerHex(std::string_view(reinterpret_cast<const char*>(bytes), size));
}

bool IsSha1Hex(const std::string& text) {
  return text.size() == 40 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

// The 'checksum' entry against the data: IR.md calls it the SHA-1 "of the file specified under
// 'location'"; exporters that share one file between tensors can only mean the tensor's range, so
// either digest is accepted. Whole-file digests are computed once per file and model.
void CheckChecksum(const std::string& expected, const fs::path& resolved, uint64_t offset,
                   std::optional<uint64_t> length, const ModelContext& context,
                   const TensorReporter& report, const std::string& quoted) {
  using enum RuleId;
  if (!IsSha1Hex(expected)) {
    report(kMalformedExternalInfo, "external_data checksum '" + expected.substr(0, 64) +
                                       "' is not a SHA-1 digest (40 hexadecimal digits)");
    return;
  }
  std::string wanted = expected;
  for (char& c : wanted) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto [whole, inserted] = context.file_sha1.try_emplace(resolved.string());
  if (inserted) whole->second = Sha1Hex(resolved, 0, std::nullopt);
  if (whole->second == wanted) return;
  std::string range = (offset == 0 && !length) ? whole->second : Sha1Hex(resolved, offset, length);
  if (range == wanted) return;
  if (range.empty() || whole->second.empty()) {
    report(kExternalFileMissing, quoted + " could not be read to verify its checksum");
    return;
  }
  report(kExternalChecksumMismatch,
         quoted + ": external_data checksum is " + wanted + " but the data's SHA-1 is " + range +
             (range == whole->second ? "" : " (the whole file's: " + whole->second + ")"));
}

}  // namespace

void CheckExternalData(const TensorProto& tensor, const ModelContext& context,
                       const TensorReporter& report, std::optional<uint64_t> expected_bytes) {
  using enum RuleId;
  std::map<std::string, std::string> entries;  // first occurrence wins
  std::map<std::string, int> occurrences;
  for (const auto& entry : tensor.external_data()) {
    if (++occurrences[entry.key()] == 1) entries.emplace(entry.key(), entry.value());
  }
  for (const auto& [key, times] : occurrences) {
    if (key != "location" && key != "offset" && key != "length" && key != "checksum") {
      report(kExternalUnknownKey,
             "external_data key '" + key + "' is not one of location, offset, length, checksum");
    }
    if (times > 1) {
      report(kMalformedExternalInfo, "external_data key '" + key + "' appears " +
                                         std::to_string(times) + " times; each may appear once");
    }
  }
  // Byte counts; a malformed one is reported and then treated as unknown.
  bool counts_ok = true;
  auto byte_count = [&](const std::string& key) -> std::optional<uint64_t> {
    auto it = entries.find(key);
    if (it == entries.end()) return std::nullopt;
    std::optional<uint64_t> value = ParseByteCount(it->second);
    if (!value) {
      counts_ok = false;
      report(kMalformedExternalInfo, "external_data " + key + " '" + it->second +
                                         "' is not a non-negative decimal integer");
    }
    return value;
  };
  const uint64_t offset = byte_count("offset").value_or(0);
  const std::optional<uint64_t> length = byte_count("length");

  auto location_it = entries.find("location");
  if (location_it == entries.end() || location_it->second.empty()) {
    report(kExternalLocationMissing,
           std::string("data_location is EXTERNAL but external_data has ") +
               (location_it == entries.end() ? "no 'location'" : "an empty 'location'"));
    return;
  }
  const std::string& location = location_it->second;
  const std::string quoted = "external data location '" + location + "'";
  if (location.find('\0') != std::string::npos) {
    report(kExternalLocationUnsafe, "external data location contains a NUL byte");
    return;
  }
  const fs::path relative(location);
  if (relative.has_root_path()) {
    report(kExternalLocationUnsafe,
           quoted + " is an absolute path; it must be relative to the model's directory");
    return;
  }
  const fs::path normal = relative.lexically_normal();
  if (!normal.empty() && *normal.begin() == "..") {
    report(kExternalLocationUnsafe, quoted + " leaves the model's directory through '..'");
    return;
  }
  if (context.model_dir.empty()) return;  // bytes checked without a directory: lexical only

  std::error_code error;
  const fs::path resolved = fs::weakly_canonical(context.model_dir / relative, error);
  if (error) {
    report(kExternalFileMissing, quoted + " cannot be resolved in " + context.model_dir.string() +
                                     ": " + error.message());
    return;
  }
  if (!IsWithin(context.model_dir, resolved)) {
    report(kExternalLocationUnsafe, quoted + " resolves through a symlink to '" +
                                        resolved.string() + "', outside the model's directory");
    return;
  }
  struct stat info {};
  if (::stat(resolved.c_str(), &info) != 0) {
    report(kExternalFileMissing, quoted + ": no such file in " + context.model_dir.string() + " (" +
                                     std::strerror(errno) + ")");
    return;
  }
  if (!S_ISREG(info.st_mode)) {
    report(kExternalFileMissing, quoted + " is not a regular file");
    return;
  }
  if (info.st_nlink > 1) {
    report(kExternalHardLink,
           quoted + " names a file with " + std::to_string(info.st_nlink) + " hard links");
  }
  const uint64_t file_size = static_cast<uint64_t>(info.st_size);
  const std::string file_text = "'" + location + "' (" + std::to_string(file_size) + " bytes)";
  if (offset > file_size) {
    report(kExternalRangeOutOfFile,
           "external data offset " + std::to_string(offset) + " is past the end of " + file_text);
    return;
  }
  uint64_t end = 0;
  if (length && (__builtin_add_overflow(offset, *length, &end) || end > file_size)) {
    report(kExternalRangeOutOfFile, "external data offset " + std::to_string(offset) +
                                        " + length " + std::to_string(*length) +
                                        " reaches past the end of " + file_text);
    return;
  }
  if (auto checksum = entries.find("checksum"); checksum != entries.end()) {
    CheckChecksum(checksum->second, resolved, offset, length, context, report, quoted);
  }
  if (!expected_bytes || !counts_ok) return;
  const std::string needs = DescribeTensor(tensor) + " needs " + std::to_string(*expected_bytes) +
                            " bytes of external data, ";
  if (length && *length != *expected_bytes) {
    report(kExternalLengthMismatch, needs + "length is " + std::to_string(*length));
  } else if (!length && file_size - offset != *expected_bytes) {
    report(kExternalLengthMismatch,
           needs + "but with no length given it spans the " + std::to_string(file_size - offset) +
               " bytes after offset " + std::to_string(offset) + " of " + file_text);
  }
}

}  // namespace zooci::check_internal
