// Private to difftest: the random source, value domains and the per-operator generator table.
#pragma once

#include <string_view>

#include "difftest/difftest.h"

namespace zooci::difftest_internal {

// SplitMix64: the same sequence on every platform and standard library (std distributions are
// not), so a seed names the same models everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  int64_t Int(int64_t lo, int64_t hi);  // inclusive
  double Uniform(double lo, double hi);
  bool Chance(double probability);
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Int(0, static_cast<int64_t>(items.size()) - 1))];
  }

 private:
  uint64_t state_;
};

// The seed of case `variant` of `op` under `seed`.
uint64_t CaseSeed(uint64_t seed, std::string_view op, int variant);

// Where input values are drawn from, so that no operator is fed a point where it is undefined or
// ill-conditioned.
enum class Domain {
  kAny,        // [-3, 3]; integers [-5, 5]
  kPositive,   // [0.1, 3]; integers [1, 5]
  kNonZero,    // |x| in [0.5, 3]; integers +-[1, 5]
  kUnit,       // (-0.9, 0.9)
  kAboveOne,   // [1.1, 4]
  kSmall,      // [-1.5, 1.5]
  kNonNegInt,  // integers [0, 5]; floats [0, 3]
  kBool,       // 0 or 1
};

struct GenContext {
  Rng& rng;
  ElemType type;  // the operator's main type constraint, chosen from the schema's allowed types
  int variant;
};

// Random shapes: rank in [min_rank, max_rank], every dim in [1, max_dim], at most `max_elements`.
std::vector<int64_t> RandomShape(Rng& rng, int min_rank, int max_rank, int64_t max_dim = 5,
                                 int64_t max_elements = 240);
// A shape `other` broadcasts against: leading dims dropped, some dims set to 1.
std::vector<int64_t> BroadcastPartner(Rng& rng, const std::vector<int64_t>& shape);
int64_t Elements(const std::vector<int64_t>& shape);
Tensor RandomTensor(Rng& rng, const std::string& name, ElemType type,
                    const std::vector<int64_t>& shape, Domain domain = Domain::kAny);
Tensor Int64Constant(const std::string& name, const std::vector<int64_t>& values,
                     std::optional<std::vector<int64_t>> shape = std::nullopt);
Tensor FloatConstant(const std::string& name, ElemType type, const std::vector<double>& values,
                     std::optional<std::vector<int64_t>> shape = std::nullopt);

AttrSpec IntAttr(const std::string& name, int64_t value);
AttrSpec FloatAttr(const std::string& name, float value);
AttrSpec IntsAttr(const std::string& name, std::vector<int64_t> values);
AttrSpec FloatsAttr(const std::string& name, std::vector<float> values);
AttrSpec StringAttr(const std::string& name, std::string value);

// A one-node model: `inputs` fed, `initializers` constant, outputs "y" (or "y0", "y1", ...).
ModelSpec SingleNode(const std::string& op_type, std::vector<Tensor> inputs,
                     std::vector<Tensor> initializers, std::vector<AttrSpec> attrs, int outputs = 1,
                     std::vector<std::string> input_order = {});

using GenerateFn = std::function<ModelSpec(GenContext& ctx)>;

struct OpGenerator {
  const char* op;
  // Element types of the main type constraint this generator handles, the first preferred; the
  // schema's allowed types filter them.
  std::vector<ElemType> types;
  GenerateFn generate;
  // The schema's type parameter `types` stands for; by default the first input's (the first
  // output's without inputs). Where names "T": its first input is the bool condition.
  const char* type_param = nullptr;
};

// The tables, one per family (gen_elementwise.cpp, gen_nn.cpp, gen_tensor.cpp, gen_index.cpp,
// gen_sequence_model.cpp).
void AddElementwiseGenerators(std::vector<OpGenerator>* table);
void AddNnGenerators(std::vector<OpGenerator>* table);
void AddTensorGenerators(std::vector<OpGenerator>* table);
void AddIndexGenerators(std::vector<OpGenerator>* table);
void AddSequenceModelGenerators(std::vector<OpGenerator>* table);
const std::vector<OpGenerator>& Generators();  // A-Z
const OpGenerator* FindGenerator(std::string_view op);

// A random graph of 2-4 float nodes (elementwise, activations, Softmax, MatMul...). When `focus`
// names graph operators, one of its nodes is one of them.
ModelSpec RandomGraph(Rng& rng, const std::vector<std::string>& focus);
// Operators random graphs use.
const std::vector<std::string>& GraphOperators();

inline const std::vector<ElemType> kFloatTypes = {ElemType::kFloat, ElemType::kDouble};
inline const std::vector<ElemType> kNumericTypes = {ElemType::kFloat, ElemType::kDouble,
                                                    ElemType::kInt32, ElemType::kInt64};

}  // namespace zooci::difftest_internal
