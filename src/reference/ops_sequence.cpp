// Sequences and optionals: SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceAt,
// SequenceErase, SequenceLength, SplitToSequence, ConcatFromSequence; Optional,
// OptionalHasElement, OptionalGetElement.
#include <algorithm>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

Result<const Item*> SequenceInput(const OpContext& ctx, size_t index) {
  if (ctx.item(index).kind != ValueKind::kSequence)
    return Error("input " + std::to_string(index) + " is not a sequence");
  return &ctx.item(index);
}

// A position in a sequence of `length` elements: negative counts from the end; `allow_end`
// accepts `length` itself (an insertion at the end).
Result<size_t> Position(const Array& position, size_t length, bool allow_end) {
  int64_t pos = ToInt(position.values.at(0));
  const auto size = static_cast<int64_t>(length);
  if (pos < 0) pos += size;
  if (pos < 0 || pos > size || (pos == size && !allow_end))
    return Error("position " + std::to_string(ToInt(position.values.at(0))) +
                 " out of range for a sequence of " + std::to_string(length));
  return static_cast<size_t>(pos);
}

// SequenceEmpty-11: an empty sequence of tensors of `dtype` (default float).
Result<Outputs> SequenceEmpty(const OpContext& ctx) {
  const auto type = static_cast<ElemType>(ctx.Int("dtype", static_cast<int64_t>(ElemType::kFloat)));
  return Outputs{Item::Sequence({}, type)};
}

// SequenceConstruct-11: the inputs, in order, as a sequence.
Result<Outputs> SequenceConstruct(const OpContext& ctx) {
  std::vector<Item> elements;
  for (size_t input_idx = 0; input_idx < ctx.input_count(); ++input_idx)
    elements.push_back(ctx.item(input_idx));
  const ElemType type = elements.empty() ? ElemType::kUndefined : elements[0].array.type;
  return Outputs{Item::Sequence(std::move(elements), type)};
}

// SequenceInsert-11: the sequence with the tensor inserted at `position` (default: the end).
Result<Outputs> SequenceInsert(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(const Item* sequence, SequenceInput(ctx, 0));
  Item result = *sequence;
  size_t pos = result.elements.size();
  if (ctx.has_input(2)) {
    ZC_ASSIGN_OR_RETURN(pos, Position(ctx.input(2), result.elements.size(), true));
  }
  result.elements.insert(result.elements.begin() + static_cast<int64_t>(pos), ctx.item(1));
  result.elem_type = ctx.input(1).type;
  return Outputs{std::move(result)};
}

// SequenceAt-11: the tensor at `position`.
Result<Outputs> SequenceAt(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(const Item* sequence, SequenceInput(ctx, 0));
  ZC_ASSIGN_OR_RETURN(size_t pos, Position(ctx.input(1), sequence->elements.size(), false));
  return Outputs{sequence->elements[pos]};
}

// SequenceErase-11: the sequence without the element at `position` (default: the last).
Result<Outputs> SequenceErase(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(const Item* sequence, SequenceInput(ctx, 0));
  Item result = *sequence;
  if (result.elements.empty()) return Error("erase from an empty sequence");
  size_t pos = result.elements.size() - 1;
  if (ctx.has_input(1)) {
    ZC_ASSIGN_OR_RETURN(pos, Position(ctx.input(1), result.elements.size(), false));
  }
  result.elements.erase(result.elements.begin() + static_cast<int64_t>(pos));
  return Outputs{std::move(result)};
}

// SequenceLength-11: the element count, as an int64 scalar.
Result<Outputs> SequenceLength(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(const Item* sequence, SequenceInput(ctx, 0));
  return Outputs{Scalar(ElemType::kInt64, static_cast<double>(sequence->elements.size()))};
}

// The slice [begin, begin + length) of x along `axis`.
Array SliceAlong(const Array& x, int64_t axis, int64_t begin, int64_t length) {
  Shape shape = x.shape;
  shape[axis] = length;
  const int64_t inner = ShapeSize(Shape(x.shape.begin() + axis + 1, x.shape.end()));
  const int64_t outer = ShapeSize(Shape(x.shape.begin(), x.shape.begin() + axis));
  std::vector<int64_t> sources;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t pos = begin; pos < begin + length; ++pos)
      for (int64_t i = 0; i < inner; ++i) sources.push_back((o * x.shape[axis] + pos) * inner + i);
  return Take(x, sources, shape);
}

