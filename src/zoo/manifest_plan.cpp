// Planning a rewrite of the onnx.hub manifest: the existing entries merged with the zoo's README
// rows and files, every true difference named, nothing dropped that cannot be recomputed unless
// the caller allows it.
#include <algorithm>
#include <map>
#include <set>

#include "onnx/onnx_io.h"
#include "zoo/manifest_internal.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

using zoo_internal::ManifestRow;

// onnx.hub entries have no io_ports below this opset: the generator read them with ONNX
// Runtime, which cannot load such models (the 22 entries of the real manifest without io_ports).
constexpr int64_t kMinIoPortsOpset = 7;

std::string Quoted(const std::string& text) {
  return "\"" + text + "\"";
}

std::string DigestText(const std::string& sha, uint64_t bytes) {
  return sha + " (" + std::to_string(bytes) + " bytes)";
}

// Where a digest came from, for messages.
std::string Source(const ZooFileDigest& digest) {
  return digest.from_lfs_pointer ? "the Git LFS pointer" : "the file";
}

// A model's io_ports, or why they cannot be had.
struct IoPortsRead {
  bool ok = false;
  std::vector<IoPort> inputs, outputs;
  std::string why_not;
};

IoPortsRead ReadIoPorts(const fs::path& file, const ZooFileDigest& digest) {
  IoPortsRead read;
  if (digest.from_lfs_pointer) {
    read.why_not = "the model is a Git LFS pointer, so its inputs and outputs cannot be read";
    return read;
  }
  auto info = ReadModelInfo(file);
  if (!info.ok()) {
    read.why_not = "the model cannot be read: " + info.error().message();
    return read;
  }
  auto opset = info->opset_import.find("");
  if (opset == info->opset_import.end()) opset = info->opset_import.find("ai.onnx");
  if (opset == info->opset_import.end() || opset->second < kMinIoPortsOpset) {
    read.why_not = "the model's opset is below 7, which ONNX Runtime cannot load";
    return read;
  }
  read.ok = true;
  read.inputs = IoPortsOf(info->inputs);
  read.outputs = IoPortsOf(info->outputs);
  return read;
}

class Planner {
 public:
  Planner(const fs::path& root, const ContentHasher& hash) : root_(root), hash_(hash) {}

  // Merges the existing entries with the rows; after it, plan_ holds the result.
  Status Run(const std::vector<ManifestEntry>& on_disk) {
    ZC_ASSIGN_OR_RETURN(rows_, zoo_internal::ScanManifestRows(root_, &plan_.warnings));
    for (const ManifestRow& row : rows_) {
      auto [it, inserted] = row_by_path_.emplace(row.model_path, &row);
      if (!inserted) {
        plan_.warnings.push_back(row.where + " links " + row.model_path + " again (first at " +
                                 it->second->where + "); the first row counts");
      }
    }
    std::set<std::string> listed;
    for (const ManifestEntry& entry : on_disk) {
      if (!listed.insert(entry.model_path).second) {
        ManifestChange change = NewChange(ManifestChange::Kind::kRemoved, entry.model_path);
        change.details.push_back("a second entry for the same model_path (the first is kept)");
        change.removes = true;
        plan_.changes.push_back(std::move(change));
        continue;
      }
      ZC_RETURN_IF_ERROR(MergeEntry(entry));
    }
    for (const ManifestRow& row : rows_) {
      if (listed.insert(row.model_path).second) ZC_RETURN_IF_ERROR(AddRow(row));
    }
    if (!uncovered_pointers_.empty()) {
      plan_.warnings.push_back(
          std::to_string(uncovered_pointers_.size()) +
          " file(s) are Git LFS pointers that no .gitattributes filter=lfs rule covers (" +
          uncovered_pointers_.front() + (uncovered_pointers_.size() > 1 ? ", ..." : "") +
          "); their oid and size are used, but git serves a file outside Git LFS as it is");
    }
    std::stable_sort(
        plan_.entries.begin(), plan_.entries.end(),
        [](const ManifestEntry& a, const ManifestEntry& b) { return a.model_path < b.model_path; });
    std::stable_sort(plan_.changes.begin(), plan_.changes.end(),
                     [](const ManifestChange& a, const ManifestChange& b) {
                       return a.model_path < b.model_path;
                     });
    return OkStatus();
  }

  ManifestPlan TakePlan() { return std::move(plan_); }

 private:
  ManifestChange NewChange(ManifestChange::Kind kind, const std::string& model_path) const {
    ManifestChange change;
    change.kind = kind;
    change.model_path = model_path;
    auto row = row_by_path_.find(model_path);
    if (row != row_by_path_.end()) change.readme_row = row->second->where;
    return change;
  }

  // DigestZooFile of a zoo-relative path; remembers pointers that no LFS rule covers.
  Result<ZooFileDigest> Digest(const std::string& relative) {
    auto digest = DigestZooFile(root_ / relative, hash_);
    if (digest.ok() && digest->from_lfs_pointer && !CoveredByLfs(root_, relative)) {
      uncovered_pointers_.push_back(relative);
    }
    return digest;
  }

