// zoo: reading a model zoo repository. Model-folder discovery (ONNX Model Zoo layout and the
// simple layout), README parsing (sections, model tables, links, with line numbers), Git LFS
// pointers, and the onnx.hub manifest (ONNX_HUB_MANIFEST.json). No model is run here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/base.h"
#include "onnx/onnx_io.h"

namespace zooci {

// ---- README ---------------------------------------------------------------------------------

// A section title: an ATX heading ("## Use cases"), or a bold label opening a line
// ("**Use cases:** ...", "**Description**"), as Caffe2-era zoo pages write sections. A label's
// level is one below the heading it sits under, so its body ends at the next label or heading.
struct MarkdownHeading {
  int level = 0;     // 1 for "#", 2 for "##", ...
  std::string text;  // without the #s and surrounding spaces/markup (a label: without ':')
  int line = 0;      // 1-based
  bool label = false;
  // The section's body: from the line after the heading to the line before the next heading of
  // the same or a higher level (subsections included).
  int body_first_line = 0;
  int body_last_line = 0;
  bool body_empty = true;  // only blank lines, comments and subsection headings
};

struct MarkdownLink {
  std::string text;
  std::string target;  // as written: "model/resnet50-v1-7.onnx", "https://...", "#anchor"
  int line = 0;
};

// A code block: fenced (``` or ~~~) or indented by four spaces (CommonMark), with its lines.
struct CodeBlock {
  int first_line = 0;  // 1-based: the opening fence, or the first indented line
  int last_line = 0;   // the closing fence (the last line when unclosed), or the last code line
  std::string language;  // the fence's info string, first word, lower-case ("python"); "" if none
  std::vector<std::string> lines;  // the code, without fences and indentation
  // Lines that are neither blank nor a comment ("#", "//", "--" or "%" at the start).
  int code_lines = 0;
};

struct ModelTableRow {
  int line = 0;
  std::vector<std::string> cells;        // raw cell text, trimmed
  std::vector<MarkdownLink> cell_links;  // links in any cell, in order
};

// A Markdown pipe table whose header names the zoo's model-table columns.
struct ModelTable {
  int header_line = 0;
  std::vector<std::string> columns;  // header cells, trimmed, markup removed
  std::vector<ModelTableRow> rows;
  // Column indices (-1 when absent), matched tolerantly: "Opset version"/"Opset Version",
  // "Download (with sample test data)", "ONNX version".
  int model_column = -1, download_column = -1, download_with_data_column = -1,
      onnx_version_column = -1, opset_column = -1;
};

struct Readme {
  fs::path path;
  std::vector<std::string> lines;
  std::vector<MarkdownHeading> headings;
  std::vector<MarkdownLink> links;       // every inline link and image, in order (not in code)
  std::vector<ModelTable> model_tables;  // tables with a Model column and a Download column
  std::vector<ModelTable> tables;        // every pipe table (model tables included)
  std::vector<CodeBlock> code_blocks;    // in document order
  std::string spdx_license;              // from "SPDX-License-Identifier: X" anywhere, else empty
  int spdx_line = 0;                     // its line, 0 when absent
};

Result<Readme> ParseReadme(const fs::path& path);
Readme ParseReadmeText(std::string_view text, const fs::path& path);

// The sections of a zoo model README, each matched tolerantly against the titles real zoo READMEs
// use (headings or bold labels; see ../shared/reference/model-zoo.md, section 2, and the READMEs
// under ../shared/reference/onnx-model-zoo/).
enum class ReadmeSection {
  kDescription,  // "Description", "Overview", ...; or a "Model" heading with prose
  kUseCases,
  kInference,
  kInput,
  kPreprocessing,
  kOutput,
  kPostprocessing,
  kDataset,
  kValidationAccuracy,  // "Validation accuracy", "Validation", "Results/accuracy on test set", ...
  kReferences,
  kContributors,
  kLicense,
};
std::string ReadmeSectionName(ReadmeSection section);  // "Inference / Preprocessing"
const std::vector<ReadmeSection>& AllReadmeSections();   // in template order
// The titles that provide `section`, for messages ("'Use cases', 'Applications', ...").
std::vector<std::string> ReadmeSectionTitles(ReadmeSection section);
// The first heading or label that provides `section`, best synonym first (nullptr when none).
const MarkdownHeading* FindSection(const Readme& readme, ReadmeSection section);
// Every heading or label that provides `section`, in document order.
std::vector<const MarkdownHeading*> FindSections(const Readme& readme, ReadmeSection section);

// ---- The zoo's configuration (zooci-zoo.yaml at the zoo root; docs/zoo-config.md) -------------

inline constexpr const char* kZooConfigFile = "zooci-zoo.yaml";

// The submission artifacts of the Model Zoo CI proposal (its eight items), split into what can be
// checked one by one. A zoo sets each to required (missing declines), recommended (missing is a
// warning) or off; every one is required by default.
enum class Artifact {
  kReadme,             // 1: README.md with a model table
  kLinks,              // 1: its relative links resolve
  kInferenceNotebook,  // 2: a notebook, script or complete inline example that runs the model
  kInferenceDetails,   // 2: the input and output described
  kValidationNotebook, // 3: a notebook or script that measures the metric
  kAccuracy,           // 3: the metric's value in the README
  kPreprocessing,      // 4: a script or complete inline code
  kPostprocessing,     // 4
  kDataset,            // 5: which dataset, and how to obtain it
  kNotebookScripts,    // 6: the scripts the notebooks run are in the submission
  kDescription,        // 7
  kUseCases,           // 7
  kReferences,         // 7
  kContributors,       // 7
  kLicense,            // 7
  kMainReadmeLink,     // 8: a link from the main README
};
enum class ArtifactLevel { kRequired, kRecommended, kOff };
struct ArtifactInfo {
  Artifact id;
  const char* key;    // in zooci-zoo.yaml: "inference-notebook"
  int proposal_item;  // 1..8
  const char* what;   // for messages: "a notebook (or script, ...) that runs the model"
};
const std::vector<ArtifactInfo>& AllArtifacts();  // in proposal order
const ArtifactInfo& InfoOf(Artifact artifact);

// The minimum acceptable performance of a task's submissions (the proposal leaves it to the zoo).
struct TaskBaseline {
  std::string task;  // "image-classification"
  int line = 0;      // in zooci-zoo.yaml
  std::optional<double> min_top1_percent, min_top5_percent;  // image-classification
  std::optional<double> min_map_percent, min_map50_percent;   // object-detection
  std::optional<double> min_miou_percent, min_pixel_accuracy_percent;  // semantic-segmentation
  std::optional<double> max_p50_ms, max_p90_ms;  // on the CI's reference worker (validate's bench)
};

// How a runtime of the compatibility matrix (`zooci validate`'s matrix step) weighs on the verdict.
enum class RuntimeRole {
  kRequired,  // a model it cannot load or run, or whose outputs it gets wrong, is declined
  kReported,  // shown in the matrix; what goes wrong is a warning, never a decline
};
struct ZooRuntime {
  std::string name;  // as zooci-worker's --backend takes it ("ort", "opencv"); checked by pipeline
  RuntimeRole role = RuntimeRole::kReported;
  int line = 0;  // in zooci-zoo.yaml
};

// The zoo's own evaluation data for a task: claims of that task's submissions are measured on it
// instead of the data a submission brings (which its author chose). `folder` holds a
// zooci-dataset.yaml with the `dataset:` section of a scenario, relative to that folder.
struct ZooDataset {
  std::string task;    // "image-classification"
  std::string folder;  // relative to the zoo's root, normalised, never leaving it
  int line = 0;        // in zooci-zoo.yaml
};

struct ZooConfig {
  fs::path file;  // the file read; empty when the zoo has none (every default)
  std::map<Artifact, ArtifactLevel> artifacts;  // those set; the rest are required
  std::vector<std::string> licenses;            // SPDX ids accepted; empty: any stated licence
  int licenses_line = 0;                        // in zooci-zoo.yaml
  std::vector<TaskBaseline> baselines;
  // Folder prefix -> task, for folders without a zooci.yaml naming their task.
  std::vector<std::pair<std::string, std::string>> tasks;
  std::string repository;  // "onnx/models": its GitHub URLs are resolved against the tree
  // The runtimes of the compatibility matrix, in the file's order; empty when not set.
  std::vector<ZooRuntime> runtimes;
  // The largest claim tolerance a submission's zooci.yaml may set (`claims.max_tolerance_pp`):
  // a looser one is capped to it, so a scenario cannot wave its own over-claim through.
  double max_claim_tolerance_pp = 1.0;
  int max_claim_tolerance_line = 0;  // in zooci-zoo.yaml; 0: the default
  std::vector<ZooDataset> datasets;

