// Generation: the random source, shared helpers, the operator table against libonnx's schemas,
// and the order cases are produced in.
#include <onnx/defs/schema.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "difftest/internal.h"

namespace zooci {
namespace difftest_internal {

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t Rng::Int(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
}

double Rng::Uniform(double lo, double hi) {
  double unit = static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0);
  return lo + (hi - lo) * unit;
}

bool Rng::Chance(double probability) {
  return Uniform(0, 1) < probability;
}

uint64_t CaseSeed(uint64_t seed, std::string_view op, int variant) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a of the operator's name
  for (char c : op) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  Rng mix(seed ^ hash ^ (static_cast<uint64_t>(variant) * 0x9e3779b97f4a7c15ULL));
  return mix.Next();
}

int64_t Elements(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

std::vector<int64_t> RandomShape(Rng& rng, int min_rank, int max_rank, int64_t max_dim,
                                 int64_t max_elements) {
  int rank = static_cast<int>(rng.Int(min_rank, max_rank));
  std::vector<int64_t> shape;
  for (int dim_idx = 0; dim_idx < rank; ++dim_idx) {
    int64_t so_far = Elements(shape);
    int64_t room = std::max<int64_t>(1, max_elements / so_far);
    shape.push_back(rng.Int(1, std::min(max_dim, room)));
  }
  return shape;
}

std::vector<int64_t> BroadcastPartner(Rng& rng, const std::vector<int64_t>& shape) {
  size_t drop = static_cast<size_t>(rng.Int(0, static_cast<int64_t>(shape.size())));
  if (rng.Chance(0.4)) drop = 0;
  std::vector<int64_t> partner(shape.begin() + static_cast<std::ptrdiff_t>(drop), shape.end());
  for (int64_t& dim : partner) {
    if (rng.Chance(0.3)) dim = 1;
  }
  return partner;
}

namespace {

double DrawFloat(Rng& rng, Domain domain) {
  switch (domain) {
    case Domain::kAny:
      return rng.Uniform(-3, 3);
    case Domain::kPositive:
      return rng.Uniform(0.1, 3);
    case Domain::kNonZero:
      return (rng.Chance(0.5) ? -1 : 1) * rng.Uniform(0.5, 3);
    case Domain::kUnit:
      return rng.Uniform(-0.9, 0.9);
    case Domain::kAboveOne:
      return rng.Uniform(1.1, 4);
    case Domain::kSmall:
      return rng.Uniform(-1.5, 1.5);
    case Domain::kNonNegInt:
      return rng.Uniform(0, 3);
    case Domain::kBool:
      return static_cast<double>(rng.Int(0, 1));
  }
  return 0;
}

double DrawInt(Rng& rng, Domain domain) {
  switch (domain) {
    case Domain::kPositive:
    case Domain::kAboveOne:
      return static_cast<double>(rng.Int(1, 5));
    case Domain::kNonZero:
      return static_cast<double>((rng.Chance(0.5) ? -1 : 1) * rng.Int(1, 5));
    case Domain::kNonNegInt:
      return static_cast<double>(rng.Int(0, 5));
    case Domain::kBool:
      return static_cast<double>(rng.Int(0, 1));
    default:
      return static_cast<double>(rng.Int(-5, 5));
  }
}

}  // namespace

Tensor RandomTensor(Rng& rng, const std::string& name, ElemType type,
                    const std::vector<int64_t>& shape, Domain domain) {
  std::vector<double> values(static_cast<size_t>(Elements(shape)));
  bool floating = type == ElemType::kFloat || type == ElemType::kDouble;
  for (double& value : values) {
    if (type == ElemType::kBool) {
      value = static_cast<double>(rng.Int(0, 1));
    } else if (floating) {
      // Quantised to 1/1024 so that a value and its float rounding are the same number and
      // the runtimes all read exactly what the reference reads.
      value = std::round(DrawFloat(rng, domain) * 1024.0) / 1024.0;
      if (domain == Domain::kPositive && value <= 0) value = 0.1;
      if (domain == Domain::kNonZero && std::abs(value) < 0.5) value = 0.5;
    } else {
      value = DrawInt(rng, domain);
      if (type == ElemType::kUint8 && value < 0) value = -value;
    }
  }
  return MakeTensor(name, type, shape, values);
}

Tensor Int64Constant(const std::string& name, const std::vector<int64_t>& values,
                     std::optional<std::vector<int64_t>> shape) {
  std::vector<double> doubles(values.begin(), values.end());
  return MakeTensor(name, ElemType::kInt64,
                    shape ? *shape : std::vector<int64_t>{static_cast<int64_t>(values.size())},
                    doubles);
}

Tensor FloatConstant(const std::string& name, ElemType type, const std::vector<double>& values,
                     std::optional<std::vector<int64_t>> shape) {
  return MakeTensor(name, type,
                    shape ? *shape : std::vector<int64_t>{static_cast<int64_t>(values.size())},
                    values);
}

AttrSpec IntAttr(const std::string& name, int64_t value) {
  AttrSpec attr;
  attr.name = name;
  attr.kind = AttrSpec::Kind::kInt;
  attr.i = value;
  return attr;
}
AttrSpec FloatAttr(const std::string& name, float value) {
  AttrSpec attr;
  attr.name = name;
  attr.kind = AttrSpec::Kind::kFloat;
  attr.f = value;
  return attr;
}
AttrSpec IntsAttr(const std::string& name, std::vector<int64_t> values) {
  AttrSpec attr;
  attr.name = name;
  attr.kind = AttrSpec::Kind::kInts;
  attr.ints = std::move(values);
  return attr;
}
AttrSpec FloatsAttr(const std::string& name, std::vector<float> values) {
  AttrSpec attr;
  attr.name = name;
  attr.kind = AttrSpec::Kind::kFloats;
  attr.floats = std::move(values);
  return attr;
}
AttrSpec StringAttr(const std::string& name, std::string value) {
  AttrSpec attr;
  attr.name = name;
  attr.kind = AttrSpec::Kind::kString;
  attr.s = std::move(value);
  return attr;
}

ModelSpec SingleNode(const std::string& op_type, std::vector<Tensor> inputs,
                     std::vector<Tensor> initializers, std::vector<AttrSpec> attrs, int outputs,
                     std::vector<std::string> input_order) {
  ModelSpec spec;
  NodeSpec node;
  node.op_type = op_type;
  if (input_order.empty()) {
    for (const Tensor& input : inputs) input_order.push_back(input.name);
    for (const Tensor& initializer : initializers) input_order.push_back(initializer.name);
  }
  node.inputs = input_order;
  for (int output_idx = 0; output_idx < outputs; ++output_idx) {
    node.outputs.push_back(outputs == 1 ? "y" : "y" + std::to_string(output_idx));
  }
  node.attrs = std::move(attrs);
  spec.outputs = node.outputs;
  spec.nodes.push_back(std::move(node));
  spec.inputs = std::move(inputs);
  spec.initializers = std::move(initializers);
  return spec;
}

const std::vector<OpGenerator>& Generators() {
  static const std::vector<OpGenerator> table = [] {
    std::vector<OpGenerator> generators;
    AddElementwiseGenerators(&generators);
    AddNnGenerators(&generators);
    AddTensorGenerators(&generators);
    AddIndexGenerators(&generators);
    AddSequenceModelGenerators(&generators);
    std::sort(generators.begin(), generators.end(), [](const OpGenerator& a, const OpGenerator& b) {
      return std::string_view(a.op) < std::string_view(b.op);
    });
    return generators;
  }();
  return table;
}

const OpGenerator* FindGenerator(std::string_view op) {
  for (const OpGenerator& generator : Generators()) {
    if (op == generator.op) return &generator;
  }
  return nullptr;
}

namespace {

// The element types the schema allows for the main type constraint (`type_param` when given,
// else the first input's, or the first output's for operators without inputs), as ElemTypes.
std::set<ElemType> SchemaAllowedTypes(const onnx::OpSchema& schema, const char* type_param) {
  std::string type_str;
  if (type_param != nullptr) {
    type_str = type_param;
  } else if (!schema.inputs().empty()) {
    type_str = schema.inputs()[0].GetTypeStr();
  } else if (!schema.outputs().empty()) {
    type_str = schema.outputs()[0].GetTypeStr();
  }
  std::set<ElemType> allowed;
  for (const auto& constraint : schema.typeConstraintParams()) {
    if (constraint.type_param_str != type_str) continue;
    for (const std::string& type : constraint.allowed_type_strs) {
      static const std::pair<const char*, ElemType> kNames[] = {
          {"tensor(float)", ElemType::kFloat}, {"tensor(double)", ElemType::kDouble},
          {"tensor(int32)", ElemType::kInt32}, {"tensor(int64)", ElemType::kInt64},
          {"tensor(bool)", ElemType::kBool},   {"tensor(uint8)", ElemType::kUint8},
          {"tensor(int8)", ElemType::kInt8},   {"tensor(int16)", ElemType::kInt16},
      };
      for (const auto& [name, elem_type] : kNames) {
        if (type == name) allowed.insert(elem_type);
      }
    }
  }
  if (allowed.empty() && !type_str.empty() && type_str.rfind("tensor(", 0) == 0) {
    if (type_str == "tensor(float)") allowed.insert(ElemType::kFloat);
    if (type_str == "tensor(bool)") allowed.insert(ElemType::kBool);
    if (type_str == "tensor(int64)") allowed.insert(ElemType::kInt64);
  }
  return allowed;
}

const onnx::OpSchema* SchemaAt17(const std::string& op) {
  return onnx::OpSchemaRegistry::Schema(op, 17, "");
}

// The generator's types that the schema allows, the preferred first.
std::vector<ElemType> UsableTypes(const OpGenerator& generator) {
  const onnx::OpSchema* schema = SchemaAt17(generator.op);
  if (schema == nullptr) return {};
  std::set<ElemType> allowed = SchemaAllowedTypes(*schema, generator.type_param);
  std::vector<ElemType> usable;
  for (ElemType type : generator.types) {
    if (allowed.count(type) != 0 || allowed.empty()) usable.push_back(type);
  }
  return usable;
}

GeneratedCase MakeOpCase(const OpGenerator& generator, const std::vector<ElemType>& types,
                         uint64_t seed, int variant) {
  Rng rng(CaseSeed(seed, generator.op, variant));
  // The preferred type most of the time (the one every runtime supports), the others too.
  ElemType type = types.size() > 1 && rng.Chance(0.35) ? rng.Pick(types) : types[0];
  GenContext ctx{rng, type, variant};
  GeneratedCase generated;
  generated.op = generator.op;
  generated.id = std::string(generator.op) + "_" + std::to_string(variant);
  generated.spec = generator.generate(ctx);
  return generated;
}

}  // namespace
}  // namespace difftest_internal

