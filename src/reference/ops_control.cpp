// Control flow with subgraphs: If, Loop, Scan, SequenceMap. A subgraph runs in a scope inside
// its node's scope, so it reads the enclosing graph's values by name.
#include <algorithm>
#include <cstdint>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// Stacks equally shaped tensors along a new axis 0 (Loop's scan outputs), or along `axis`.
Result<Array> Stack(const std::vector<Array>& slices, int64_t axis) {
  if (slices.empty()) return MakeArray(ElemType::kFloat, {0});
  const Array& first = slices[0];
  Shape shape = first.shape;
  shape.insert(shape.begin() + axis, static_cast<int64_t>(slices.size()));
  const int64_t inner = ShapeSize(Shape(first.shape.begin() + axis, first.shape.end()));
  const int64_t outer = ShapeSize(Shape(first.shape.begin(), first.shape.begin() + axis));
  Array y = MakeArray(first.type, shape);
  for (size_t slice_idx = 0; slice_idx < slices.size(); ++slice_idx) {
    const Array& slice = slices[slice_idx];
    if (slice.shape != first.shape)
      return Error("iterations produced " + Describe(first) + " and " + Describe(slice));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t target =
            (o * static_cast<int64_t>(slices.size()) + static_cast<int64_t>(slice_idx)) * inner + i;
        if (y.is_string()) {
          y.strings[target] = slice.strings[o * inner + i];
        } else {
          y.values[target] = slice.values[o * inner + i];
        }
      }
  }
  return y;
}

// If-1, 11, 13 (sequences), 16 (optionals): the outputs of then_branch when cond is true,
// else those of else_branch.
Result<Outputs> If(const OpContext& ctx) {
  const bool condition = ctx.input(0).values.at(0) != 0;
  const onnx::GraphProto* branch = ctx.GraphAttr(condition ? "then_branch" : "else_branch");
  if (!branch) return Error(std::string(condition ? "then_branch" : "else_branch") + " missing");
  return ctx.RunSubgraph(*branch, {});
}

// Loop-1, 11, 13 (sequences), 16 (optionals). Inputs: M (trip count, optional), cond (optional),
// then the initial loop-carried values. The body takes (iteration, cond, carried...) and returns
// (cond, carried..., scan outputs...). The loop runs while i < M and cond; outputs are the final
// carried values, then each scan output's per-iteration values stacked along a new axis 0.
Result<Outputs> Loop(const OpContext& ctx) {
  const onnx::GraphProto* body = ctx.GraphAttr("body");
  if (!body) return Error("body missing");
  const int64_t max_trips = ctx.has_input(0) ? ToInt(ctx.input(0).values.at(0)) : INT64_MAX;
  bool condition = ctx.has_input(1) ? ctx.input(1).values.at(0) != 0 : true;
  std::vector<Item> carried;
  for (size_t input_idx = 2; input_idx < ctx.input_count(); ++input_idx)
    carried.push_back(ctx.item(input_idx));
  const size_t scan_count = static_cast<size_t>(body->output_size()) - 1 - carried.size();
  std::vector<std::vector<Array>> scanned(scan_count);
  for (int64_t trip = 0; trip < max_trips && condition; ++trip) {
    std::vector<Item> inputs = {Scalar(ElemType::kInt64, static_cast<double>(trip)),
                                Scalar(ElemType::kBool, condition ? 1.0 : 0.0)};
    inputs.insert(inputs.end(), carried.begin(), carried.end());
    ZC_ASSIGN_OR_RETURN(
        Outputs outputs,
        ctx.RunSubgraph(*body, std::move(inputs)).WithContext("iteration " + std::to_string(trip)));
    condition = outputs[0].array.values.at(0) != 0;
    for (size_t carried_idx = 0; carried_idx < carried.size(); ++carried_idx)
      carried[carried_idx] = std::move(outputs[1 + carried_idx]);
    for (size_t scan_idx = 0; scan_idx < scan_count; ++scan_idx)
      scanned[scan_idx].push_back(std::move(outputs[1 + carried.size() + scan_idx].array));
  }
  Outputs results = std::move(carried);
  for (const std::vector<Array>& slices : scanned) {
    ZC_ASSIGN_OR_RETURN(Array stacked, Stack(slices, 0));
    results.push_back(std::move(stacked));
  }
  return results;
}