  ArtifactLevel Level(Artifact artifact) const;
  const TaskBaseline* BaselineFor(const std::string& task) const;  // nullptr when none
  const ZooDataset* DatasetFor(const std::string& task) const;     // nullptr when none
  // The task of a folder: the longest `tasks` prefix, else from the ONNX Model Zoo layout
  // (".../classification/..." is image-classification), else "".
  std::string TaskOf(const std::string& folder) const;
};

// Reads `root`/zooci-zoo.yaml; every default when it does not exist. Errors name file, line and key.
Result<ZooConfig> LoadZooConfig(const fs::path& root);
// Parses the text of a zooci-zoo.yaml (read from elsewhere, e.g. a base commit); `file` is what
// ZooConfig::file is set to. Errors name the file, line and key.
Result<ZooConfig> ParseZooConfig(const std::string& text, const fs::path& file);
// The largest zooci-zoo.yaml read.
inline constexpr uint64_t kMaxZooConfigBytes = uint64_t{1} << 20;

// ---- Notebooks ----------------------------------------------------------------------------------

// A Jupyter notebook's text (nbformat 3 or 4), never executed.
struct Notebook {
  int nbformat = 0;
  int code_cells = 0;    // non-empty ones
  std::string code;      // every code cell's source
  std::string markdown;  // every other cell's source
  std::string outputs;   // the text the code cells' stored outputs show
};
// Fails (with a one-line reason) for anything that is not a notebook with a non-empty code cell.
Result<Notebook> ReadNotebook(const fs::path& path);
Result<Notebook> ParseNotebookText(std::string_view text);  // ReadNotebook without the file
// The scripts a notebook's code runs as written ("%run x.py", "!python tools/x.py",
// "exec(open('x.py'..."): relative or absolute, not resolved. Imports are not scripts; scripts
// the notebook downloads itself, and everything after it clones a repository or changes its
// directory (the paths then point elsewhere), are left out.
std::vector<std::string> ScriptsRunBy(std::string_view code);
// The first evaluation metric `text` names ("accuracy", "top-1", "mAP", "mIoU", "F1", "MCC",
// "BLEU", "perplexity", "PSNR", ...), as people write it; "" when none.
std::string MetricNamed(std::string_view text);

// ---- Git LFS ---------------------------------------------------------------------------------

struct LfsPointer {
  std::string oid_sha256;
  uint64_t size = 0;
};
// Parses a Git LFS pointer file ("version https://git-lfs.github.com/spec/v1", "oid sha256:...",
// "size N"); nullopt for anything else. Reads at most the first 1 KiB.
std::optional<LfsPointer> ReadLfsPointer(const fs::path& path);
// Whether `.gitattributes` files at `repo_root` cover `relative_path` with filter=lfs
// (gitattributes glob rules: patterns without '/' match the file name at any depth).
bool CoveredByLfs(const fs::path& repo_root, const fs::path& relative_path);

// Why a file in a checkout is a Git LFS pointer instead of its content. A third case, an object
// the LFS remote does not have (never pushed), shows only by trying to fetch it
// (LfsFetchFailure::object_missing).
enum class LfsPointerStatus {
  // A filter=lfs rule covers the path and the checkout simply lacks the content (cloned without
  // git-lfs, or with GIT_LFS_SKIP_SMUDGE): an environment matter that FetchLfsContent can mend.
  kNotFetched,
  // No filter=lfs rule covers the path, so git never replaces the pointer text: a submitter
  // defect (a pointer committed outside the .gitattributes LFS rules).
  kOutsideRules,
};
// Classifies the pointer file at `relative_path` (one ReadLfsPointer accepts) by the
// .gitattributes rules of `repo_root` (CoveredByLfs). Runs nothing.
LfsPointerStatus ClassifyPointer(const fs::path& repo_root, const fs::path& relative_path);

struct LfsFetchFailure {
  std::string path;    // as the caller gave it
  std::string reason;  // one line: git-lfs's message naming the object or path, else a summary
  // The LFS remote answered that it does not have the object (never pushed): a submitter defect.
  // False for refused paths and for failures of the environment (network, credentials).
  bool object_missing = false;
};

struct LfsFetchOutcome {
  std::vector<std::string> fetched;  // as given; the work tree now holds the pointer's content
  std::vector<LfsFetchFailure> failed;
};

// Replaces the Git LFS pointers at `relative_paths` (repository-relative, '/'-separated, from an
// untrusted pull request) in the work tree at `repo_root` with their content, by running
// `git lfs fetch` and `git lfs checkout` there for exactly those paths (git-lfs 3.x). Paths are
// only ever passed as escaped, anchored patterns, never as options. Refused without running
// anything: paths outside the repository (lexically or through a symbolic link), inside .git,
// symbolic links, files that are not pointers and pointers no filter=lfs rule covers. Content
// comes only from the repository's own LFS remote: when its committed .lfsconfig names an LFS
// server and its git config does not pin lfs.url, the whole call fails. git never prompts
// (GIT_TERMINAL_PROMPT=0, no controlling terminal); lfs.fetchinclude/fetchexclude are
// overridden. A fetched path's content is checked against the pointer's size and SHA-256.
// Fails as a whole (an environment matter) when git or git-lfs cannot run, `repo_root` is not
// the top of a work tree, or the commands together take longer than `timeout_ms` (they are
// killed with their children).
Result<LfsFetchOutcome> FetchLfsContent(const fs::path& repo_root,
                                        const std::vector<std::string>& relative_paths,
                                        int64_t timeout_ms = 600000);

// ---- onnx.hub manifest --------------------------------------------------------------------------

struct IoPort {
  std::string name;
  std::vector<std::string> shape;  // each dim as JSON text: "3", "\"N\"", "null"
  std::string type;                // "tensor(float)"
};

struct ManifestEntry {
  std::string model;       // display name, "ResNet50-fp32"
  std::string model_path;  // relative to the zoo root, '/'-separated
  std::string onnx_version;
  int64_t opset_version = 0;
  std::string model_sha;
  uint64_t model_bytes = 0;
  std::vector<std::string> tags;
  std::vector<IoPort> inputs, outputs;
  bool has_io_ports = false;
  std::string model_with_data_path, model_with_data_sha;
  uint64_t model_with_data_bytes = 0;
  std::string extra_ports_json;  // kept verbatim ("" when absent)
  // The entry's JSON object as ReadManifest found it ("" for an entry made here). WriteManifestJson
  // starts from it and replaces only the fields above whose value differs from it, so keys zooci
  // does not model, the key order and the text of unchanged fields survive a rewrite.
  std::string source_json;
};

Result<std::vector<ManifestEntry>> ReadManifest(const fs::path& path);
// Serializes in the onnx.hub format (Python's json.dumps(indent=4)), sorted by model_path. Entries
// read by ReadManifest and not modified come out byte for byte as they were read.
std::string WriteManifestJson(const std::vector<ManifestEntry>& entries);

// SHA-256 of a file as lowercase hex, streaming (no whole-file buffer).
Result<std::string> Sha256File(const fs::path& path);
// SHA-256 of bytes in memory, lowercase hex.
std::string Sha256Hex(std::string_view data);

// A zoo file as the manifest records it: the real object's SHA-256 and size.
struct ZooFileDigest {
  std::string sha256;  // lowercase hex
  uint64_t bytes = 0;
  bool from_lfs_pointer = false;  // read from a Git LFS pointer's oid and size
};
// Hashes a file's content (Sha256File, or a caching hasher such as validate's).
using ContentHasher = std::function<Result<std::string>(const fs::path&)>;
// The SHA-256 and size of a zoo file: from its Git LFS pointer's oid and size when the file is a
// pointer (the real object is elsewhere; whether .gitattributes route it through Git LFS is
// CoveredByLfs's question), otherwise from its content. An error when it is not a regular file.
Result<ZooFileDigest> DigestZooFile(const fs::path& path,
                                    const ContentHasher& hash_content = nullptr);

// A model's declared inputs or outputs as manifest io_ports (dims: value, "\"param\"", null).
std::vector<IoPort> IoPortsOf(const std::vector<ValueInfo>& values);
bool SameIoPorts(const std::vector<IoPort>& a, const std::vector<IoPort>& b);

// One true difference between ONNX_HUB_MANIFEST.json and the zoo, and what `--write` does with it.
struct ManifestChange {
  enum class Kind {
    kUpdated,  // the entry is stale; `details` name each field
    kAdded,    // a README model-table row links a model file that has no entry
    kRemoved,  // an entry whose model file or README row is gone, or a duplicate entry
  };
  Kind kind = Kind::kUpdated;
  std::string model_path;
  std::string readme_row;            // "validated/.../README.md:30"; "" when no row links it
  std::vector<std::string> details;  // one clause per field: "opset_version: 9 -> 10 (README)"
  // The change deletes published data (an entry, or the model_with_data_* of one whose archive is
  // gone): WriteManifest applies it only with allow_remove.
  bool removes = false;
  // Why the written manifest cannot include this change ("" when it does); e.g. a new row whose
  // model is only a Git LFS pointer, so its io_ports cannot be read.
  std::string not_applied;
};

struct ManifestPlan {
  // The manifest `--write` writes: every change applied except `not_applied` ones, sorted.
  std::vector<ManifestEntry> entries;
  std::vector<ManifestChange> changes;  // by model_path; empty when the manifest is up to date
  // What writing loses or cannot do (io_ports dropped, extra_ports dropped), and README rows
  // that feed nothing (a link to a missing model, an opset that is not a number).
  std::vector<std::string> warnings;
  bool removes() const;
};

// Compares `on_disk` (ReadManifest; empty for a zoo without a manifest) with the model tables of
// the zoo's README.md files (not the root README) and their files, and plans the rewrite:
// - model_sha/model_bytes and model_with_data_sha/_bytes come from DigestZooFile, so an LFS
//   pointer's oid and size count as the model.
// - While a model's SHA-256 is unchanged, its entry keeps io_ports, extra_ports and tags as they
//   are (the generator computed io_ports with ONNX Runtime). When it changed, io_ports are
//   recomputed from the model (none below opset 7, which ONNX Runtime cannot load); when the
//   changed model is only an LFS pointer, io_ports are dropped with a warning naming the entry.
//   extra_ports of a changed model are dropped with a warning (zooci does not recompute them).
// - model, onnx_version ("1.9" and "1.9.0" are equal) and opset_version follow the README row
//   only when they really differ; tags of existing entries are kept.
// - An entry whose model file or README row is gone is removed (`removes`); a row whose model
//   file exists but has no entry is added, unless the model is an LFS pointer (`not_applied`).
Result<ManifestPlan> PlanManifest(const fs::path& zoo_root,
                                  const std::vector<ManifestEntry>& on_disk,
                                  const ContentHasher& hash_content = nullptr);

// Writes plan.entries to `path` atomically (a temporary file renamed over it). When the plan
// removes published data and !allow_remove, writes nothing and returns an error naming the
// entries.
Status WriteManifest(const fs::path& path, const ManifestPlan& plan, bool allow_remove);

}  // namespace zooci

