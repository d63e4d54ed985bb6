// check: the ONNX compliance checker. Every problem in a model at once, each a Diagnostic with a
// stable rule ID (ZCnnnn), a category, a severity, an exact location and a hint; writers for text,
// JSON and SARIF 2.1.0.
//
// Contract: checking never throws, never crashes and never allocates in proportion to a size the
// file merely declares. Protobuf parsing is bounded in size and depth, subgraph nesting is bounded,
// and a file that is not a model is a diagnostic (ZC0001), not an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/base.h"

namespace zooci {

enum class Severity { kInfo, kWarning, kError };
std::string_view SeverityName(Severity severity);  // "info", "warning", "error"

enum class RuleCategory {
  kModel,
  kGraph,
  kOperator,
  kTensor,
  kExternalData,
  kTypeShape,
  kFunction
};
std::string_view CategoryName(RuleCategory category);  // "model", "graph", "operator", ...

// Which rule sets run. kZoo adds the rules a model zoo expects (producer, documentation, metadata);
// kStrict adds pedantic rules and raises every warning to an error.
enum class Profile { kDefault, kZoo, kStrict };
Result<Profile> ParseProfile(std::string_view text);
std::string_view ProfileName(Profile profile);  // "default", "zoo", "strict"

// Stable rule identities; the number is the rule ID (ZC0203 == kDanglingInput). Never renumber.
enum class RuleId : uint16_t {
  // ---- model
  kUnparseableModel = 1,
  kMissingIrVersion = 101,
  kUnsupportedIrVersion = 102,
  kIrVersionNewerThanChecker = 103,
  kOpsetNewerThanIr = 104,
  kMissingOpsetImport = 105,
  kDuplicateOpsetDomain = 106,
  kInvalidOpsetVersion = 107,
  kOpsetNewerThanChecker = 108,
  kDuplicateMetadataKey = 109,
  kMissingProducer = 110,
  kMissingDocString = 111,
  kMissingMetadata = 112,
  kUnusedOpsetImport = 113,
  // ---- graph structure
  kMissingGraph = 201,
  kDuplicateDefinition = 202,
  kDanglingInput = 203,
  kUseBeforeDefinition = 204,
  kGraphCycle = 205,
  kUndefinedGraphOutput = 206,
  kInitializerNotInput = 207,
  kMissingName = 208,
  kMissingIoType = 209,
  kDuplicateGraphOutput = 210,
  kUnusedInitializer = 211,
  kDeadNode = 212,
  kUnusedInput = 213,
  kDuplicateNodeName = 214,
  kMissingNodeName = 215,
  kShadowedOuterName = 216,
  kEmptyNode = 217,
  kSubgraphTooDeep = 218,
  // ---- operators
  kUnknownOp = 301,
  kCustomDomainOp = 302,
  kDomainNotImported = 303,
  kInputCount = 304,
  kOutputCount = 305,
  kMissingRequiredAttribute = 306,
  kAttributeTypeMismatch = 307,
  kUnknownAttribute = 308,
  kDeprecatedOp = 309,
  kExperimentalOp = 310,
  kMalformedAttribute = 311,
  kMissingOpType = 312,
  kMissingRequiredInput = 313,
  kInvalidAttributeValue = 314,
  // ---- tensors
  kInvalidDataType = 401,
  kNegativeDim = 402,
  kPayloadSizeMismatch = 403,
  kConflictingPayload = 404,
  kWrongPayloadField = 405,
  kAbsurdTensorSize = 406,
  kInvalidSparseTensor = 407,
  kTypeNewerThanIr = 408,
  // ---- external data
  kExternalLocationMissing = 501,
  kExternalLocationUnsafe = 502,
  kExternalFileMissing = 503,
  kExternalRangeOutOfFile = 504,
  kExternalLengthMismatch = 505,
  kMalformedExternalInfo = 506,
  kExternalUnknownKey = 507,
  kExternalHardLink = 508,
  kExternalChecksumMismatch = 509,
  // ---- types and shapes
  kInferenceError = 601,
  kTypeConstraintViolation = 602,
  kValueInfoMismatch = 603,
  kGraphOutputMismatch = 604,
  kInitializerInputMismatch = 605,
  kInferenceIncomplete = 606,
  kTypeAllowedByLaterOpset = 607,
  // ---- functions and subgraphs
  kFunctionBeforeIr8 = 701,
  kDuplicateFunction = 702,
  kFunctionCallCycle = 703,
  kMalformedFunction = 704,
  kUnusedFunction = 705,
};

struct Rule {
  RuleId id;
  std::string_view name;  // kebab-case, stable: "dangling-input"
  RuleCategory category;
  Severity severity;    // default severity (kStrict raises warnings to errors)
  Profile min_profile;  // the rule runs in this profile and the stricter ones
  std::string_view summary;
  std::string_view hint;
  std::string_view failing_example;  // ONNX textual syntax, or a description when it has none
  std::string_view passing_example;
};

std::string RuleCode(RuleId id);  // "ZC0203"
// Every rule, ordered by ID.
const std::vector<Rule>& Rules();
const Rule& GetRule(RuleId id);
// By code ("ZC0203", case-insensitive) or name ("dangling-input"); nullptr when unknown.
const Rule* FindRule(std::string_view code_or_name);
// The `--explain` text: ID, name, category, severity, profile, summary, examples, hint.
std::string ExplainRule(const Rule& rule);
// The `--list-rules` table.
std::string FormatRuleList();

// Where a diagnostic points. Empty fields do not apply.
struct Location {
  std::string graph;          // name of the top-level graph
  std::string subgraph_path;  // "If_3#3.then_branch/Loop_1#0.body"; empty for the main graph
  std::string function;       // "domain::name" when inside a model-local function
  std::string node_name;
  int64_t node_index = -1;  // index in its graph's node list
  std::string op_type;
  std::string field;  // "input[1]", "attribute 'kernel_shape'", "initializer 'w'", "opset_import"