  bool Exists(const std::string& relative) const {
    std::error_code error;
    return fs::exists(root_ / relative, error);
  }

  // An existing entry: kept, updated or removed.
  Status MergeEntry(const ManifestEntry& entry) {
    auto row_it = row_by_path_.find(entry.model_path);
    const ManifestRow* row = row_it == row_by_path_.end() ? nullptr : row_it->second;
    bool file_exists = Exists(entry.model_path);
    if (row == nullptr || !file_exists) {
      ManifestChange change = NewChange(ManifestChange::Kind::kRemoved, entry.model_path);
      change.details.push_back(
          row == nullptr && !file_exists ? "its model file and README model-table row are gone"
          : row == nullptr ? "no README model table links it (the file is still there)"
                           : "its model file is gone (the README row still links it)");
      change.removes = true;
      plan_.changes.push_back(std::move(change));
      return OkStatus();
    }
    ManifestEntry updated = entry;
    ManifestChange change = NewChange(ManifestChange::Kind::kUpdated, entry.model_path);
    MergeReadmeFields(*row, &updated, &change);
    ZC_RETURN_IF_ERROR(MergeModel(entry, &updated, &change));
    ZC_RETURN_IF_ERROR(MergeArchive(*row, entry, &updated, &change));
    if (!change.details.empty()) plan_.changes.push_back(std::move(change));
    plan_.entries.push_back(std::move(updated));
    return OkStatus();
  }

  // model, onnx_version, opset_version: the README row's, when they really differ.
  void MergeReadmeFields(const ManifestRow& row, ManifestEntry* updated, ManifestChange* change) {
    if (!row.model.empty() && row.model != updated->model) {
      change->details.push_back("model: " + Quoted(updated->model) + " -> " + Quoted(row.model) +
                                " (README)");
      updated->model = row.model;
    }
    if (!row.onnx_version.empty() &&
        !zoo_internal::SameOnnxVersion(row.onnx_version, updated->onnx_version)) {
      change->details.push_back("onnx_version: " + Quoted(updated->onnx_version) + " -> " +
                                Quoted(row.onnx_version) + " (README)");
      updated->onnx_version = row.onnx_version;
    }
    auto opset = ParseInt(row.opset, "opset");
    if (!opset.ok()) {
      plan_.warnings.push_back(row.where + ": the opset cell " + Quoted(row.opset) +
                               " is not a number; " + row.model_path + " keeps opset_version " +
                               std::to_string(updated->opset_version));
    } else if (*opset != updated->opset_version) {
      change->details.push_back("opset_version: " + std::to_string(updated->opset_version) +
                                " -> " + std::to_string(*opset) + " (README)");
      updated->opset_version = *opset;
    }
  }

  // model_sha/model_bytes from the file or its pointer; io_ports and extra_ports kept while the
  // model is the same, recomputed or dropped (with a warning) when it changed.
  Status MergeModel(const ManifestEntry& entry, ManifestEntry* updated, ManifestChange* change) {
    fs::path file = root_ / entry.model_path;
    ZC_ASSIGN_OR_RETURN(ZooFileDigest digest, Digest(entry.model_path));
    if (digest.sha256 == entry.model_sha && digest.bytes == entry.model_bytes) {
      return OkStatus();
    }
    change->details.push_back("model_sha/model_bytes: " + Source(digest) + " has " +
                              DigestText(digest.sha256, digest.bytes) + ", the manifest " +
                              DigestText(entry.model_sha, entry.model_bytes));
    updated->model_sha = digest.sha256;
    updated->model_bytes = digest.bytes;
    IoPortsRead io = ReadIoPorts(file, digest);
    if (io.ok) {
      if (!entry.has_io_ports || !SameIoPorts(io.inputs, entry.inputs) ||
          !SameIoPorts(io.outputs, entry.outputs)) {
        change->details.push_back(std::string("io_ports: ") +
                                  (entry.has_io_ports ? "recomputed" : "added") +
                                  " from the changed model");
      }
      updated->has_io_ports = true;
      updated->inputs = std::move(io.inputs);
      updated->outputs = std::move(io.outputs);
    } else if (entry.has_io_ports) {
      change->details.push_back("io_ports: dropped, " + io.why_not);
      plan_.warnings.push_back(
          entry.model_path + ": io_ports dropped: the model changed and " + io.why_not +
          (digest.from_lfs_pointer
               ? " (git lfs pull --include=" + entry.model_path + ", then --write again)"
               : ""));
      updated->has_io_ports = false;
      updated->inputs.clear();
      updated->outputs.clear();
    }
    if (!entry.extra_ports_json.empty()) {
      change->details.push_back("extra_ports: dropped, they describe the previous model");
      plan_.warnings.push_back(entry.model_path +
                               ": extra_ports dropped: the model changed and zooci does not "
                               "recompute feature tensors");
      updated->extra_ports_json.clear();
    }
    return OkStatus();
  }