// ---- Licences ----------------------------------------------------------------------------------

namespace zooci {

// A licence identified from text, as an SPDX expression.
struct LicenseFinding {
  // "Apache-2.0", "MIT", "BSD-3-Clause", "Apache-2.0 OR MIT"; "" when the text names no licence,
  // an unknown one, a family without its version or variant ("BSD", "GPL"), or several licences
  // without saying they are a choice. Nothing is guessed.
  std::string spdx;
  // One line for people: the words that identified it ("'BSD 3-Clause License'"), or why nothing
  // was identified.
  std::string evidence;
};

// From the free text of a README licence section: "Apache 2.0", "[BSD-3](LICENSE)", "MIT License",
// "This model is licensed under the Apache License, Version 2.0", "CC BY-NC 4.0", "Apache-2.0 OR
// MIT", "SPDX-License-Identifier: MIT". "Apache 2.0 or MIT", or several licences with "dual
// licensed" / "either", give an OR expression. GNU licences get "-only" / "-or-later" when the
// text says so ("GPL-2.0+", "GPL v3 or later"), else the plain id ("GPL-3.0").
LicenseFinding IdentifyLicenseText(std::string_view text);

// From the content of a LICENSE or COPYING file, by the distinctive sentences of the standard
// texts: Apache-2.0 (the licence or its "Licensed under the Apache License, Version 2.0" notice),
// MIT, BSD-2-Clause, BSD-3-Clause, BSD-4-Clause, ISC, Zlib, BSL-1.0, Unlicense, GPL-1.0/2.0/3.0,
// LGPL-2.0/2.1/3.0, AGPL-3.0, MPL-1.1/2.0, EPL-1.0/2.0, CC0-1.0 and the CC BY family (3.0, 4.0).
// A licence text does not say "only" or "or later", so GNU texts give the plain id. A file under
// 1 KiB that holds no standard text is read as prose (IdentifyLicenseText); a file holding
// several different licence texts gives "". The file's name is never used.
LicenseFinding IdentifyLicenseFile(std::string_view content);

// Whether an SPDX expression is acceptable under `allowed` (licence ids, optionally "X WITH E"):
// OR needs one side allowed, AND both; "X+" and "X-or-later" are allowed when X is (the licensee
// may choose X); "X-only" is X; "X WITH E" is allowed when X is (an exception only adds
// permissions) or when the list names "X WITH E". Ids compare case-insensitively. A malformed
// expression (empty, unbalanced parentheses, a dangling operator, an invalid id) is not
// acceptable.
bool LicenseAllowed(std::string_view spdx_expression, const std::vector<std::string>& allowed);

}  // namespace zooci