  // "node 'Conv_3' (#3) input[1]", prefixed by "function 'f' " / "subgraph 'p' " as needed.
  std::string Describe() const;
};

struct Diagnostic {
  RuleId rule;
  Severity severity;  // after the profile applied
  std::string message;
  Location location;
  std::string hint;  // the rule's hint unless the finding has a more specific one
};

struct DiagnosticCounts {
  int errors = 0;
  int warnings = 0;
  int infos = 0;
};

struct CheckOptions {
  Profile profile = Profile::kDefault;
  uint64_t max_file_bytes = (uint64_t{2} << 30) - 1;  // protobuf's own 2 GiB limit
  int max_proto_depth = 256;                          // protobuf recursion limit
  int max_subgraph_depth = 32;                        // If/Loop/Scan bodies within bodies
  // Diagnostics kept per rule and model (0: all); the rest are counted in one note per rule, so
  // 100,000 dead nodes give 100 warnings and "99,900 more", not 50 MB of JSON.
  int max_diagnostics_per_rule = 100;
};

struct ModelReport {
  std::string path;
  int64_t ir_version = 0;
  std::vector<std::pair<std::string, int64_t>> opset_import;  // as declared, duplicates kept
  std::vector<Diagnostic> diagnostics;                        // model order: by graph, then node
  DiagnosticCounts Counts() const;
};

// Checks the model file at `path`; external data resolves against its directory.
ModelReport CheckModelFile(const fs::path& path, const CheckOptions& options);
// Checks serialized model bytes; external data (if any) resolves against `model_dir`.
ModelReport CheckModelBytes(std::string_view bytes, const fs::path& model_dir,
                            const CheckOptions& options, std::string display_path);

// True when any diagnostic in `reports` has at least `fail_on` severity.
bool ReachesSeverity(const std::vector<ModelReport>& reports, Severity fail_on);

// Compiler-style lines: "m.onnx: error[ZC0203 dangling-input] node 'Conv_3' (#3) input[1] ..."
// then "  hint: ...", then a summary line per model and in total.
std::string FormatCheckText(const std::vector<ModelReport>& reports);
std::string FormatCheckJson(const std::vector<ModelReport>& reports);
// SARIF 2.1.0: one run, the rules that fired (with help text) and one result per diagnostic.
std::string FormatCheckSarif(const std::vector<ModelReport>& reports,
                             std::string_view tool_version);

}  // namespace zooci
