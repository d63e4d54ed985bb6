// zoo: reading a model zoo repository. Model-folder discovery (ONNX Model Zoo layout and the
// simple layout), README parsing (sections, model tables, links, with line numbers), Git LFS
// pointers, and the onnx.hub manifest (ONNX_HUB_MANIFEST.json). No model is run here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/base.h"
#include "onnx/onnx_io.h"

namespace zooci {

// ---- README ---------------------------------------------------------------------------------

struct MarkdownHeading {
  int level = 0;     // 1 for "#", 2 for "##", ...
  std::string text;  // without the #s and surrounding spaces/markup
  int line = 0;      // 1-based
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
  std::string spdx_license;              // from "SPDX-License-Identifier: X" anywhere, else empty
};

Result<Readme> ParseReadme(const fs::path& path);
Readme ParseReadmeText(std::string_view text, const fs::path& path);

// The sections a zoo model README must have, each matched tolerantly against the heading
// variants real zoo READMEs use (see ../shared/reference/model-zoo.md, section 2).
enum class ReadmeSection {
  kDescription,  // "Description", "Use cases", "Model" text
  kUseCases,
  kModelTable,  // a model table (not a heading)
  kInference,
  kInput,
  kPreprocessing,
  kOutput,
  kPostprocessing,
  kDataset,
  kValidationAccuracy,
  kReferences,
  kContributors,
  kLicense,
};
std::string ReadmeSectionName(ReadmeSection section);  // "Inference / Preprocessing"
// All sections, in template order.
const std::vector<ReadmeSection>& RequiredReadmeSections();
// The heading that provides `section` (nullptr when none matches); kModelTable never matches a
// heading (use Readme::model_tables).
const MarkdownHeading* FindSection(const Readme& readme, ReadmeSection section);

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
};

Result<std::vector<ManifestEntry>> ReadManifest(const fs::path& path);
// Serializes in the onnx.hub format, sorted by model_path, 4-space indent like the generator.
std::string WriteManifestJson(const std::vector<ManifestEntry>& entries);

// SHA-256 of a file as lowercase hex, streaming (no whole-file buffer).
Result<std::string> Sha256File(const fs::path& path);
// SHA-256 of bytes in memory, lowercase hex.
std::string Sha256Hex(std::string_view data);

}  // namespace zooci

namespace zooci {

// Builds the manifest entries of a zoo from its model READMEs' model tables (Model, Download,
// Download with data, ONNX version, Opset version) and the files: SHA-256s, sizes, io_ports from
// the models, tags from the folder path (without a leading "validated", '_' as ' ').
// Rows whose model file is missing or an LFS pointer are reported in `problems`.
Result<std::vector<ManifestEntry>> BuildManifest(const fs::path& root,
                                                 std::vector<std::string>* problems);

// A model's declared inputs or outputs as manifest io_ports (dims: value, "\"param\"", null).
std::vector<IoPort> IoPortsOf(const std::vector<ValueInfo>& values);
bool SameIoPorts(const std::vector<IoPort>& a, const std::vector<IoPort>& b);

// Differences between a manifest on disk and the one built from the zoo: stale SHA-256s and
// sizes, io_ports, opset/onnx versions, entries missing or dangling. Empty when they agree.
std::vector<std::string> CompareManifests(const std::vector<ManifestEntry>& on_disk,
                                          const std::vector<ManifestEntry>& built);

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
