#!/usr/bin/python3
"""Recomputes the expected outputs of `zooci difftest` cases with numpy, independently of ZooCI's
reference interpreter (the oracle that wrote them), for the single-node cases of the operators
`compute` knows (elementwise arithmetic and comparisons, Softmax, Concat, CumSum, Cast, Gemm, Pad,
Split, Slice, ArgMax/ArgMin, InstanceNormalization, Expand, a few activations, ReduceLogSumExp,
MaxPool/AveragePool, Conv, ConvTranspose, Resize in nearest and linear modes, Quantize- and
DequantizeLinear, LSTM, Gather, Dropout), written from
ONNX's operator documentation (opset 17) with numpy. A case whose recomputed output differs from
its output_N.pb is an oracle problem to look at, not a runtime bug.

    zooci difftest --seed 17 --out /tmp/found ...
    /usr/bin/python3 tools/difftest_crosscheck.py /tmp/found/cases

Prints one line per case (OK, DIFFERS or SKIP with the reason) and a summary; exit 1 when a case
differs.
"""
import glob
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def window(spatial, a, kernel=None):
    """Output size and leading pads per spatial dim, as ONNX's doc and shape inference give them
    (ceil_mode applies to explicit and VALID padding, as libonnx's inference applies it)."""
    dims = len(spatial)
    kernel = list(a.get("kernel_shape", kernel))
    strides = list(a.get("strides", [1] * dims))
    dilations = list(a.get("dilations", [1] * dims))
    pads = list(a.get("pads", [0] * 2 * dims))
    auto_pad = a.get("auto_pad", b"NOTSET").decode()
    ceil_mode = a.get("ceil_mode", 0)
    out, begin, end = [], [], []
    for d in range(dims):
        dilated = (kernel[d] - 1) * dilations[d] + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            size = -(-spatial[d] // strides[d])
            total = max(0, (size - 1) * strides[d] + dilated - spatial[d])
            first = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
            out.append(size)
            begin.append(first)
            end.append(total - first)
            continue
        if auto_pad == "VALID":
            pads[d] = pads[d + dims] = 0
        span = spatial[d] + pads[d] + pads[d + dims] - dilated
        out.append((-(-span // strides[d]) if ceil_mode else span // strides[d]) + 1)
        begin.append(pads[d])
        end.append(pads[d + dims])
    return out, begin, end, kernel, strides, dilations


def pool(x, a, op):
    out, begin, end, kernel, strides, dilations = window(list(x.shape[2:]), a)
    y = np.zeros(x.shape[:2] + tuple(out), dtype=np.float64)
    for position in np.ndindex(*out):
        values, padded = [], 0
        for offset in np.ndindex(*kernel):
            at = [position[d] * strides[d] - begin[d] + offset[d] * dilations[d]
                  for d in range(len(out))]
            if all(-begin[d] <= at[d] < x.shape[2 + d] + end[d] for d in range(len(out))):
                padded += 1
            if all(0 <= at[d] < x.shape[2 + d] for d in range(len(out))):
                values.append(x[(slice(None), slice(None)) + tuple(at)].astype(np.float64))
        index = (slice(None), slice(None)) + position
        if op == "MaxPool":
            y[index] = np.max(values, axis=0) if values else -np.inf
        else:
            count = padded if a.get("count_include_pad", 0) else len(values)
            y[index] = np.sum(values, axis=0) / count if values else 0
    return y


def conv(x, w, b, a):
    out, begin, _, kernel, strides, dilations = window(list(x.shape[2:]), a, w.shape[2:])
    group = a.get("group", 1)
    per_group = w.shape[0] // group
    y = np.zeros((x.shape[0], w.shape[0]) + tuple(out), dtype=np.float64)
    for position in np.ndindex(*out):
        for offset in np.ndindex(*kernel):
            at = [position[d] * strides[d] - begin[d] + offset[d] * dilations[d]
                  for d in range(len(out))]
            if not all(0 <= at[d] < x.shape[2 + d] for d in range(len(out))):
                continue
            for m in range(w.shape[0]):
                channels = slice((m // per_group) * w.shape[1], (m // per_group + 1) * w.shape[1])
                x_at = x[(slice(None), channels) + tuple(at)].astype(np.float64)
                y[(slice(None), m) + position] += x_at @ w[(m, slice(None)) + offset]
    if b is not None:
        y += b.reshape((1, -1) + (1,) * len(out))
    return y


def conv_transpose(x, w, b, a):
    """ConvTranspose with explicit pads (no output_shape, auto_pad NOTSET), groups, strides,
    dilations and output_padding: every input element scatters its kernel into the output."""
    if "output_shape" in a or a.get("auto_pad", b"NOTSET") != b"NOTSET":
        return None
    dims = x.ndim - 2
    kernel = list(a.get("kernel_shape", w.shape[2:]))
    strides = list(a.get("strides", [1] * dims))
    dilations = list(a.get("dilations", [1] * dims))
    pads = list(a.get("pads", [0] * 2 * dims))
    extra = list(a.get("output_padding", [0] * dims))
    group = a.get("group", 1)
    per_group_in = x.shape[1] // group
    out_channels = w.shape[1] * group
    full = [(x.shape[2 + d] - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 + extra[d]
            for d in range(dims)]
    y = np.zeros((x.shape[0], out_channels) + tuple(full), dtype=np.float64)
    for position in np.ndindex(*x.shape[2:]):
        for offset in np.ndindex(*kernel):
            at = tuple(position[d] * strides[d] + offset[d] * dilations[d] for d in range(dims))
            for c in range(x.shape[1]):
                g = c // per_group_in
                channels = slice(g * w.shape[1], (g + 1) * w.shape[1])
                y[(slice(None), channels) + at] += np.outer(
                    x[(slice(None), c) + position], w[(c, slice(None)) + offset])
    crop = tuple(slice(pads[d], full[d] - pads[d + dims]) for d in range(dims))
    y = y[(slice(None), slice(None)) + crop]
    if b is not None:
        y += b.reshape((1, -1) + (1,) * dims)
    return y


def resize(x, a, scales, sizes):
    """Resize-13 (and 11) in nearest and linear modes, one axis at a time (both separable);
    None for cubic and tf_crop_and_resize."""
    mode = a.get("mode", b"nearest").decode()
    transform = a.get("coordinate_transformation_mode", b"half_pixel").decode()
    nearest = a.get("nearest_mode", b"round_prefer_floor").decode()
    if mode not in ("nearest", "linear") or transform == "tf_crop_and_resize":
        return None
    if sizes is not None and sizes.size:
        out_sizes = [int(v) for v in sizes]
        scales = [out_sizes[d] / x.shape[d] for d in range(x.ndim)]
    else:
        scales = [float(v) for v in scales]
        out_sizes = [int(np.floor(x.shape[d] * scales[d])) for d in range(x.ndim)]
    y = x.astype(np.float64)
    for axis in range(x.ndim):
        length, out, scale = x.shape[axis], out_sizes[axis], scales[axis]
        if out == length and scale == 1:
            continue
        at = np.arange(out, dtype=np.float64)
        if transform == "half_pixel":
            original = (at + 0.5) / scale - 0.5
        elif transform == "pytorch_half_pixel":
            original = (at + 0.5) / scale - 0.5 if out > 1 else np.zeros(out)
        elif transform == "align_corners":
            original = at * (length - 1) / (out - 1) if out > 1 else np.zeros(out)
        elif transform == "asymmetric":
            original = at / scale
        else:
            return None
        if mode == "nearest":
            if nearest == "round_prefer_floor":
                index = np.where(original % 1 == 0.5, np.floor(original), np.round(original))
            elif nearest == "round_prefer_ceil":
                index = np.where(original % 1 == 0.5, np.ceil(original), np.round(original))
            else:
                index = np.floor(original) if nearest == "floor" else np.ceil(original)
            index = np.clip(index, 0, length - 1).astype(np.int64)
            y = np.take(y, index, axis=axis)
        else:
            low = np.floor(original)
            weight = original - low
            low = low.astype(np.int64)
            below = np.take(y, np.clip(low, 0, length - 1), axis=axis)
            above = np.take(y, np.clip(low + 1, 0, length - 1), axis=axis)
            shape = [1] * y.ndim
            shape[axis] = out
            weight = weight.reshape(shape)
            y = below * (1 - weight) + above * weight
    return y


def lstm(a, x, w, r, b, h0, c0, p):
    """LSTM-14 with the default activations (sigmoid, tanh, tanh), no clip and no sequence_lens:
    gates in the order i, o, f, c of W, R and B; peepholes P in the order i, o, f."""
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    hidden = a["hidden_size"]
    direction = a.get("direction", b"forward").decode()
    layout = a.get("layout", 0)
    if layout == 1:  # batch first: [batch, seq, ...] and states [batch, directions, hidden]
        x = x.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    steps, batch, _ = x.shape
    directions = w.shape[0]
    y = np.zeros((steps, directions, batch, hidden))
    y_h = np.zeros((directions, batch, hidden))
    y_c = np.zeros((directions, batch, hidden))
    for d in range(directions):
        backwards = direction == "reverse" or (direction == "bidirectional" and d == 1)
        h = np.zeros((batch, hidden)) if h0 is None else h0[d].astype(np.float64)
        c = np.zeros((batch, hidden)) if c0 is None else c0[d].astype(np.float64)
        bias = np.zeros(4 * hidden) if b is None else b[d][:4 * hidden] + b[d][4 * hidden:]
        peep = np.zeros(3 * hidden) if p is None else p[d].astype(np.float64)
        p_i, p_o, p_f = peep[:hidden], peep[hidden:2 * hidden], peep[2 * hidden:]
        for t in (range(steps - 1, -1, -1) if backwards else range(steps)):
            g = x[t] @ w[d].T.astype(np.float64) + h @ r[d].T.astype(np.float64) + bias
            i = sigmoid(g[:, :hidden] + p_i * c)
            f = sigmoid(g[:, 2 * hidden:3 * hidden] + p_f * c)
            c = f * c + i * np.tanh(g[:, 3 * hidden:])
            o = sigmoid(g[:, hidden:2 * hidden] + p_o * c)
            h = o * np.tanh(c)
            y[t, d] = h
        y_h[d], y_c[d] = h, c
    if layout == 1:
        y, y_h, y_c = y.transpose(2, 0, 1, 3), y_h.transpose(1, 0, 2), y_c.transpose(1, 0, 2)
    return [y, y_h, y_c]


def per_axis(value, x, axis):
    """A scale or zero point broadcast along `axis` of x (a scalar as it is)."""
    if value.ndim == 0 or value.size == 1 and x.ndim == 0:
        return value
    shape = [1] * x.ndim
    shape[axis % x.ndim] = value.size
    return value.reshape(shape)


def compute(node, inputs, opset):
    a = attrs(node)
    x = inputs[0] if inputs else None
    op = node.op_type
    if op in ("Softmax", "LogSoftmax"):
        axis = a.get("axis", -1)
        y = softmax(x.astype(np.float64), axis)
        return [np.log(y) if op == "LogSoftmax" else y]
    if op in ("Add", "Sub", "Mul", "Div", "Sum", "Max", "Min"):
        f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Sum": np.add,
             "Max": np.maximum, "Min": np.minimum}.get(op)
        if op == "Div":
            if np.issubdtype(x.dtype, np.integer):
                return [(np.trunc(x.astype(np.float64) / inputs[1])).astype(x.dtype)]
            return [x / inputs[1]]
        y = inputs[0]
        for other in inputs[1:]:
            y = f(y, other)
        return [y]
    if op in ("Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"):
        f = {"Equal": np.equal, "Greater": np.greater, "Less": np.less,
             "GreaterOrEqual": np.greater_equal, "LessOrEqual": np.less_equal}[op]
        return [f(inputs[0], inputs[1])]
    if op == "Concat":
        return [np.concatenate(inputs, axis=a["axis"])]
    if op == "CumSum":
        axis = int(inputs[1])
        y = np.flip(x, axis) if a.get("reverse", 0) else x
        c = np.cumsum(y, axis=axis)
        if a.get("exclusive", 0):
            c = c - y
        return [np.flip(c, axis) if a.get("reverse", 0) else c]
    if op == "Cast":
        target = helper.tensor_dtype_to_np_dtype(a["to"]) if hasattr(helper, "tensor_dtype_to_np_dtype") \
            else onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]
        return [x.astype(target)]  # numpy truncates floats towards zero
    if op == "Gemm":
        A = x.T if a.get("transA", 0) else x
        B = inputs[1].T if a.get("transB", 0) else inputs[1]
        y = a.get("alpha", 1.0) * (A.astype(np.float64) @ B)
        if len(inputs) > 2:
            y = y + a.get("beta", 1.0) * inputs[2]
        return [y]
    if op == "Pad":
        mode = a.get("mode", b"constant").decode()
        pads = inputs[1]
        rank = x.ndim
        width = [(int(pads[i]), int(pads[i + rank])) for i in range(rank)]
        if mode == "constant":
            value = inputs[2].item() if len(inputs) > 2 else 0
            return [np.pad(x, width, mode="constant", constant_values=value)]
        return [np.pad(x, width, mode={"reflect": "reflect", "edge": "edge"}[mode])]
    if op == "Split":
        axis = a.get("axis", 0)
        split = inputs[1] if len(inputs) > 1 else None
        if split is None:
            count = len(node.output)
            return np.split(x, count, axis=axis)
        return np.split(x, np.cumsum(split)[:-1], axis=axis)
    if op == "Slice":
        starts, ends, axes, steps = inputs[1], inputs[2], inputs[3], inputs[4]
        index = [slice(None)] * x.ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            dim = x.shape[ax]
            s = int(s) + dim if s < 0 else int(s)
            e = int(e) + dim if e < 0 else int(e)
            if st > 0:
                s, e = min(max(s, 0), dim), min(max(e, 0), dim)
            else:
                s, e = min(max(s, -1), dim - 1), min(max(e, -1), dim - 1)
                e = None if e < 0 else e
            index[ax] = slice(s, e, int(st))
        return [x[tuple(index)]]
    if op in ("ArgMax", "ArgMin"):
        axis = a.get("axis", 0)
        keep = a.get("keepdims", 1)
        f = np.argmax if op == "ArgMax" else np.argmin
        if a.get("select_last_index", 0):
            flipped = np.flip(x, axis)
            y = x.shape[axis] - 1 - f(flipped, axis=axis)
        else:
            y = f(x, axis=axis)
        y = y.astype(np.int64)
        return [np.expand_dims(y, axis) if keep else y]
    if op == "InstanceNormalization":
        eps = a.get("epsilon", 1e-5)
        axes = tuple(range(2, x.ndim))
        mean = x.astype(np.float64).mean(axis=axes, keepdims=True)
        var = x.astype(np.float64).var(axis=axes, keepdims=True)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        return [(x - mean) / np.sqrt(var + eps) * inputs[1].reshape(shape) + inputs[2].reshape(shape)]
    if op in ("MaxPool", "AveragePool"):
        return [pool(x, a, op)]
    if op == "Conv":
        return [conv(x, inputs[1], inputs[2] if len(inputs) > 2 else None, a)]
    if op == "ConvTranspose":
        y = conv_transpose(x, inputs[1], inputs[2] if len(inputs) > 2 else None, a)
        return None if y is None else [y]
    if op == "Resize":
        named = dict(zip([n for n in node.input if n], inputs))
        inputs_by_slot = [named.get(n) if n else None for n in node.input] + [None] * 4
        y = resize(x, a, inputs_by_slot[2], inputs_by_slot[3])
        return None if y is None else [y.astype(x.dtype)]
    if op == "Dropout":  # inference (training_mode absent or false): the identity, mask all true
        if len(inputs) > 2 and bool(np.asarray(inputs[2]).item()):
            return None
        return [x, np.ones(x.shape, dtype=bool)]
    if op == "Gather":
        return [np.take(x, inputs[1].astype(np.int64), axis=a.get("axis", 0))]
    if op == "Expand":
        return [x * np.ones(tuple(int(d) for d in inputs[1]), dtype=x.dtype)]
    if op == "HardSwish":
        return [x * np.clip(x / 6 + 0.5, 0, 1)]
    if op == "HardSigmoid":
        return [np.clip(a.get("alpha", 0.2) * x + a.get("beta", 0.5), 0, 1)]
    if op == "Elu":
        alpha = a.get("alpha", 1.0)
        return [np.where(x < 0, alpha * (np.exp(x) - 1), x)]
    if op == "ReduceLogSumExp":
        axes = tuple(a["axes"]) if "axes" in a else None
        return [np.log(np.exp(x).sum(axis=axes, keepdims=bool(a.get("keepdims", 1))))]
    if op in ("QuantizeLinear", "DequantizeLinear"):
        axis = a.get("axis", 1)
        scale = per_axis(inputs[1].astype(np.float64), x, axis)
        zero_dtype = inputs[2].dtype if len(inputs) > 2 else np.uint8
        zero = per_axis(inputs[2].astype(np.float64), x, axis) if len(inputs) > 2 else 0.0
        if op == "DequantizeLinear":
            return [((x.astype(np.float64) - zero) * scale).astype(np.float32)]
        info = np.iinfo(zero_dtype)  # round half to even, then saturate
        q = np.clip(np.rint(x.astype(np.float64) / scale) + zero, info.min, info.max)
        return [q.astype(zero_dtype)]
    if op == "LSTM":
        named = dict(zip([n for n in node.input if n], inputs))
        slot = [named.get(n) if n else None for n in node.input] + [None] * 8
        if slot[4] is not None or a.get("clip") is not None or "activations" in a:
            return None
        return lstm(a, x.astype(np.float64), slot[1], slot[2], slot[3], slot[5], slot[6], slot[7])
    return None


def main(root):
    differs = checked = 0
    for model_path in sorted(glob.glob(os.path.join(root, "*", "model.onnx"))):
        case = os.path.dirname(model_path)
        model = onnx.load(model_path)
        opset = model.opset_import[0].version
        graph = model.graph
        name = os.path.basename(case)
        if len(graph.node) != 1:
            print("SKIP", name, "(%d nodes)" % len(graph.node))
            continue
        values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        data = os.path.join(case, "test_data_set_0")
        for index, value in enumerate(graph.input):
            tensor = onnx.TensorProto()
            tensor.ParseFromString(open(os.path.join(data, "input_%d.pb" % index), "rb").read())
            values[value.name] = numpy_helper.to_array(tensor)
        node = graph.node[0]
        inputs = [values[n] for n in node.input if n]
        outputs = compute(node, inputs, opset)
        if outputs is None:
            print("SKIP", name, "(no numpy formula for %s)" % node.op_type)
            continue
        # The case's output files follow the graph's outputs: a trailing optional output the node
        # does not name (an LSTM's Y_c, say) has none, nor one left out of the graph.
        by_name = dict(zip(node.output, outputs[:len(node.output)]))
        outputs = [by_name[value.name] for value in graph.output if value.name in by_name]
        checked += 1
        problems = []
        for index, got in enumerate(outputs):
            tensor = onnx.TensorProto()
            tensor.ParseFromString(open(os.path.join(data, "output_%d.pb" % index), "rb").read())
            expected = numpy_helper.to_array(tensor)
            got = np.asarray(got)
            if got.shape != expected.shape:
                problems.append("output %d shape %s, case has %s" % (index, got.shape, expected.shape))
            elif not np.allclose(got.astype(np.float64), expected.astype(np.float64), rtol=1e-5,
                                 atol=1e-6, equal_nan=True):
                problems.append("output %d values differ" % index)
        if problems:
            differs += 1
            print("DIFFERS", name, "; ".join(problems))
        else:
            print("OK", name)
    print("%d cases recomputed with numpy, %d differ from the oracle's outputs" % (checked, differs))
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
