// reference: a plain interpreter for ONNX graphs, the oracle other runtimes are compared with.
//
// One small function per operator, written to be read next to ONNX's operator documentation
// (docs/Operators.md of ONNX 1.12, opsets up to 17); every element is computed and accumulated in
// double and rounded to the output's element type once per operator. No graph optimisation, no
// fusion, no threads: a node runs exactly as the specification describes it, in graph order.
//
// It is not fast: a ResNet-18 forward pass takes seconds. Runtimes use it through the
// "reference" backend of zooci-worker (runtime/runtime.h), sandboxed like any other.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "onnx/onnx_io.h"

namespace zooci {

// The highest ai.onnx opset the interpreter knows (ONNX 1.12).
inline constexpr int64_t kReferenceMaxOpset = 17;

// A model ready to run. Thread-compatible: Run is const and keeps no state between calls, so
// several threads may run one model at once.
class ReferenceModel {
 public:
  virtual ~ReferenceModel() = default;
  // Runs the model once. Each input names the graph input it binds to in Value::name; a graph
  // input that is also an initializer may be left out (the initializer is its default). Returns
  // every graph output, in graph order, named. Errors name the node and its operator:
  // "node 'conv1' (Conv-11): input X is float[1,3,224], needs rank 3 or more".
  virtual Result<std::vector<Value>> Run(const std::vector<Value>& inputs) const = 0;
};

// Loads a model file: parses it, decodes every main-graph initializer (external data is read
// relative to the model's directory and must stay inside it), and checks that every operator it
// uses, in subgraphs too, is implemented at the model's opset. An operator that is not is an
// error of one line: "operator Foo (opset 13) not implemented".
Result<std::unique_ptr<ReferenceModel>> LoadReferenceModel(const fs::path& model_path);
// The same from a serialized ModelProto; external data is resolved against `base_dir`.
Result<std::unique_ptr<ReferenceModel>> LoadReferenceModelFromBytes(std::string_view bytes,
                                                                    const fs::path& base_dir);

// What the interpreter implements: one entry per operator, with the since_version of each ONNX
// schema version it handles ("Clip", {1, 6, 11, 12, 13}). Domain-qualified outside ai.onnx.
struct ReferenceOperator {
  std::string op_type;
  std::vector<int> versions;
};
std::vector<ReferenceOperator> ReferenceOperators();

}  // namespace zooci
