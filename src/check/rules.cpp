// The rule registry: every rule's identity, default severity, documentation and examples.
// Examples use ONNX's textual syntax (onnx/defs/parser.h) where it can express the problem.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "check/check.h"

namespace zooci {
namespace {

using enum RuleCategory;
using enum Severity;
using enum Profile;

constexpr std::string_view kPlainModel =
    "<ir_version: 8, opset_import: [\"\" : 13]>\nmain (float[N] x) => (float[N] y) { y = Relu(x) }";

const std::vector<Rule>& AllRules() {
  static const std::vector<Rule> rules = {
      // ---- model -------------------------------------------------------------------------------
      {RuleId::kUnparseableModel, "unparseable-model", kModel, kError, kDefault,
       "The file is not a parseable ONNX ModelProto: empty, truncated, corrupt, over protobuf's "
       "2 GiB limit, or nested deeper than the parser allows.",
       "Re-export or re-download the model; store tensors over 2 GiB as external data.",
       "a 0-byte model.onnx, or the first 100 bytes of a real model", kPlainModel},
      {RuleId::kMissingIrVersion, "missing-ir-version", kModel, kError, kDefault,
       "ModelProto.ir_version is absent or zero, so no reader can tell which IR rules apply.",
       "Set ir_version to the IR version of the exporter (onnx.IR_VERSION), e.g. 8.",
       "<opset_import: [\"\" : 13]> main (float x) => (float y) { y = Relu(x) }", kPlainModel},
      {RuleId::kUnsupportedIrVersion, "unsupported-ir-version", kModel, kError, kDefault,
       "The IR version is one no runtime loads: below 3 (no opset_import; ONNX Runtime refuses "
       "such models), negative, or more than 2 beyond the newest this checker knows (11), i.e. "
       "beyond any ONNX release a runtime could have caught up with (ONNX bumps the IR about "
       "once a year; onnx.checker refuses anything newer than its own IR).",
       "Save the model with the IR version of a released ONNX (onnx.IR_VERSION), or convert it "
       "with onnx.version_converter.",
       "<ir_version: 2, ...> or <ir_version: 99, ...>", kPlainModel},
      {RuleId::kIrVersionNewerThanChecker, "ir-version-newer-than-checker", kModel, kWarning,
       kDefault,
       "The IR version is newer than the newest this checker knows (11) by 1 or 2: a release "
       "this checker does not know yet may write it, so the model is not failed for it, but IR "
       "features added later are not checked.",
       "Nothing to fix in the model; IR-specific checks were skipped.", "<ir_version: 12, ...>",
       kPlainModel},
      {RuleId::kOpsetNewerThanIr, "opset-newer-than-ir", kModel, kWarning, kDefault,
       "An imported opset version was released after the model's IR version (e.g. ai.onnx 13 "
       "needs IR 7): the model claims an IR older than the features it uses.",
       "Save the model with the IR version that matches its opset (onnx.helper.VERSION_TABLE).",
       "<ir_version: 3, opset_import: [\"\" : 13]> ...", kPlainModel},
      {RuleId::kMissingOpsetImport, "missing-opset-import", kModel, kError, kDefault,
       "The model (IR 3 or later) imports no opset at all; a node whose domain is missing from "
       "the imports is domain-not-imported (ZC0303).",
       "Add opset_import entries for every domain the graph's nodes use, e.g. {\"\": 13}.",
       "<ir_version: 8, opset_import: []> main (float x) => (float y) { y = Relu(x) }",
       kPlainModel},
      {RuleId::kDuplicateOpsetDomain, "duplicate-opset-domain", kModel, kError, kDefault,
       "The same domain is imported twice (\"\" and \"ai.onnx\" are the same domain); readers "
       "disagree on which version wins.",
       "Keep one opset_import entry per domain.",
       "<ir_version: 8, opset_import: [\"\" : 13, \"ai.onnx\" : 11]> ...", kPlainModel},
      {RuleId::kInvalidOpsetVersion, "invalid-opset-version", kModel, kError, kDefault,
       "An opset version is zero, negative, or not a version of a standard domain "
       "(ai.onnx.ml 1-5, ai.onnx.training 1, ai.onnx.preview.training 1).",
       "Import a released opset version of the domain.",
       "<ir_version: 8, opset_import: [\"\" : 0]> ...", kPlainModel},
      {RuleId::kOpsetNewerThanChecker, "opset-newer-than-checker", kModel, kWarning, kDefault,
       "The model imports an opset newer than the operator schemas this checker has (libonnx "
       "knows ai.onnx up to 17): the named op's schema, attribute and type/shape checks were not "
       "made. The model is not failed for it.",
       "Nothing to fix in the model; check it with a checker built on a newer onnx if needed.",
       "<ir_version: 10, opset_import: [\"\" : 21]> ...", kPlainModel},
      {RuleId::kDuplicateMetadataKey, "duplicate-metadata-key", kModel, kError, kDefault,
       "metadata_props holds the same key twice; readers keep an arbitrary one.",
       "Merge the entries so every metadata key appears once.",
       "metadata_props: [{key: \"author\"}, {key: \"author\"}]",
       "metadata_props: [{key: \"author\"}, {key: \"license\"}]"},
      {RuleId::kMissingProducer, "missing-producer", kModel, kWarning, kZoo,
       "producer_name is empty: a zoo reader cannot tell which exporter made the model.",
       "Set producer_name and producer_version (exporters such as torch.onnx do this).",
       "ModelProto without producer_name", "producer_name: \"pytorch\", producer_version: \"2.1\""},
      {RuleId::kMissingDocString, "missing-doc-string", kModel, kWarning, kZoo,
       "Neither the model nor its graph has a doc_string describing it.",
       "Set model.doc_string to a one-line description of what the model does.",
       "ModelProto with empty doc_string and graph.doc_string",
       "doc_string: \"ResNet-50 v1 image classifier, ImageNet-1k\""},
      {RuleId::kMissingMetadata, "missing-metadata", kModel, kWarning, kZoo,
       "The model has no metadata_props (e.g. license, source, preprocessing): a zoo model should "
       "carry what a user needs to reuse it.",
       "Add metadata_props, e.g. {\"license\": \"Apache-2.0\", \"source\": \"<url>\"}.",
       "ModelProto with no metadata_props", "metadata_props: [{key: \"license\", value: \"MIT\"}]"},
      {RuleId::kUnusedOpsetImport, "unused-opset-import", kModel, kInfo, kZoo,
       "A non-default domain is imported but no node or function uses it.",
       "Remove the unused opset_import entry.",
       "opset_import: [\"\" : 13, \"com.microsoft\" : 1] with only ai.onnx nodes",
       "opset_import: [\"\" : 13]"},
      // ---- graph structure ---------------------------------------------------------------------
      {RuleId::kMissingGraph, "missing-graph", kGraph, kError, kDefault, "The model has no graph.",
       "Export the model again; a ModelProto needs a graph.",
       "<ir_version: 8, opset_import: [\"\" : 13]> (no graph)", kPlainModel},
      {RuleId::kDuplicateDefinition, "duplicate-definition", kGraph, kError, kDefault,
       "A value name is defined twice (graph input, initializer or node output, in this graph or "
       "an enclosing one): ONNX graphs are in single static assignment form.",
       "Rename one of the definitions and update its consumers.",
       "main (float x) => (float y) { t = Relu(x)\n t = Neg(x)\n y = Add(t, t) }",
       "main (float x) => (float y) { t = Relu(x)\n u = Neg(x)\n y = Add(t, u) }"},
      {RuleId::kDanglingInput, "dangling-input", kGraph, kError, kDefault,
       "A node input names a value that nothing produces: no graph input, initializer, earlier "
       "node output or outer-scope value.",
       "Connect the input to an existing value, add the missing initializer, or fix the name.",
       "main (float x) => (float y) { y = Add(x, w) }",
       "main (float x) => (float y) <float w = {1.0}> { y = Add(x, w) }"},
      {RuleId::kUseBeforeDefinition, "use-before-definition", kGraph, kError, kDefault,
       "A node uses a value that a later node produces: the node list is not topologically "
       "sorted, as the ONNX IR requires.",
       "Reorder the nodes so that every producer precedes its consumers (onnx's "
       "graph topological sort, or re-export).",
       "main (float x) => (float y) { y = Neg(t)\n t = Relu(x) }",
       "main (float x) => (float y) { t = Relu(x)\n y = Neg(t) }"},
      {RuleId::kGraphCycle, "graph-cycle", kGraph, kError, kDefault,
       "Nodes depend on each other in a cycle; no order can compute them.",
       "Break the cycle; loops must be expressed with the Loop operator.",
       "main (float x) => (float y) { a = Add(x, b)\n b = Relu(a)\n y = Neg(b) }",
       "main (float x) => (float y) { a = Relu(x)\n b = Relu(a)\n y = Neg(b) }"},
      {RuleId::kUndefinedGraphOutput, "undefined-graph-output", kGraph, kError, kDefault,
       "A graph output names a value this graph does not define.",
       "Produce the output with a node, or remove it from the graph outputs.",
       "main (float x) => (float y) { z = Relu(x) }",
       "main (float x) => (float y) { y = Relu(x) }"},
      {RuleId::kInitializerNotInput, "initializer-not-input", kGraph, kError, kDefault,
       "With IR version 3 or lower, every initializer must also be a graph input.",
       "List the initializer among the graph inputs, or save with IR version 4 or later.",
       "<ir_version: 3, ...> main (float x) => (float y) <float w = {1.0}> { y = Add(x, w) }",
       "<ir_version: 3, ...> main (float x, float w) => (float y) <float w = {1.0}> { ... }"},
      {RuleId::kMissingName, "missing-name", kGraph, kError, kDefault,
       "A graph, graph input, graph output or initializer has an empty name.",
       "Give every graph and every graph input, output and initializer a unique name.",
       "graph with name \"\"", "graph with name \"main\""},
      {RuleId::kMissingIoType, "missing-io-type", kGraph, kError, kDefault,
       "A main-graph input or output has no type, or a tensor type without elem_type or shape: "
       "a runtime cannot bind data to it.",
       "Declare the type and shape, using a symbolic dim (\"N\") for dynamic sizes.",
       "graph input 'x' with no type", "graph input 'x': float[N, 3, 224, 224]"},
      {RuleId::kDuplicateGraphOutput, "duplicate-graph-output", kGraph, kError, kDefault,
       "The same value is listed twice among the graph outputs.",
       "List every output once; use Identity to expose a value under a second name.",
       "main (float x) => (float y, float y) { y = Relu(x) }",
       "main (float x) => (float y, float z) { y = Relu(x)\n z = Identity(y) }"},
      {RuleId::kUnusedInitializer, "unused-initializer", kGraph, kWarning, kDefault,
       "An initializer is used by no node and is no graph output: it only makes the file larger.",
       "Remove the initializer (onnx-simplifier or onnxoptimizer eliminate_unused_initializer).",
       "main (float x) => (float y) <float w = {1.0}> { y = Relu(x) }", kPlainModel},
      {RuleId::kDeadNode, "dead-node", kGraph, kWarning, kDefault,
       "No node and no graph output uses any output of this node: it is computed for nothing.",
       "Remove the node (onnxoptimizer eliminate_deadend), or expose its output.",
       "main (float x) => (float y) { y = Relu(x)\n z = Neg(x) }", kPlainModel},
      {RuleId::kUnusedInput, "unused-input", kGraph, kWarning, kDefault,
       "A graph input (that is not an initializer) is used by no node and is no graph output; "
       "callers must still feed it.",
       "Remove the input from the graph.",
       "main (float x, float unused) => (float y) { y = Relu(x) }", kPlainModel},
      {RuleId::kDuplicateNodeName, "duplicate-node-name", kGraph, kError, kDefault,
       "Two nodes in a graph share a non-empty name. IR.md (Names Within a Graph): node names "
       "form a namespace in which each name MUST be unique for a given graph; tools that address "
       "nodes by name (profilers, quantizers, graph editors) act on the wrong node.",
       "Give the nodes distinct names.", "two nodes named 'conv' in one graph",
       "nodes named 'conv_1' and 'conv_2'"},
      {RuleId::kMissingNodeName, "missing-node-name", kGraph, kInfo, kStrict,
       "A node has no name, so profilers and error messages can only refer to it by index.",
       "Name every node (most exporters do, e.g. 'Conv_3').", "node {op_type: \"Relu\"}",
       "node {name: \"relu_1\", op_type: \"Relu\"}"},
      {RuleId::kShadowedOuterName, "shadowed-outer-name", kGraph, kWarning, kDefault,
       "A subgraph input or initializer reuses a name from an enclosing graph, hiding the outer "
       "value; runtimes resolve such names differently (onnx/onnx#2303).",
       "Rename the subgraph's input or initializer.",
       "Loop body input named 'x' where the outer graph defines 'x'",
       "Loop body input named 'x_iter'"},
      {RuleId::kEmptyNode, "empty-node", kGraph, kError, kDefault,
       "A node has neither inputs nor outputs.", "Remove the node.",
       "node {op_type: \"Relu\"} with no input and no output", "node with input x, output y"},
      {RuleId::kSubgraphTooDeep, "subgraph-too-deep", kGraph, kWarning, kDefault,
       "Subgraphs (If/Loop/Scan bodies) are nested deeper than the checker follows (32 levels, "
       "--max-subgraph-depth); the deeper bodies were not checked. A limit of the checker, not a "
       "defect of the model: reported once per model, as a warning.",
       "Raise --max-subgraph-depth to check the deeper bodies, or flatten the control flow.",
       "If inside If inside If ... 40 levels deep", "at most a few levels of nesting"},
      // ---- operators ---------------------------------------------------------------------------
      {RuleId::kUnknownOp, "unknown-op", kOperator, kError, kDefault,
       "The operator does not exist in its domain at the imported opset version (ai.onnx, "
       "ai.onnx.ml, ai.onnx.training, ai.onnx.preview.training).",
       "Check the op's spelling and the opset it was introduced in; raise the opset import.",
       "<ir_version: 8, opset_import: [\"\" : 13]> main (float x) => (float y) { y = Gelu(x) }",
       kPlainModel},
      {RuleId::kCustomDomainOp, "custom-domain-op", kOperator, kInfo, kDefault,
       "The node uses a custom domain: it needs a runtime that provides the op, and its schema is "
       "not checked.",
       "Document the runtime (and version) the model needs, e.g. ONNX Runtime's com.microsoft.",
       "node {op_type: \"FusedGemm\", domain: \"com.microsoft\"}", "node {op_type: \"Gemm\"}"},
      {RuleId::kDomainNotImported, "domain-not-imported", kOperator, kError, kDefault,
       "The node's domain is not in the model's opset_import.",
       "Add an opset_import entry for the domain.",
       "opset_import [\"\" : 13] with node {op_type: \"LabelEncoder\", domain: \"ai.onnx.ml\"}",
       "opset_import [\"\" : 13, \"ai.onnx.ml\" : 2]"},
      {RuleId::kInputCount, "input-count", kOperator, kError, kDefault,
       "The node has fewer or more inputs than the operator's schema allows at this opset.",
       "Pass the inputs the operator expects (see its schema at the imported opset).", "y = Add(x)",
       "y = Add(x, x)"},
      {RuleId::kOutputCount, "output-count", kOperator, kError, kDefault,
       "The node has fewer or more outputs than the operator's schema allows at this opset.",
       "Declare the outputs the operator produces.", "y, z = Relu(x)", "y = Relu(x)"},
      {RuleId::kMissingRequiredAttribute, "missing-required-attribute", kOperator, kError, kDefault,
       "A required attribute of the operator is not set.",
       "Set the attribute (see the operator's schema).", "y = Cast(x)", "y = Cast<to = 1>(x)"},
      {RuleId::kAttributeTypeMismatch, "attribute-type-mismatch", kOperator, kError, kDefault,
       "An attribute's type differs from the type the operator's schema declares.",
       "Store the attribute with the declared type (e.g. an int, not a float).",
       "y = Cast<to = 1.0>(x)", "y = Cast<to = 1>(x)"},
      {RuleId::kUnknownAttribute, "unknown-attribute", kOperator, kError, kDefault,
       "The node sets an attribute that the operator's schema does not define at this opset.",
       "Remove the attribute, or check which opset version introduced it.",
       "y = Relu<alpha = 0.1>(x)", "y = LeakyRelu<alpha = 0.1>(x)"},
      {RuleId::kDeprecatedOp, "deprecated-op", kOperator, kError, kDefault,
       "The operator is deprecated at the imported opset (e.g. Upsample from opset 10, Scatter "
       "from 11): its schema at that opset marks it as no longer valid, and runtimes refuse it "
       "(ONNX Runtime: 'Upsample is deprecated', onnx.checker: 'deprecated').",
       "Replace it with its successor (Upsample -> Resize, Scatter -> ScatterElements).",
       "opset 10: y = Upsample(x, scales)", "opset 10: y = Resize(x, scales)"},
      {RuleId::kExperimentalOp, "experimental-op", kOperator, kWarning, kDefault,
       "The operator is experimental (ATen, ImageScaler, Crop, ...): no stable schema, runtimes "
       "may not support it.",
       "Replace it with standard operators.", "y = ImageScaler<scale = 2.0>(x)", "y = Mul(x, two)"},
      {RuleId::kMalformedAttribute, "malformed-attribute", kOperator, kError, kDefault,
       "An attribute is malformed: empty or duplicate name, missing or unknown type, a value field "
       "that does not match its type, or ref_attr_name outside a function body.",
       "Rebuild the attribute with onnx.helper.make_attribute.",
       "attribute {name: \"axis\", type: FLOAT, i: 1}",
       "attribute {name: \"axis\", type: INT, i: 1}"},
      {RuleId::kMissingOpType, "missing-op-type", kOperator, kError, kDefault,
       "A node has an empty op_type.", "Set the node's op_type.", "node {input: \"x\"}",
       "node {op_type: \"Relu\", input: \"x\", output: \"y\"}"},
      {RuleId::kMissingRequiredInput, "missing-required-input", kOperator, kError, kDefault,
       "A required (non-optional) input of the operator is given the empty name.",
       "Connect the input; only optional inputs may be left empty (\"\").", "y = Conv(\"\", w)",
       "y = Conv(x, w)"},
      {RuleId::kInvalidAttributeValue, "invalid-attribute-value", kOperator, kError, kDefault,
       "An attribute's value is outside what the operator allows: a zero or negative stride, "
       "dilation or kernel size, or a negative pad, on a convolution or pooling op (libonnx's "
       "shape inference divides by them; onnx.checker crashes on a zero stride).",
       "Use positive strides, dilations and kernel sizes, and non-negative pads.",
       "y = Conv<strides = [0, 0]>(x, w)", "y = Conv<strides = [1, 1]>(x, w)"},
      // ---- tensors -----------------------------------------------------------------------------
      {RuleId::kInvalidDataType, "invalid-data-type", kTensor, kError, kDefault,
       "A tensor's data_type is UNDEFINED or not a TensorProto.DataType value.",
       "Set data_type to the element type of the data (e.g. 1 for FLOAT).",
       "initializer {name: \"w\", data_type: 0}", "initializer {name: \"w\", data_type: 1}"},
      {RuleId::kNegativeDim, "negative-dim", kTensor, kError, kDefault,
       "A tensor (or a declared shape) has a negative dimension.",
       "Use a non-negative size; a dynamic dimension is a dim_param, not -1.",
       "initializer w with dims [-1, 3]", "initializer w with dims [2, 3]"},
      {RuleId::kPayloadSizeMismatch, "payload-size-mismatch", kTensor, kError, kDefault,
       "The tensor's data holds a different number of elements (or bytes) than its dims declare.",
       "Re-export the tensor; its dims and data must agree.",
       "float w with dims [2, 3] and 20 bytes of raw_data", "float w, dims [2, 3], 24 bytes"},
      {RuleId::kConflictingPayload, "conflicting-payload", kTensor, kError, kDefault,
       "The tensor carries data in more than one field (e.g. raw_data and float_data), or "
       "inline data together with data_location EXTERNAL.",
       "Keep the data in exactly one place.", "w with raw_data and float_data",
       "w with raw_data only"},
      {RuleId::kWrongPayloadField, "wrong-payload-field", kTensor, kError, kDefault,
       "The data is in a typed field that does not hold this data_type (e.g. float_data for an "
       "INT64 tensor, raw_data for STRING).",
       "Store the data in raw_data, or in the typed field the data_type uses.",
       "int64 w with float_data", "int64 w with int64_data or raw_data"},
      {RuleId::kAbsurdTensorSize, "absurd-tensor-size", kTensor, kError, kDefault,
       "The tensor's dims multiply to more elements than int64 holds, or to more bytes than any "
       "ONNX file can carry (1 TiB). Nothing was allocated for it.",
       "Fix the dims.", "initializer w with dims [4294967296, 4294967296, 16]",
       "initializer w with dims [64, 3, 7, 7]"},
      {RuleId::kInvalidSparseTensor, "invalid-sparse-tensor", kTensor, kError, kDefault,
       "A sparse tensor is malformed: values not rank 1, indices not INT64 rank 1 or 2, index "
       "count not matching the values, indices out of range or not strictly increasing.",
       "Rebuild it with onnx.helper.make_sparse_tensor and sorted, in-range indices.",
       "sparse w: dims [4], values [a, b], indices [3, 1]",
       "sparse w: dims [4], values [a, b], indices [1, 3]"},
      {RuleId::kTypeNewerThanIr, "type-newer-than-ir", kTensor, kWarning, kDefault,
       "The tensor uses an element type introduced after the model's IR version (BFLOAT16 needs "
       "IR 4, FLOAT8 types IR 9, INT4/UINT4 IR 10).",
       "Save the model with an IR version that has the type.",
       "<ir_version: 3> with a BFLOAT16 initializer",
       "<ir_version: 4> with a BFLOAT16 initializer"},
      // ---- external data -----------------------------------------------------------------------
      {RuleId::kExternalLocationMissing, "external-location-missing", kExternalData, kError,
       kDefault, "A tensor stored as EXTERNAL has no (or an empty) 'location' entry.",
       "Save the model with onnx.save(..., save_as_external_data=True) to write the entries.",
       "external_data: [{key: \"offset\", value: \"0\"}]",
       "external_data: [{key: \"location\", value: \"weights.bin\"}]"},
      {RuleId::kExternalLocationUnsafe, "external-location-unsafe", kExternalData, kError, kDefault,
       "An external-data location is absolute, or leaves the model's directory through '..' or a "
       "symlink (the path-traversal class of CVE-2022-25882, CVE-2024-27318, CVE-2026-27489).",
       "Keep external data files next to the model and name them by a relative path.",
       "location: \"../../etc/passwd\"", "location: \"model.onnx.data\""},
      {RuleId::kExternalFileMissing, "external-file-missing", kExternalData, kError, kDefault,
       "The external-data file does not exist or is not a regular file.",
       "Ship the data file with the model (in the same directory).",
       "location: \"weights.bin\" with no such file", "weights.bin next to model.onnx"},
      {RuleId::kExternalRangeOutOfFile, "external-range-out-of-file", kExternalData, kError,
       kDefault, "The external data's offset and length reach past the end of the file.",
       "Re-save the external data; offset + length must lie inside the file.",
       "offset 4096, length 1024 in a 4 KiB file", "offset 0, length 1024 in a 4 KiB file"},
      {RuleId::kExternalLengthMismatch, "external-length-mismatch", kExternalData, kError, kDefault,
       "The external data's length (or the file size after the offset) differs from the tensor's "
       "declared size.",
       "Re-save the external data so the stored bytes match the tensor's dims.",
       "float w dims [256], length 512", "float w dims [256], length 1024"},
      {RuleId::kMalformedExternalInfo, "malformed-external-info", kExternalData, kError, kDefault,
       "An external_data entry is malformed: a key given twice, or an offset/length that is not a "
       "non-negative integer.",
       "Write each key once with a decimal value.",
       "external_data: [{key: \"offset\", value: \"-5\"}, ...]",
       "external_data: [{key: \"offset\", value: \"0\"}, ...]"},
      {RuleId::kExternalUnknownKey, "external-unknown-key", kExternalData, kWarning, kDefault,
       "An external_data entry has a key other than location, offset, length and checksum.",
       "Remove the key.", "external_data: [{key: \"compression\", value: \"zstd\"}, ...]",
       "external_data: [{key: \"location\", ...}, {key: \"offset\", ...}]"},
      {RuleId::kExternalHardLink, "external-hard-link", kExternalData, kWarning, kDefault,
       "The external-data file has more than one hard link; onnx's loader refuses such files "
       "(CVE-2026-34446) since a link can expose a file outside the model directory.",
       "Copy the data file instead of hard-linking it.", "weights.bin with link count 2",
       "weights.bin with link count 1"},
      {RuleId::kExternalChecksumMismatch, "external-checksum-mismatch", kExternalData, kError,
       kDefault,
       "The tensor's external_data 'checksum' (IR.md: the SHA-1 digest of the data) matches "
       "neither the bytes of its range nor the whole file: the data file was changed or "
       "replaced after export.",
       "Re-export the model with its data, or recompute the checksum (hashlib.sha1) from the "
       "data file.",
       "checksum '0000...' for a weights.bin whose SHA-1 is 'a94a...'",
       "checksum equal to sha1(weights.bin)"},
      // ---- types and shapes --------------------------------------------------------------------
      {RuleId::kInferenceError, "inference-error", kTypeShape, kError, kDefault,
       "Type and shape inference failed for the node: its inputs' types or shapes, or its "
       "attributes, are inconsistent with the operator.",
       "Fix the node's inputs or attributes so their types and shapes fit the operator.",
       "y = MatMul(a, b) with a: float[2, 3], b: float[4, 5]",
       "y = MatMul(a, b) with a: float[2, 3], b: float[3, 5]"},
      {RuleId::kTypeConstraintViolation, "type-constraint-violation", kTypeShape, kError, kDefault,
       "An input or output type is outside the operator's type constraint, or inputs bound to "
       "the same type variable have different types.",
       "Cast the input to a type the operator accepts.", "y = Add(a, b) with a: float, b: int64",
       "y = Add(a, b) with a: float, b: float"},
      {RuleId::kValueInfoMismatch, "value-info-mismatch", kTypeShape, kError, kDefault,
       "A value_info entry declares a type or shape that contradicts what inference derives for "
       "the value (onnx.checker never reads value_info).",
       "Correct or remove the value_info entry (onnx.shape_inference can regenerate it).",
       "value_info t: int64[N] where t = Relu(x: float[N])",
       "value_info t: float[N] where t = Relu(x: float[N])"},
      {RuleId::kGraphOutputMismatch, "graph-output-mismatch", kTypeShape, kError, kDefault,
       "A graph output declares a type or shape that contradicts what inference derives.",
       "Declare the output with the type and shape the graph computes.",
       "main (float[N] x) => (int64[N] y) { y = Relu(x) }",
       "main (float[N] x) => (float[N] y) { y = Relu(x) }"},
      {RuleId::kInitializerInputMismatch, "initializer-input-mismatch", kTypeShape, kError,
       kDefault,
       "An initializer and the graph input of the same name disagree on element type or shape.",
       "Make the graph input's declared type match the initializer.",
       "input w: float[3] with initializer w of dims [4]", "input w: float[4], initializer [4]"},
      {RuleId::kInferenceIncomplete, "inference-incomplete", kTypeShape, kInfo, kStrict,
       "A graph output's type could not be inferred (its producers are custom ops, or an op has "
       "no inference function), so its declared type is unverified.",
       "Nothing to fix; the output's type is taken as declared.", "y = com.example.MyOp(x)",
       "y = Relu(x)"},
      {RuleId::kTypeAllowedByLaterOpset, "type-allowed-by-later-opset", kTypeShape, kWarning,
       kDefault,
       "A type is outside the operator's constraint at the imported opset, but a later version "
       "of the operator allows it (e.g. an int64 Constant at opset 6; Constant-9 takes every "
       "type). Runtimes that implement the later kernel run it; strict readers reject it.",
       "Raise the model's opset import to the version that allows the type.",
       "opset 6: c = Constant<value = int64[2] {1, 2}>()",
       "opset 9: c = Constant<value = int64[2] {1, 2}>()"},
      // ---- functions and subgraphs -------------------------------------------------------------
      {RuleId::kFunctionBeforeIr8, "function-before-ir8", kFunction, kError, kDefault,
       "The model defines model-local functions but its IR version is below 8, where they were "
       "introduced; onnx's checker silently skips them.",
       "Save the model with IR version 8 or later.", "<ir_version: 7> with functions",
       "<ir_version: 8> with functions"},
      {RuleId::kDuplicateFunction, "duplicate-function", kFunction, kError, kDefault,
       "Two model-local functions share the same domain, name (and overload).",
       "Rename one of the functions.", "two functions local.f", "functions local.f and local.g"},
      {RuleId::kFunctionCallCycle, "function-call-cycle", kFunction, kError, kDefault,
       "Model-local functions call each other in a cycle (recursion is not allowed).",
       "Remove the recursion.", "f calls g, g calls f", "f calls g, g calls Relu"},
      {RuleId::kMalformedFunction, "malformed-function", kFunction, kError, kDefault,
       "A model-local function has an empty name or domain, or declares an input, output or "
       "attribute name twice.",
       "Give the function a domain and name, and distinct parameter names.",
       "function with inputs (x, x)", "function with inputs (x, y)"},
      {RuleId::kUnusedFunction, "unused-function", kFunction, kWarning, kDefault,
       "A model-local function is called by no node of the graph or of another used function.",
       "Remove the function.", "function local.f never called",
       "node {op_type: \"f\", domain: \"local\"}"},
  };
  return rules;
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case kInfo:
      return "info";
    case kWarning:
      return "warning";
    case kError:
      return "error";
  }
  return "error";
}

std::string_view CategoryName(RuleCategory category) {
  switch (category) {
    case kModel:
      return "model";
    case kGraph:
      return "graph";
    case kOperator:
      return "operator";
    case kTensor:
      return "tensor";
    case kExternalData:
      return "external-data";
    case kTypeShape:
      return "type-shape";
    case kFunction:
      return "function";
  }
  return "model";
}

Result<Profile> ParseProfile(std::string_view text) {
  if (text == "default") return kDefault;
  if (text == "zoo") return kZoo;
  if (text == "strict") return kStrict;
  return Error("unknown profile '" + std::string(text) + "' (expected default, zoo or strict)");
}

std::string RuleCode(RuleId id) {
  char code[8];
  std::snprintf(code, sizeof code, "ZC%04u", static_cast<unsigned>(id) % 10000);
  return code;
}

const std::vector<Rule>& Rules() {
  return AllRules();
}

const Rule& GetRule(RuleId id) {
  const auto& rules = AllRules();
  auto it = std::lower_bound(rules.begin(), rules.end(), id,
                             [](const Rule& rule, RuleId wanted) { return rule.id < wanted; });
  // Every RuleId has a registry entry (rules_test.cpp asserts it); a miss is a programming error.
  return it != rules.end() && it->id == id ? *it : rules.front();
}

const Rule* FindRule(std::string_view code_or_name) {
  std::string wanted = AsciiLower(code_or_name);
  for (const Rule& rule : AllRules()) {
    if (AsciiLower(RuleCode(rule.id)) == wanted || rule.name == wanted) return &rule;
  }
  return nullptr;
}

std::string_view ProfileName(Profile profile) {
  switch (profile) {
    case kDefault:
      return "default";
    case kZoo:
      return "zoo";
    case kStrict:
      return "strict";
  }
  return "default";
}

std::string ExplainRule(const Rule& rule) {
  std::string text = RuleCode(rule.id) + " " + std::string(rule.name) + "\n";
  text += "  category: " + std::string(CategoryName(rule.category)) + "\n";
  text += "  severity: " + std::string(SeverityName(rule.severity)) + "\n";
  text += "  profile:  " + std::string(ProfileName(rule.min_profile)) +
          (rule.min_profile == kDefault ? " (always on)" : " and stricter") + "\n\n";
  text += std::string(rule.summary) + "\n\n";
  auto indent = [](std::string_view example) {
    std::string out = "    ";
    for (char c : example) {
      out += c;
      if (c == '\n') out += "    ";
    }
    return out + "\n";
  };
  text += "Fails:\n" + indent(rule.failing_example) + "\n";
  text += "Passes:\n" + indent(rule.passing_example) + "\n";
  text += "Fix: " + std::string(rule.hint) + "\n";
  return text;
}

std::string FormatRuleList() {
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "%-7s %-30s %-14s %-8s %s\n", "ID", "NAME", "CATEGORY",
                "SEVERITY", "PROFILE");
  text += line;
  for (const Rule& rule : AllRules()) {
    std::snprintf(line, sizeof line, "%-7s %-30s %-14s %-8s %s\n", RuleCode(rule.id).c_str(),
                  std::string(rule.name).c_str(), std::string(CategoryName(rule.category)).c_str(),
                  std::string(SeverityName(rule.severity)).c_str(),
                  std::string(ProfileName(rule.min_profile)).c_str());
    text += line;
  }
  return text;
}

}  // namespace zooci
