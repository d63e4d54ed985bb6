// The minimiser: greedy delta reduction of a failing ModelSpec. Candidates, in order of how much
// they remove: one node alone (its inputs being the values the oracle computed for them), nodes
// dropped from the end or the start, inputs halved along an axis, optional attributes dropped.
// A candidate replaces the current spec only when the hooks say it still fails.
#include <algorithm>
#include <set>

#include "difftest/difftest.h"

namespace zooci {
namespace {

class Reducer {
 public:
  Reducer(const ModelSpec& spec, const MinimiseHooks& hooks) : hooks_(hooks) {
    result_.spec = spec;
  }

  // Takes `candidate` when it keeps the failure. False once the attempt budget is spent too.
  bool Try(const ModelSpec& candidate) {
    if (result_.attempts >= hooks_.max_attempts) return false;
    ++result_.attempts;
    if (!hooks_.still_fails(candidate)) return false;
    result_.spec = candidate;
    ++result_.accepted;
    return true;
  }
  bool Exhausted() const { return result_.attempts >= hooks_.max_attempts; }
  const ModelSpec& spec() const { return result_.spec; }
  MinimiseResult Take() { return std::move(result_); }

 private:
  const MinimiseHooks& hooks_;
  MinimiseResult result_;
};

const Tensor* FindTensor(const std::vector<Tensor>& tensors, const std::string& name) {
  for (const Tensor& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

// `nodes` of `spec` alone: what they read from elsewhere becomes a graph input fed with
// `values` (or the spec's own inputs and initializers); what no kept node reads is an output.
// Nullopt when a value is not available.
std::optional<ModelSpec> Extract(const ModelSpec& spec, const std::vector<size_t>& nodes,
                                 const std::vector<Tensor>& values) {
  ModelSpec part;
  part.opset = spec.opset;
  std::set<std::string> produced;
  for (size_t node_idx : nodes) {
    const NodeSpec& node = spec.nodes[node_idx];
    for (const std::string& input : node.inputs) {
      if (input.empty() || produced.count(input) != 0) continue;
      if (FindTensor(part.inputs, input) || FindTensor(part.initializers, input)) continue;
      if (const Tensor* initializer = FindTensor(spec.initializers, input)) {
        part.initializers.push_back(*initializer);
      } else if (const Tensor* fed = FindTensor(spec.inputs, input)) {
        part.inputs.push_back(*fed);
      } else if (const Tensor* value = FindTensor(values, input)) {
        part.inputs.push_back(*value);
      } else {
        return std::nullopt;
      }
    }
    for (const std::string& output : node.outputs) produced.insert(output);
    part.nodes.push_back(node);
  }
  for (const NodeSpec& node : part.nodes) {
    for (const std::string& output : node.outputs) {
      bool read = false;
      for (const NodeSpec& other : part.nodes) {
        read |= std::find(other.inputs.begin(), other.inputs.end(), output) != other.inputs.end();
      }
      bool was_output =
          std::find(spec.outputs.begin(), spec.outputs.end(), output) != spec.outputs.end();
      if (!read || was_output) part.outputs.push_back(output);
    }
  }
  return part;
}

// The first ceil(dim/2) entries of `tensor` along `axis`.
Tensor HalveAxis(const Tensor& tensor, size_t axis) {
  Tensor half = tensor;
  int64_t dim = tensor.shape[axis];
  int64_t kept = (dim + 1) / 2;
  half.shape[axis] = kept;
  size_t element = ElemTypeSize(tensor.elem_type);
  int64_t inner = 1;
  for (size_t dim_idx = axis + 1; dim_idx < tensor.shape.size(); ++dim_idx) {
    inner *= tensor.shape[dim_idx];
  }
  int64_t outer = 1;
  for (size_t dim_idx = 0; dim_idx < axis; ++dim_idx) outer *= tensor.shape[dim_idx];
  size_t row_bytes = static_cast<size_t>(inner) * element;
  half.data.clear();
  for (int64_t outer_idx = 0; outer_idx < outer; ++outer_idx) {
    size_t offset = static_cast<size_t>(outer_idx * dim) * row_bytes;
    half.data.append(tensor.data, offset, static_cast<size_t>(kept) * row_bytes);
  }
  return half;
}

void ReduceNodes(Reducer& reducer, const MinimiseHooks& hooks) {
  const ModelSpec& spec = reducer.spec();
  if (spec.nodes.size() <= 1) return;
  std::vector<std::string> names;
  for (const NodeSpec& node : spec.nodes) {
    for (const std::string& output : node.outputs) names.push_back(output);
  }
  std::vector<Tensor> values;
  if (hooks.evaluate) {
    auto evaluated = hooks.evaluate(spec, names);
    if (evaluated.ok()) values = std::move(*evaluated);
  }
  // One node alone, the last first (the disagreement usually shows where it is made).
  for (size_t node_idx = spec.nodes.size(); node_idx-- > 0;) {
    auto single = Extract(spec, {node_idx}, values);
    if (single && reducer.Try(*single)) return;
  }
  // Otherwise drop nodes from the end, then from the start, while the failure stays.
  bool progress = true;
  while (progress && reducer.spec().nodes.size() > 1 && !reducer.Exhausted()) {
    progress = false;
    const ModelSpec& current = reducer.spec();
    std::vector<size_t> all(current.nodes.size());
    for (size_t idx = 0; idx < all.size(); ++idx) all[idx] = idx;
    std::vector<size_t> without_last(all.begin(), all.end() - 1);
    std::vector<size_t> without_first(all.begin() + 1, all.end());
    for (const auto& keep : {without_last, without_first}) {
      auto part = Extract(current, keep, values);
      if (part && reducer.Try(*part)) {
        progress = true;
        break;
      }
    }
  }
}

void ShrinkInputs(Reducer& reducer) {
  bool progress = true;
  while (progress && !reducer.Exhausted()) {
    progress = false;
    const ModelSpec current = reducer.spec();
    // Every input's axis of the same size halved together (broadcasting operands, aligned from
    // the right), then each input alone.
    for (size_t from_right = 1; !progress && from_right <= 5; ++from_right) {
      ModelSpec candidate = current;
      bool changed = false;
      int64_t size = 0;
      for (Tensor& input : candidate.inputs) {
        if (input.shape.size() < from_right) continue;
        size_t axis = input.shape.size() - from_right;
        if (input.shape[axis] <= 1) continue;
        if (size == 0) size = input.shape[axis];
        if (input.shape[axis] != size) continue;
        input = HalveAxis(input, axis);
        changed = true;
      }
      if (changed && reducer.Try(candidate)) progress = true;
    }
    for (size_t input_idx = 0; !progress && input_idx < current.inputs.size(); ++input_idx) {
      for (size_t axis = 0; !progress && axis < current.inputs[input_idx].shape.size(); ++axis) {
        if (current.inputs[input_idx].shape[axis] <= 1) continue;
        ModelSpec candidate = current;
        candidate.inputs[input_idx] = HalveAxis(current.inputs[input_idx], axis);
        if (reducer.Try(candidate)) progress = true;
      }
    }
  }
}

void DropAttributes(Reducer& reducer) {
  for (size_t node_idx = 0; node_idx < reducer.spec().nodes.size(); ++node_idx) {
    for (size_t attr_idx = reducer.spec().nodes[node_idx].attrs.size(); attr_idx-- > 0;) {
      if (reducer.Exhausted()) return;
      ModelSpec candidate = reducer.spec();
      auto& attrs = candidate.nodes[node_idx].attrs;
      attrs.erase(attrs.begin() + static_cast<std::ptrdiff_t>(attr_idx));
      reducer.Try(candidate);
    }
  }
}

}  // namespace

MinimiseResult Minimise(const ModelSpec& spec, const MinimiseHooks& hooks) {
  Reducer reducer(spec, hooks);
  ReduceNodes(reducer, hooks);
  ShrinkInputs(reducer);
  DropAttributes(reducer);
  // Smaller attributes can let the inputs shrink further (a kernel no longer needing the size).
  ShrinkInputs(reducer);
  return reducer.Take();
}

}  // namespace zooci
