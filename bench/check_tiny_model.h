// Shared by the checker's benchmark and fuzz target: a tiny valid model whose first check builds
// libonnx's schema registry, so one-off set-up stays out of the timed or fuzzed runs.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

namespace zooci::bench {

// y = Relu(x) over float[1,2], opset 17: small, valid, and it reaches every rule family.
inline std::string TinyModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("g");
  onnx::NodeProto* node = graph->add_node();
  node->set_name("relu");
  node->set_op_type("Relu");
  node->add_input("x");
  node->add_output("y");
  for (auto* info : {graph->add_input(), graph->add_output()}) {
    info->set_name(info == &graph->input(0) ? "x" : "y");
    auto* tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    tensor->mutable_shape()->add_dim()->set_dim_value(1);
    tensor->mutable_shape()->add_dim()->set_dim_value(2);
  }
  return model.SerializeAsString();
}

}  // namespace zooci::bench