// How a Scan iterates: per scan input, its axis and direction (1: backwards); per scan output,
// the axis it is stacked along and its direction.
struct ScanPlan {
  std::vector<int64_t> in_axes, in_directions, out_axes, out_directions;
};

// Runs a Scan body over `scan_inputs` with `states` carried from step to step; returns the final
// states, then the stacked scan outputs.
Result<Outputs> RunScan(const OpContext& ctx, const onnx::GraphProto& body,
                        std::vector<Item> states, const std::vector<Array>& scan_inputs,
                        const ScanPlan& plan) {
  const size_t state_count = states.size();
  const auto scan_outputs = static_cast<size_t>(body.output_size()) - state_count;
  int64_t steps = -1;
  std::vector<int64_t> axes;
  for (size_t idx = 0; idx < scan_inputs.size(); ++idx) {
    const Array& input = scan_inputs[idx];
    ZC_ASSIGN_OR_RETURN(
        int64_t axis,
        NormalizeAxis(idx < plan.in_axes.size() ? plan.in_axes[idx] : 0, input.rank()));
    axes.push_back(axis);
    if (steps >= 0 && input.shape[axis] != steps) return Error("scan inputs differ in length");
    steps = input.shape[axis];
  }
  std::vector<std::vector<Array>> outputs(scan_outputs);
  for (int64_t step = 0; step < steps; ++step) {
    std::vector<Item> inputs = states;
    for (size_t idx = 0; idx < scan_inputs.size(); ++idx) {
      const Array& input = scan_inputs[idx];
      const int64_t axis = axes[idx];
      const bool backwards = idx < plan.in_directions.size() && plan.in_directions[idx] == 1;
      const int64_t pos = backwards ? steps - 1 - step : step;
      const int64_t inner = ShapeSize(Shape(input.shape.begin() + axis + 1, input.shape.end()));
      const int64_t outer = ShapeSize(Shape(input.shape.begin(), input.shape.begin() + axis));
      Shape slice_shape = input.shape;
      slice_shape.erase(slice_shape.begin() + axis);
      std::vector<int64_t> sources;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) sources.push_back((o * steps + pos) * inner + i);
      inputs.push_back(Take(input, sources, slice_shape));
    }
    ZC_ASSIGN_OR_RETURN(
        Outputs results,
        ctx.RunSubgraph(body, std::move(inputs)).WithContext("iteration " + std::to_string(step)));
    for (size_t idx = 0; idx < state_count; ++idx) states[idx] = std::move(results[idx]);
    for (size_t idx = 0; idx < scan_outputs; ++idx)
      outputs[idx].push_back(std::move(results[state_count + idx].array));
  }
  Outputs results = std::move(states);
  for (size_t idx = 0; idx < scan_outputs; ++idx) {
    if (idx < plan.out_directions.size() && plan.out_directions[idx] == 1)
      std::reverse(outputs[idx].begin(), outputs[idx].end());
    const int64_t slice_rank = outputs[idx].empty() ? 0 : outputs[idx][0].rank();
    ZC_ASSIGN_OR_RETURN(
        int64_t axis,
        NormalizeAxis(idx < plan.out_axes.size() ? plan.out_axes[idx] : 0, slice_rank + 1));
    ZC_ASSIGN_OR_RETURN(Array stacked, Stack(outputs[idx], axis));
    results.push_back(std::move(stacked));
  }
  return results;
}