using namespace difftest_internal;

std::vector<OperatorCoverage> SchemaCoverage() {
  std::set<std::string> names;
  for (const onnx::OpSchema& schema : onnx::OpSchemaRegistry::get_all_schemas_with_history()) {
    if (schema.domain().empty() && schema.SinceVersion() <= 17) names.insert(schema.Name());
  }
  std::vector<OperatorCoverage> coverage;
  for (const std::string& name : names) {
    const onnx::OpSchema* schema = SchemaAt17(name);
    if (schema == nullptr || schema->Deprecated() ||
        schema->support_level() == onnx::OpSchema::SupportType::EXPERIMENTAL) {
      continue;
    }
    OperatorCoverage row;
    row.op = name;
    row.since_version = schema->SinceVersion();
    const OpGenerator* generator = FindGenerator(name);
    if (generator == nullptr) {
      row.reason = "no generator";
    } else if (UsableTypes(*generator).empty()) {
      row.reason = "no generated type allowed by the schema";
    } else {
      row.generated = true;
    }
    coverage.push_back(std::move(row));
  }
  return coverage;
}

Result<std::vector<GeneratedCase>> GenerateRound(const GenerateOptions& options, int round) {
  std::vector<const OpGenerator*> selected;
  bool graphs = true;
  if (options.ops.empty()) {
    for (const OpGenerator& generator : Generators()) selected.push_back(&generator);
  } else {
    graphs = false;
    for (const std::string& op : options.ops) {
      const OpGenerator* generator = FindGenerator(op);
      graphs |=
          std::find(GraphOperators().begin(), GraphOperators().end(), op) != GraphOperators().end();
      if (generator == nullptr) {
        std::string known;
        for (const OpGenerator& entry : Generators())
          known += std::string(known.empty() ? "" : ", ") + entry.op;
        return Error("--ops: no generator for '" + op + "' (generated: " + known + ")");
      }
      selected.push_back(generator);
    }
  }
  std::vector<GeneratedCase> cases;
  for (const OpGenerator* generator : selected) {
    std::vector<ElemType> types = UsableTypes(*generator);
    if (!types.empty()) cases.push_back(MakeOpCase(*generator, types, options.seed, round));
  }
  for (int graph_idx = 0; graphs && graph_idx < options.graphs_per_round; ++graph_idx) {
    int graph_number = round * options.graphs_per_round + graph_idx;
    Rng rng(CaseSeed(options.seed, "graph", graph_number));
    GeneratedCase generated;
    generated.op = "graph";
    generated.id = "graph_" + std::to_string(graph_number);
    // With --ops, every graph holds one of the asked operators.
    generated.spec = RandomGraph(rng, options.ops);
    cases.push_back(std::move(generated));
  }
  return cases;
}

Result<std::vector<GeneratedCase>> GenerateCases(const GenerateOptions& options) {
  ZC_RETURN_IF_ERROR(GenerateRound(options, 0));  // the operators exist, even for no rounds
  std::vector<GeneratedCase> cases;
  for (int round = 0; round < options.cases_per_op; ++round) {
    ZC_ASSIGN_OR_RETURN(std::vector<GeneratedCase> some, GenerateRound(options, round));
    for (GeneratedCase& generated : some) cases.push_back(std::move(generated));
  }
  return cases;
}

}  // namespace zooci