// SplitToSequence-11: pieces of the input along `axis` (default 0) as a sequence: of the
// lengths in `split` (1-D), of `split` elements each (a scalar; the last may be shorter), or of
// one element each with the axis removed unless keepdims=1 (default) when split is absent.
Result<Outputs> SplitToSequence(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 0), x.rank()));
  const int64_t dim = x.shape[axis];
  std::vector<int64_t> lengths;
  bool squeeze = false;
  if (!ctx.has_input(1)) {
    lengths.assign(static_cast<size_t>(dim), 1);
    squeeze = ctx.Int("keepdims", 1) == 0;
  } else if (ctx.input(1).rank() == 0) {
    const int64_t chunk = ToInt(ctx.input(1).values[0]);
    if (chunk <= 0) return Error("split must be positive");
    for (int64_t begin = 0; begin < dim; begin += chunk)
      lengths.push_back(std::min(chunk, dim - begin));
  } else {
    lengths = ToInts(ctx.input(1));
  }
  std::vector<Item> pieces;
  int64_t begin = 0;
  for (int64_t length : lengths) {
    if (length < 0 || begin + length > dim)
      return Error("split lengths exceed dim " + std::to_string(dim));
    Array piece = SliceAlong(x, axis, begin, length);
    if (squeeze) piece.shape.erase(piece.shape.begin() + axis);
    pieces.push_back(std::move(piece));
    begin += length;
  }
  if (begin != dim) return Error("split lengths do not add up to dim " + std::to_string(dim));
  return Outputs{Item::Sequence(std::move(pieces), x.type)};
}

// ConcatFromSequence-11: the sequence's tensors joined along `axis`, or stacked along a new
// axis with new_axis=1.
Result<Outputs> ConcatFromSequence(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(const Item* sequence, SequenceInput(ctx, 0));
  if (sequence->elements.empty()) return Error("the sequence is empty");
  const bool new_axis = ctx.Int("new_axis", 0) != 0;
  const Array& first = sequence->elements[0].array;
  const int64_t rank = first.rank() + (new_axis ? 1 : 0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 0), rank));
  std::vector<Array> parts;
  for (const Item& element : sequence->elements) {
    Array part = element.array;
    if (new_axis) part.shape.insert(part.shape.begin() + axis, 1);
    parts.push_back(std::move(part));
  }
  Shape shape = parts[0].shape;
  shape[axis] = 0;
  for (const Array& part : parts) {
    if (part.rank() != rank) return Error("sequence elements differ in rank");
    shape[axis] += part.shape[axis];
  }
  const int64_t outer = ShapeSize(Shape(shape.begin(), shape.begin() + axis));
  Array y = MakeArray(first.type, shape);
  y.values.clear();
  y.strings.clear();
  for (int64_t block = 0; block < outer; ++block)
    for (const Array& part : parts) {
      const int64_t chunk = outer == 0 ? 0 : part.size() / outer;
      if (part.is_string()) {
        y.strings.insert(y.strings.end(), part.strings.begin() + block * chunk,
                         part.strings.begin() + (block + 1) * chunk);
      } else {
        y.values.insert(y.values.end(), part.values.begin() + block * chunk,
                        part.values.begin() + (block + 1) * chunk);
      }
    }
  return Outputs{std::move(y)};
}

// Optional-15: an optional holding the input, or an empty one (of the `type` attribute).
Result<Outputs> Optional(const OpContext& ctx) {
  if (ctx.has_input(0)) return Outputs{Item::Optional(ctx.item(0))};
  Item empty = Item::Optional(std::nullopt);
  const onnx::AttributeProto* type = ctx.FindAttr("type");
  if (type && type->tp().has_sequence_type()) empty.declared_elem_kind = 3;
  return Outputs{std::move(empty)};
}

// OptionalHasElement-15: whether the optional holds a value (a bool scalar); an absent input
// counts as empty.
Result<Outputs> OptionalHasElement(const OpContext& ctx) {
  bool has = false;
  if (ctx.has_input(0)) {
    const Item& input = ctx.item(0);
    has = input.kind != ValueKind::kOptional || !input.elements.empty();
  }
  return Outputs{Scalar(ElemType::kBool, has ? 1.0 : 0.0)};
}

// OptionalGetElement-15: the value the optional holds (an error when empty).
Result<Outputs> OptionalGetElement(const OpContext& ctx) {
  const Item& input = ctx.item(0);
  if (input.kind != ValueKind::kOptional) return Outputs{input};
  if (input.elements.empty()) return Error("the optional is empty");
  return Outputs{input.elements[0]};
}

}  // namespace

void RegisterSequenceOps(OpTable& table) {
  table.Add("SequenceEmpty", {11}, SequenceEmpty, 0);
  table.Add("SequenceConstruct", {11}, SequenceConstruct);
  table.Add("SequenceInsert", {11}, SequenceInsert, 2);
  table.Add("SequenceAt", {11}, SequenceAt, 2);
  table.Add("SequenceErase", {11}, SequenceErase);
  table.Add("SequenceLength", {11}, SequenceLength);
  table.Add("SplitToSequence", {11}, SplitToSequence);
  table.Add("ConcatFromSequence", {11}, ConcatFromSequence);
  table.Add("Optional", {15}, Optional, 0);
  table.Add("OptionalHasElement", {15}, OptionalHasElement, 0);
  table.Add("OptionalGetElement", {15}, OptionalGetElement);
}

}  // namespace zooci::reference