  // model_with_data_*: the row's archive link (the entry's when the row has none).
  Status MergeArchive(const ManifestRow& row, const ManifestEntry& entry, ManifestEntry* updated,
                      ManifestChange* change) {
    std::string archive =
        row.with_data_path.empty() ? entry.model_with_data_path : row.with_data_path;
    if (archive.empty()) return OkStatus();
    if (!Exists(archive)) {
      if (entry.model_with_data_path.empty()) {
        plan_.warnings.push_back(row.where + " links " + archive + ", which does not exist");
        return OkStatus();
      }
      change->details.push_back("model_with_data_*: " + archive + " is gone");
      change->removes = true;
      updated->model_with_data_path.clear();
      updated->model_with_data_sha.clear();
      updated->model_with_data_bytes = 0;
      return OkStatus();
    }
    ZC_ASSIGN_OR_RETURN(ZooFileDigest digest, Digest(archive));
    if (archive != entry.model_with_data_path) {
      change->details.push_back("model_with_data_path: " + Quoted(entry.model_with_data_path) +
                                " -> " + Quoted(archive) + " (README)");
    }
    if (digest.sha256 != entry.model_with_data_sha || digest.bytes != entry.model_with_data_bytes) {
      change->details.push_back("model_with_data_sha/model_with_data_bytes: " + Source(digest) +
                                " has " + DigestText(digest.sha256, digest.bytes) +
                                ", the manifest " +
                                DigestText(entry.model_with_data_sha, entry.model_with_data_bytes));
    }
    updated->model_with_data_path = archive;
    updated->model_with_data_sha = digest.sha256;
    updated->model_with_data_bytes = digest.bytes;
    return OkStatus();
  }

  // A row whose model has no entry: added when the model can be read.
  Status AddRow(const ManifestRow& row) {
    if (!Exists(row.model_path)) {
      plan_.warnings.push_back(row.where + " links " + row.model_path +
                               ", which does not exist (so it has no manifest entry)");
      return OkStatus();
    }
    fs::path file = root_ / row.model_path;
    ManifestChange change = NewChange(ManifestChange::Kind::kAdded, row.model_path);
    change.details.push_back("not in the manifest");
    ZC_ASSIGN_OR_RETURN(ZooFileDigest digest, Digest(row.model_path));
    auto opset = ParseInt(row.opset, "opset");
    IoPortsRead io = ReadIoPorts(file, digest);
    if (digest.from_lfs_pointer) {
      change.not_applied = "the model is a Git LFS pointer, so its io_ports cannot be read; " +
                           std::string("git lfs pull --include=") + row.model_path +
                           ", then --write adds it";
    } else if (!opset.ok()) {
      change.not_applied = "the README's opset cell " + Quoted(row.opset) + " is not a number";
    }
    if (change.not_applied.empty()) {
      ManifestEntry entry;
      entry.model = row.model;
      entry.model_path = row.model_path;
      entry.onnx_version = row.onnx_version;
      entry.opset_version = *opset;
      entry.model_sha = digest.sha256;
      entry.model_bytes = digest.bytes;
      entry.tags = row.tags;
      entry.has_io_ports = io.ok;
      entry.inputs = std::move(io.inputs);
      entry.outputs = std::move(io.outputs);
      if (!row.with_data_path.empty() && Exists(row.with_data_path)) {
        ZC_ASSIGN_OR_RETURN(ZooFileDigest archive, Digest(row.with_data_path));
        entry.model_with_data_path = row.with_data_path;
        entry.model_with_data_sha = archive.sha256;
        entry.model_with_data_bytes = archive.bytes;
      } else if (!row.with_data_path.empty()) {
        plan_.warnings.push_back(row.where + " links " + row.with_data_path +
                                 ", which does not exist");
      }
      plan_.entries.push_back(std::move(entry));
    }
    plan_.changes.push_back(std::move(change));
    return OkStatus();
  }

  fs::path root_;
  ContentHasher hash_;
  std::vector<ManifestRow> rows_;
  std::vector<std::string> uncovered_pointers_;
  std::map<std::string, const ManifestRow*> row_by_path_;  // points into rows_
  ManifestPlan plan_;
};

}  // namespace

bool ManifestPlan::removes() const {
  return std::any_of(changes.begin(), changes.end(),
                     [](const ManifestChange& change) { return change.removes; });
}

Result<ManifestPlan> PlanManifest(const fs::path& zoo_root,
                                  const std::vector<ManifestEntry>& on_disk,
                                  const ContentHasher& hash_content) {
  Planner planner(zoo_root, hash_content);
  ZC_RETURN_IF_ERROR(planner.Run(on_disk));
  return planner.TakePlan();
}

Status WriteManifest(const fs::path& path, const ManifestPlan& plan, bool allow_remove) {
  if (plan.removes() && !allow_remove) {
    std::vector<std::string> removed;
    for (const ManifestChange& change : plan.changes) {
      if (change.removes) removed.push_back(change.model_path);
    }
    return Error(path.string() + " not written: it would remove published entries or archives (" +
                 JoinStrings(removed, ", ") + ")");
  }
  std::string text = WriteManifestJson(plan.entries);
  auto current = ReadFile(path, text.size() + 1);
  if (current.ok() && *current == text) return OkStatus();  // unchanged: not even touched
  return WriteFileAtomic(path, text);
}

}  // namespace zooci
