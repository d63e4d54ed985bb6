// Private to the onnx module: TensorProto payload helpers (value_codec.cpp) and the TypeProto
// describer (model_info.cpp), shared with model_compare.cpp.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

#include "onnx/onnx_io.h"

namespace zooci {

// Validated element count of `dims`; fails on a negative dim or an absurd product.
Result<int64_t> CheckedElementCount(const google::protobuf::RepeatedField<int64_t>& dims);
// Bytes the packed payload of `count` elements takes (sub-byte types pack two per byte).
uint64_t PackedBytes(ElemType type, int64_t count);
// The typed field of `proto` that holds `type` (float_data, int32_data, ...) as packed
// little-endian bytes; fails when the field does not hold exactly `count` elements.
Result<std::string> DecodeTypedPayload(const onnx::TensorProto& proto, ElemType type,
                                       int64_t count);

// "tensor(float)[N,3,224,224]", "seq(tensor(int64))", "map(string,tensor(float))".
std::string DescribeTypeProto(const onnx::TypeProto& type);

}  // namespace zooci
