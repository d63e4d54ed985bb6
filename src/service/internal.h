// Internals of the service module shared by its files and tests (not part of service.h).
#pragma once

#include <cstdint>
#include <string>

#include "base/base.h"

namespace zooci::service_internal {

// ---- A job's checkout (workspace.cpp) ------------------------------------------------------------

struct WorkspaceRequest {
  std::string repo;            // "owner/zoo": names the mirror
  std::string base_clone_url;  // the zoo repository (a local path in tests)
  std::string base_ref;        // "main"
  std::string base_sha;        // as the event said (informational; the branch's tip is used)
  std::string head_clone_url;  // the pull request's repository (a fork's, or the zoo's)
  std::string head_ref;        // the pull request's branch
  std::string head_sha;        // the commit the event is about; a newer tip is an error
  fs::path mirrors_dir;        // one bare mirror per repository, kept between jobs
  fs::path job_dir;            // the job's own directory; the checkout goes to job_dir/zoo
  uint64_t max_bytes = uint64_t{4} << 30;  // the mirror's size limit (the checkout: twice it)
};

struct Workspace {
  fs::path dir;          // the checkout to review
  std::string base_sha;  // what to diff against (--changed-since)
  std::string head_sha;
  bool merged = false;  // the head merged cleanly onto the base (else the head alone)
};

// Fetches the base and head branches into the repository's mirror (no hooks, no submodules, no
// LFS smudge, refs after --end-of-options), checks that the head is still `head_sha`, and checks
// out the head merged onto the base (or the head alone when the merge conflicts) into
// job_dir/zoo, whose origin then points at the head repository (for Git LFS).
Result<Workspace> PrepareWorkspace(const WorkspaceRequest& request);

}  // namespace zooci::service_internal