// Scan-9, 11 (negative axes), 16. Inputs: N initial states, then the scan inputs
// (num_scan_inputs of them), each iterated along its scan_input_axes entry (default 0), backwards
// when its scan_input_directions entry is 1. The body takes (states..., one slice of each scan
// input) and returns (states..., scan output slices...); the outputs are the final states, then
// the scan output slices stacked along scan_output_axes (reversed for scan_output_directions 1).
// Scan-8: the same, with a leading batch dim on every input and output, scanned along axis 1
// (`directions` for the inputs), and a first input sequence_lens that must be absent or full.
Result<Outputs> Scan(const OpContext& ctx) {
  const onnx::GraphProto* body = ctx.GraphAttr("body");
  if (!body) return Error("body missing");
  const auto scan_count = static_cast<size_t>(ctx.Int("num_scan_inputs", 0));
  const size_t first = ctx.version < 9 ? 1 : 0;  // Scan-8's sequence_lens
  if (scan_count == 0 || first + scan_count > ctx.input_count())
    return Error("num_scan_inputs out of range");
  const size_t state_count = ctx.input_count() - first - scan_count;
  ScanPlan plan;
  if (ctx.version >= 9) {
    plan = {ctx.Ints("scan_input_axes"), ctx.Ints("scan_input_directions"),
            ctx.Ints("scan_output_axes"), ctx.Ints("scan_output_directions")};
    std::vector<Item> states;
    for (size_t idx = 0; idx < state_count; ++idx) states.push_back(ctx.item(idx));
    std::vector<Array> scan_inputs;
    for (size_t idx = 0; idx < scan_count; ++idx)
      scan_inputs.push_back(ctx.input(state_count + idx));
    return RunScan(ctx, *body, std::move(states), scan_inputs, plan);
  }
  plan.in_directions = ctx.Ints("directions");
  const int64_t batch = ctx.input(first).shape.at(0);
  const int64_t steps = ctx.input(first + state_count).shape.at(1);
  if (ctx.has_input(0)) {
    for (int64_t length : ToInts(ctx.input(0)))
      if (length != steps)
        return Error("sequence_lens shorter than the sequence are not supported");
  }
  // Runs each batch entry as a Scan-9 and stacks the results along a new batch axis.
  std::vector<std::vector<Array>> per_output;
  for (int64_t b = 0; b < batch; ++b) {
    auto entry = [&](const Array& input) {
      const int64_t inner = input.size() / batch;
      std::vector<int64_t> sources;
      for (int64_t i = 0; i < inner; ++i) sources.push_back(b * inner + i);
      return Take(input, sources, Shape(input.shape.begin() + 1, input.shape.end()));
    };
    std::vector<Item> states;
    for (size_t idx = 0; idx < state_count; ++idx) states.push_back(entry(ctx.input(first + idx)));
    std::vector<Array> scan_inputs;
    for (size_t idx = 0; idx < scan_count; ++idx)
      scan_inputs.push_back(entry(ctx.input(first + state_count + idx)));
    ZC_ASSIGN_OR_RETURN(Outputs results, RunScan(ctx, *body, std::move(states), scan_inputs, plan));
    per_output.resize(results.size());
    for (size_t idx = 0; idx < results.size(); ++idx)
      per_output[idx].push_back(std::move(results[idx].array));
  }
  Outputs outputs;
  for (const std::vector<Array>& entries : per_output) {
    ZC_ASSIGN_OR_RETURN(Array stacked, Stack(entries, 0));
    outputs.push_back(std::move(stacked));
  }
  return outputs;
}

// SequenceMap-17: the body applied to each element of the input sequence (and the same element
// of any further sequence inputs; tensor inputs are passed whole each time); each body output
// collected into a sequence.
Result<Outputs> SequenceMap(const OpContext& ctx) {
  const onnx::GraphProto* body = ctx.GraphAttr("body");
  if (!body) return Error("body missing");
  const Item& sequence = ctx.item(0);
  if (sequence.kind != ValueKind::kSequence) return Error("input 0 is not a sequence");
  std::vector<std::vector<Item>> collected(static_cast<size_t>(body->output_size()));
  for (size_t element = 0; element < sequence.elements.size(); ++element) {
    std::vector<Item> inputs;
    for (size_t input_idx = 0; input_idx < ctx.input_count(); ++input_idx) {
      const Item& input = ctx.item(input_idx);
      if (input.kind == ValueKind::kSequence) {
        if (element >= input.elements.size()) return Error("input sequences differ in length");
        inputs.push_back(input.elements[element]);
      } else {
        inputs.push_back(input);
      }
    }
    ZC_ASSIGN_OR_RETURN(Outputs results, ctx.RunSubgraph(*body, std::move(inputs)));
    for (size_t out_idx = 0; out_idx < results.size(); ++out_idx)
      collected[out_idx].push_back(std::move(results[out_idx]));
  }
  Outputs outputs;
  for (std::vector<Item>& items : collected) {
    const ElemType type = items.empty() ? ElemType::kUndefined : items[0].array.type;
    outputs.push_back(Item::Sequence(std::move(items), type));
  }
  return outputs;
}

}  // namespace

void RegisterControlFlowOps(OpTable& table) {
  table.Add("If", {1, 11, 13, 16}, If);
  table.Add("Loop", {1, 11, 13, 16}, Loop, 0);
  table.Add("Scan", {8, 9, 11, 16}, Scan, 0);
  table.Add("SequenceMap", {17}, SequenceMap);
}

}  // namespace zooci::reference
