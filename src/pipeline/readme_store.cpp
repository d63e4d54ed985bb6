// Every README of a review, parsed once (a 50 MB page must not be parsed per step) and read only
// from inside the repository.
#include "pipeline/internal.h"

namespace zooci::pipeline_internal {

ReadmeStore::ReadmeStore(fs::path root) : root_(std::move(root)) {}

const Result<Readme>& ReadmeStore::Get(const fs::path& path) {
  fs::path key = path.lexically_normal();
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = parsed_.find(key);
  if (found != parsed_.end()) return *found->second;
  auto parsed = std::make_unique<Result<Readme>>(Parse(key));
  return *parsed_.emplace(key, std::move(parsed)).first->second;
}

Result<Readme> ReadmeStore::Parse(const fs::path& path) const {
  ZC_RETURN_IF_ERROR(CheckFileInside(root_, path));
  std::error_code error;
  uint64_t bytes = fs::file_size(path, error);
  if (!error && bytes > kMaxReadmeBytes) {
    return Error(RelativeTo(root_, path) + " is " + FormatNumber(bytes / 1048576.0, 1) +
                 " MiB; zooci reads READMEs of up to " +
                 std::to_string(kMaxReadmeBytes >> 20) + " MiB (a model page is a few KiB)");
  }
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFileInside(root_, path, kMaxReadmeBytes));
  return ParseReadmeText(text, path);
}

}  // namespace zooci::pipeline_internal
