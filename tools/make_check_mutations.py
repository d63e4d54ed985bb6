#!/usr/bin/python3
"""Make the mutation corpus for `zooci check`: one broken model per rule violation.

Usage: /usr/bin/python3 tools/make_check_mutations.py --out DIR [--zooci BIN]
       /usr/bin/python3 tools/make_check_mutations.py [--out DIR] --list-markdown

With --zooci, the unmutated bases are also checked with `BIN check --profile zoo`, which must
report nothing (tests/cli/check_mutations.sh checks them too).

Every case starts from a small valid base model built with onnx.helper (Conv, Relu, Add, Concat
and Reshape with initializers; opset 13, IR 7; named nodes, producer, doc strings, metadata) and
applies exactly one mutation. A few rules cannot be reached from that model in one step, so there
are a few more base variants, each as clean as the main one: "legacy" (IR 3, opset 6,
initializers listed as graph inputs), "loop" (Relu inside a Loop body), "function" (IR 8, Relu in
a model-local function) and "external" (the Conv weight in an external-data file).

It writes:

    DIR/<case>/model.onnx     the mutated model
    DIR/<case>/...            side files: external data files, symlinks, hard links
    DIR/<case>/expect.json    {"rule": "ZC0203", "severity": "error",
                               "onnx_checker_misses": true, "description": "...",
                               ["profile": "zoo"], ["also": [...]], ["known_gap": "..."],
                               "onnx_checker": "passed" | "<exception, first line>"}
    DIR/_bases/<variant>/model.onnx   the unmutated bases (`zooci check --profile zoo`
                                      must report nothing for them)
    DIR/outside.bin           the target of the path-traversal cases (outside every case dir)

`onnx_checker_misses` is measured, not asserted: each case is run through
onnx.checker.check_model(model, full_check=True) of the installed onnx (Debian's python3-onnx
1.12), in a subprocess since the checker may crash, and the case counts as missed when it raised
nothing (a crash raises nothing either); external-data cases use the path variant
(check_model_path plus infer_shapes_path into a scratch file, which is what
check_model(path, full_check=True) does minus overwriting the model).

"also" lists the warnings and infos a case legitimately raises besides its rule (e.g. opset 21
is also newer than IR 7 allows); "known_gap" marks a case where zooci check disagrees with the
rule documentation (src/check/rules.cpp) and the test skips it with a note.

The output is deterministic for a given DIR (ext_absolute_location embeds DIR's absolute path):
no randomness except a seeded generator for the random-bytes case.
--list-markdown prints the case table for tests/check-mutations/README.md.
"""

import argparse
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as error:  # the PATH python3 may be another interpreter
    sys.exit(f"make_check_mutations: {error}: run with /usr/bin/python3 "
             "(Debian's python3-onnx and python3-numpy)")

MARKER = ".zooci-check-mutations"
OUTSIDE = "outside.bin"  # in DIR, i.e. outside every case directory
FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64

# ---- Base models ----------------------------------------------------------------------------


def weight_arrays():
    w = ((np.arange(4 * 3 * 3 * 3, dtype=np.float32) % 7) - 3.0) / 8.0
    return {
        "W": w.reshape(4, 3, 3, 3),
        "B": np.array([0.5, -0.25, 0.125, 0.0], dtype=np.float32),
        "S": np.array([1, 512], dtype=np.int64),
    }


def initializers():
    return [numpy_helper.from_array(a, name) for name, a in weight_arrays().items()]


def main_nodes():
    return [
        helper.make_node("Conv", ["X", "W", "B"], ["C"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["C"], ["R"], name="relu"),
        helper.make_node("Add", ["R", "C"], ["A"], name="add"),
        helper.make_node("Concat", ["R", "A"], ["K"], name="concat", axis=1),
        helper.make_node("Reshape", ["K", "S"], ["Y"], name="reshape"),
    ]


def finish_model(graph, ir_version, opsets, functions=()):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets],
                              producer_name="zooci-check-mutations", producer_version="1.0",
                              doc_string="ZooCI check mutation corpus base model: a tiny "
                                         "Conv+Relu+Add+Concat+Reshape net.",
                              functions=list(functions))
    model.ir_version = ir_version
    helper.set_model_props(model, {"license": "Apache-2.0",
                                   "source": "tools/make_check_mutations.py"})
    return model


def io(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def base_main():
    graph = helper.make_graph(main_nodes(), "mutation_base", [io("X", FLOAT, [1, 3, 8, 8])],
                              [io("Y", FLOAT, [1, 512])], initializers(),
                              doc_string="X: float[1,3,8,8] -> Y: float[1,512]")
    return finish_model(graph, 7, [("", 13)])


def base_legacy():
    """IR 3 / opset 6: every initializer is also a graph input, as IR 3 requires.

    Opset 6 rather than 8 so that Upsample resolves to Upsample-1, the one schema libonnx 1.12
    marks EXPERIMENTAL."""
    inputs = [io("X", FLOAT, [1, 3, 8, 8])]
    inputs += [io(name, INT64 if a.dtype == np.int64 else FLOAT, list(a.shape))
               for name, a in weight_arrays().items()]
    graph = helper.make_graph(main_nodes(), "mutation_base_legacy", inputs,
                              [io("Y", FLOAT, [1, 512])], initializers(),
                              doc_string="X: float[1,3,8,8] -> Y: float[1,512]")
    return finish_model(graph, 3, [("", 6)])


def loop_body(v_in="v_in"):
    return helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"], name="body_cond"),
         helper.make_node("Relu", [v_in], ["v_out"], name="body_relu")],
        "loop_body",
        [io("iter_num", INT64, []), io("cond_in", TensorProto.BOOL, []),
         io(v_in, FLOAT, [1, 4, 8, 8])],
        [io("cond_out", TensorProto.BOOL, []), io("v_out", FLOAT, [1, 4, 8, 8])])


def base_loop():
    """The Relu runs inside a one-iteration Loop body."""
    nodes = main_nodes()
    nodes[1] = helper.make_node("Loop", ["trip_count", "keep_going", "C"], ["R"], name="loop",
                                body=loop_body())
    inits = initializers() + [numpy_helper.from_array(np.array(1, dtype=np.int64), "trip_count"),
                              numpy_helper.from_array(np.array(True), "keep_going")]
    graph = helper.make_graph(nodes, "mutation_base_loop", [io("X", FLOAT, [1, 3, 8, 8])],
                              [io("Y", FLOAT, [1, 512])], inits,
                              doc_string="X: float[1,3,8,8] -> Y: float[1,512]")
    return finish_model(graph, 7, [("", 13)])


def rectify_function(name="Rectify", inputs=("x",), body_op=("Relu", "")):
    op, domain = body_op
    return helper.make_function(
        "local", name, list(inputs), ["y"],
        [helper.make_node(op, [inputs[0]], ["y"], name="f_relu", domain=domain)],
        [helper.make_opsetid("", 13)] + ([helper.make_opsetid("local", 1)] if domain else []),
        doc_string="y = Relu(x)")


def base_function():
    """IR 8: the Relu is a call of the model-local function local.Rectify."""
    nodes = main_nodes()
    nodes[1] = helper.make_node("Rectify", ["C"], ["R"], name="rectify", domain="local")
    graph = helper.make_graph(nodes, "mutation_base_function", [io("X", FLOAT, [1, 3, 8, 8])],
                              [io("Y", FLOAT, [1, 512])], initializers(),
                              doc_string="X: float[1,3,8,8] -> Y: float[1,512]")
    return finish_model(graph, 8, [("", 13), ("local", 1)], [rectify_function()])


W_BYTES = weight_arrays()["W"].tobytes()  # 432 bytes


def externalize(tensor, entries):
    """Moves the tensor's data out: `entries` are its external_data (key, value) pairs."""
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    del tensor.external_data[:]
    for key, value in entries:
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value


def ext_entries(location="weights.bin", offset="0", length=str(len(W_BYTES))):
    return [("location", location), ("offset", offset), ("length", length)]


def base_external():
    """The Conv weight W (432 bytes) is stored in weights.bin next to the model."""
    model = base_main()
    externalize(init(model, "W"), ext_entries())
    return model


def write_weights(case_dir, name="weights.bin", data=W_BYTES):
    (case_dir / name).write_bytes(data)


BASES = {
    "main": (base_main, None),
    "legacy": (base_legacy, None),
    "loop": (base_loop, None),
    "function": (base_function, None),
    "external": (base_external, lambda d: write_weights(d)),
}

# ---- Helpers for mutations ------------------------------------------------------------------


def init(model, name):
    return next(t for t in model.graph.initializer if t.name == name)


def node(model, name):
    return next(n for n in model.graph.node if n.name == name)


def attr(n, name):
    return next(a for a in n.attribute if a.name == name)


def add_initializer(model, name, array):
    model.graph.initializer.append(numpy_helper.from_array(array, name))


# ---- The cases ------------------------------------------------------------------------------

CASES = []


def case(name, rule, severity, description, base="main", profile=None, also=(), path_check=False,
         known_gap=None):
    """Registers a mutation: fn(model, case_dir) edits the model (or returns bytes to write)."""
    def register(fn):
        CASES.append(dict(name=name, rule=rule, severity=severity, description=description,
                          base=base, profile=profile, also=list(also), path_check=path_check,
                          known_gap=known_gap, fn=fn))
        return fn
    return register


# -- model --

@case("model_empty_file", "ZC0001", "error", "model.onnx is a 0-byte file")
def _(m, d):
    return b""


@case("model_truncated", "ZC0001", "error", "model.onnx cut after its first 100 bytes")
def _(m, d):
    return m.SerializeToString()[:100]


@case("model_random_bytes", "ZC0001", "error", "512 bytes from a seeded random generator")
def _(m, d):
    rng = random.Random(20240611)
    return bytes(rng.randrange(256) for _ in range(512))


@case("model_missing_ir_version", "ZC0101", "error", "ir_version field cleared (0)")
def _(m, d):
    m.ClearField("ir_version")


@case("model_ir2", "ZC0102", "error", "ir_version 2 (legacy base: IR 3, opset 6)",
      base="legacy")
def _(m, d):
    m.ir_version = 2


@case("model_ir12", "ZC0103", "warning", "ir_version 12, newer than the checker knows")
def _(m, d):
    m.ir_version = 12


@case("model_duplicate_opset_domain", "ZC0106", "error",
      "opset_import has both \"\" : 13 and \"ai.onnx\" : 13 (the same domain)")
def _(m, d):
    m.opset_import.append(helper.make_opsetid("ai.onnx", 13))


@case("model_opset_zero", "ZC0107", "error", "the default-domain opset import is version 0")
def _(m, d):
    m.opset_import[0].version = 0


@case("model_ml_opset_zero", "ZC0107", "error",
      "an extra opset import ai.onnx.ml : 0 (the graph does not use it)")
def _(m, d):
    m.opset_import.append(helper.make_opsetid("ai.onnx.ml", 0))


@case("model_opset21", "ZC0108", "warning",
      "default-domain opset 21, newer than libonnx 1.12's schemas (17)",
      also=["ZC0104"])  # opset 21 needs IR 10; the base is IR 7
def _(m, d):
    m.opset_import[0].version = 21


@case("model_opset13_ir3", "ZC0104", "warning",
      "legacy base (IR 3) importing opset 13, which needs IR 7", base="legacy")
def _(m, d):
    m.opset_import[0].version = 13


@case("model_missing_opset_import", "ZC0105", "error", "opset_import emptied in an IR 7 model")
def _(m, d):
    del m.opset_import[:]


@case("model_duplicate_metadata_key", "ZC0109", "error",
      "metadata_props holds the key 'license' twice")
def _(m, d):
    entry = m.metadata_props.add()
    entry.key, entry.value = "license", "MIT"


@case("model_no_graph", "ZC0201", "error", "the graph field cleared")
def _(m, d):
    m.ClearField("graph")


@case("zoo_missing_producer", "ZC0110", "warning", "producer_name cleared (zoo profile)",
      profile="zoo")
def _(m, d):
    m.ClearField("producer_name")


@case("zoo_missing_doc_string", "ZC0111", "warning",
      "model and graph doc_string cleared (zoo profile)", profile="zoo")
def _(m, d):
    m.ClearField("doc_string")
    m.graph.ClearField("doc_string")


@case("zoo_missing_metadata", "ZC0112", "warning", "metadata_props removed (zoo profile)",
      profile="zoo")
def _(m, d):
    del m.metadata_props[:]


@case("zoo_unused_opset_import", "ZC0113", "info",
      "opset_import gains com.example : 1, which no node uses (zoo profile)", profile="zoo")
def _(m, d):
    m.opset_import.append(helper.make_opsetid("com.example", 1))


# -- graph --

@case("graph_dangling_input", "ZC0203", "error",
      "Add's second input renamed to 'C_missing', which nothing produces")
def _(m, d):
    node(m, "add").input[1] = "C_missing"


@case("graph_use_before_definition", "ZC0204", "error",
      "the Relu node moved after the Add node that consumes its output")
def _(m, d):
    relu = copy.deepcopy(node(m, "relu"))
    m.graph.node.remove(node(m, "relu"))
    m.graph.node.insert(2, relu)


@case("graph_cycle", "ZC0205", "error", "Relu now reads A, the output of the Add that reads R")
def _(m, d):
    node(m, "relu").input[0] = "A"


@case("graph_undefined_output", "ZC0206", "error",
      "an extra graph output 'Z' that no node produces")
def _(m, d):
    m.graph.output.append(io("Z", FLOAT, [1, 512]))


@case("graph_duplicate_definition", "ZC0202", "error",
      "a second Relu node 'relu_again' also defines R")
def _(m, d):
    m.graph.node.insert(2, helper.make_node("Relu", ["C"], ["R"], name="relu_again"))


@case("graph_initializer_not_input_ir3", "ZC0207", "error",
      "legacy base (IR 3): W removed from the graph inputs, still an initializer",
      base="legacy")
def _(m, d):
    m.graph.input.remove(next(i for i in m.graph.input if i.name == "W"))


@case("graph_empty_graph_name", "ZC0208", "error", "the graph's name set to \"\"")
def _(m, d):
    m.graph.name = ""


@case("graph_empty_input_name", "ZC0208", "error",
      "an extra graph input float[1] with the empty name")
def _(m, d):
    m.graph.input.append(io("", FLOAT, [1]))


@case("graph_input_without_type", "ZC0209", "error", "the type of main-graph input X removed")
def _(m, d):
    m.graph.input[0].ClearField("type")


@case("graph_duplicate_output", "ZC0210", "error", "graph output Y listed twice")
def _(m, d):
    m.graph.output.append(copy.deepcopy(m.graph.output[0]))


@case("graph_unused_initializer", "ZC0211", "warning",
      "an extra initializer 'unused_w' (float[4]) that no node reads")
def _(m, d):
    add_initializer(m, "unused_w", np.ones(4, dtype=np.float32))


@case("graph_dead_node", "ZC0212", "warning", "an extra node Neg(X) whose output nobody uses")
def _(m, d):
    m.graph.node.insert(1, helper.make_node("Neg", ["X"], ["dead"], name="neg_dead"))


@case("graph_unused_input", "ZC0213", "warning", "an extra graph input 'unused_x' (float[1])")
def _(m, d):
    m.graph.input.append(io("unused_x", FLOAT, [1]))


@case("graph_duplicate_node_name", "ZC0214", "error", "the Relu node renamed 'conv'")
def _(m, d):
    node(m, "relu").name = "conv"


@case("graph_subgraph_shadowing", "ZC0216", "warning",
      "loop base: the Loop body's input v_in renamed 'C', hiding the outer C", base="loop")
def _(m, d):
    attr(node(m, "loop"), "body").g.CopyFrom(loop_body(v_in="C"))


@case("graph_empty_node", "ZC0217", "error",
      "an extra node 'empty', custom op com.example.Nop (imported), with no inputs and no "
      "outputs; a standard op would also break its schema's input/output counts (ZC0304/5)",
      also=["ZC0302"])  # the custom-domain info every com.example node gets
def _(m, d):
    m.graph.node.append(helper.make_node("Nop", [], [], name="empty", domain="com.example"))
    m.opset_import.append(helper.make_opsetid("com.example", 1))


@case("strict_missing_node_name", "ZC0215", "info",
      "the Relu node's name cleared (strict profile)", profile="strict")
def _(m, d):
    node(m, "relu").ClearField("name")


# -- operators --

@case("op_unknown", "ZC0301", "error", "Relu's op_type changed to 'Relux'")
def _(m, d):
    node(m, "relu").op_type = "Relux"


@case("op_custom_domain", "ZC0302", "info",
      "Relu becomes com.example.MyRelu, with com.example : 1 imported")
def _(m, d):
    n = node(m, "relu")
    n.op_type, n.domain = "MyRelu", "com.example"
    m.opset_import.append(helper.make_opsetid("com.example", 1))


@case("op_domain_not_imported", "ZC0303", "error",
      "Relu's domain set to com.example, which opset_import lacks")
def _(m, d):
    node(m, "relu").domain = "com.example"


@case("op_too_few_inputs", "ZC0304", "error", "Add's second input removed")
def _(m, d):
    del node(m, "add").input[1]


@case("op_too_many_outputs", "ZC0305", "error", "Relu given a second output 'R_extra'")
def _(m, d):
    node(m, "relu").output.append("R_extra")


@case("op_missing_required_attribute", "ZC0306", "error",
      "Concat's required attribute 'axis' removed")
def _(m, d):
    del node(m, "concat").attribute[:]


@case("op_attribute_type_mismatch", "ZC0307", "error",
      "Concat's 'axis' stored as FLOAT 1.0 instead of INT")
def _(m, d):
    n = node(m, "concat")
    del n.attribute[:]
    n.attribute.append(helper.make_attribute("axis", 1.0))


@case("op_unknown_attribute", "ZC0308", "error", "Relu given an attribute alpha=0.1")
def _(m, d):
    node(m, "relu").attribute.append(helper.make_attribute("alpha", 0.1))


@case("op_deprecated_upsample", "ZC0309", "error",
      "an Upsample (deprecated since opset 10) with scales [1, 1] appended after Reshape")
def _(m, d):
    node(m, "reshape").output[0] = "Y0"
    add_initializer(m, "up_scales", np.array([1.0, 1.0], dtype=np.float32))
    m.graph.node.append(helper.make_node("Upsample", ["Y0", "up_scales"], ["Y"],
                                         name="upsample", mode="nearest"))


@case("op_experimental_imagescaler", "ZC0310", "warning",
      "legacy base (opset 6): an ImageScaler (experimental, no schema in libonnx 1.12) between "
      "Conv and Relu", base="legacy")
def _(m, d):
    node(m, "relu").input[0] = "C_scaled"
    m.graph.node.insert(1, helper.make_node("ImageScaler", ["C"], ["C_scaled"],
                                            name="image_scaler", scale=1.0))


@case("op_experimental_upsample1", "ZC0310", "warning",
      "legacy base (opset 6): an Upsample-1 (support level EXPERIMENTAL in libonnx) with scales "
      "1 between Conv and Relu", base="legacy")
def _(m, d):
    node(m, "relu").input[0] = "C_scaled"
    m.graph.node.insert(1, helper.make_node("Upsample", ["C"], ["C_scaled"], name="upsample",
                                            height_scale=1.0, width_scale=1.0))


@case("op_malformed_attribute", "ZC0311", "error",
      "Concat's 'axis' has type INT but its value in the f field")
def _(m, d):
    a = attr(node(m, "concat"), "axis")
    a.ClearField("i")
    a.f = 1.0


@case("op_empty_op_type", "ZC0312", "error", "Relu's op_type set to \"\"")
def _(m, d):
    node(m, "relu").op_type = ""


@case("op_required_input_empty", "ZC0313", "error",
      "Add's (required) second input given the empty name")
def _(m, d):
    node(m, "add").input[1] = ""


# -- tensors --

@case("tensor_data_type_zero", "ZC0401", "error", "initializer B's data_type set to 0 (UNDEFINED)")
def _(m, d):
    init(m, "B").data_type = 0


@case("tensor_negative_dim", "ZC0402", "error", "initializer B's dims set to [-4]")
def _(m, d):
    init(m, "B").dims[0] = -4


@case("tensor_raw_data_too_short", "ZC0403", "error",
      "initializer W (float[4,3,3,3], 432 bytes) with its last 4 raw_data bytes cut")
def _(m, d):
    w = init(m, "W")
    w.raw_data = w.raw_data[:-4]


@case("tensor_raw_and_float_data", "ZC0404", "error",
      "initializer B carries raw_data and the same values in float_data")
def _(m, d):
    init(m, "B").float_data.extend(weight_arrays()["B"].tolist())


@case("tensor_float_data_in_int64", "ZC0405", "error",
      "loop base: the INT64 Loop trip count stores 1 in float_data instead of raw_data",
      base="loop")
def _(m, d):
    t = init(m, "trip_count")
    t.ClearField("raw_data")
    t.float_data.append(1.0)


@case("tensor_float_data_in_int64_shape", "ZC0405", "error",
      "INT64 initializer S (Reshape's shape) stores [1, 512] in float_data instead of raw_data")
def _(m, d):
    s = init(m, "S")
    s.ClearField("raw_data")
    s.float_data.extend([1.0, 512.0])


@case("tensor_absurd_dims", "ZC0406", "error", "initializer B's dims set to [2**40, 2**40]")
def _(m, d):
    b = init(m, "B")
    del b.dims[:]
    b.dims.extend([2 ** 40, 2 ** 40])


@case("tensor_bfloat16_ir3", "ZC0408", "warning",
      "legacy base (IR 3): a BFLOAT16 pass-through input/initializer/output 'bf' (BFLOAT16 needs "
      "IR 4)", base="legacy")
def _(m, d):
    bf = helper.make_tensor("bf", TensorProto.BFLOAT16, [2], [1.0, 2.0])
    m.graph.initializer.append(bf)
    m.graph.input.append(io("bf", TensorProto.BFLOAT16, [2]))
    m.graph.output.append(io("bf", TensorProto.BFLOAT16, [2]))


@case("tensor_invalid_sparse", "ZC0407", "error",
      "initializer B moved to sparse_initializer with indices [3, 1] (not increasing)")
def _(m, d):
    m.graph.initializer.remove(init(m, "B"))
    values = helper.make_tensor("B", FLOAT, [2], [0.125, 0.5])
    indices = helper.make_tensor("B_indices", INT64, [2], [3, 1])
    m.graph.sparse_initializer.append(helper.make_sparse_tensor(values, indices, [4]))


# -- external data (base "external": W in weights.bin; the path-variant onnx check) --

def ext_case(name, rule, severity, description, **kwargs):
    return case(name, rule, severity, description, base="external", path_check=True, **kwargs)


@ext_case("ext_absolute_location", "ZC0502", "error",
          "W's location is the absolute path of DIR/outside.bin (an existing, right-sized file)")
def _(m, d):
    externalize(init(m, "W"), ext_entries(location=str((d.parent / OUTSIDE).resolve())))


@ext_case("ext_parent_dir", "ZC0502", "error",
          "W's location is '../outside.bin' (exists, right size; CVE-2022-25882)")
def _(m, d):
    externalize(init(m, "W"), ext_entries(location="../" + OUTSIDE))


@ext_case("ext_dotdot_bypass", "ZC0502", "error",
          "W's location is 'a/../../outside.bin' with a/ present (CVE-2024-27318)")
def _(m, d):
    (d / "a").mkdir()
    externalize(init(m, "W"), ext_entries(location="a/../../" + OUTSIDE))


@ext_case("ext_symlink_escape", "ZC0502", "error",
          "weights.bin is a symlink to ../outside.bin (CVE-2026-34447)")
def _(m, d):
    (d / "weights.bin").unlink()
    os.symlink("../" + OUTSIDE, d / "weights.bin")


@ext_case("ext_missing_location", "ZC0501", "error",
          "W's external_data has offset and length but no location")
def _(m, d):
    externalize(init(m, "W"), ext_entries()[1:])


@ext_case("ext_missing_file", "ZC0503", "error", "W's location names 'missing.bin', absent")
def _(m, d):
    externalize(init(m, "W"), ext_entries(location="missing.bin"))


@ext_case("ext_range_past_eof", "ZC0504", "error",
          "W's offset 400 with length 432 in the 432-byte weights.bin")
def _(m, d):
    externalize(init(m, "W"), ext_entries(offset="400"))


@ext_case("ext_length_mismatch", "ZC0505", "error",
          "W's length 400 though float[4,3,3,3] needs 432 bytes")
def _(m, d):
    externalize(init(m, "W"), ext_entries(length="400"))


@ext_case("ext_duplicate_key", "ZC0506", "error", "W's external_data lists 'offset' twice")
def _(m, d):
    externalize(init(m, "W"), ext_entries() + [("offset", "0")])


@ext_case("ext_negative_offset", "ZC0506", "error", "W's external-data offset is '-5'")
def _(m, d):
    externalize(init(m, "W"), ext_entries(offset="-5"))


@ext_case("ext_unknown_key", "ZC0507", "warning",
          "W's external_data gains the key 'compression' = 'none'")
def _(m, d):
    externalize(init(m, "W"), ext_entries() + [("compression", "none")])


@ext_case("ext_hard_link", "ZC0508", "warning",
          "weights.bin has a second hard link, weights.bin.bak (CVE-2026-34446)")
def _(m, d):
    os.link(d / "weights.bin", d / "weights.bin.bak")


@ext_case("ext_inline_and_external", "ZC0404", "error",
          "W is EXTERNAL (valid entries) and also carries its bytes in raw_data")
def _(m, d):
    init(m, "W").raw_data = W_BYTES


# -- types and shapes --

@case("shape_matmul_incompatible", "ZC0601", "error",
      "a MatMul of the float[1,512] Reshape output with a float[4,5] initializer appended")
def _(m, d):
    node(m, "reshape").output[0] = "Y0"
    add_initializer(m, "M", np.ones((4, 5), dtype=np.float32))
    m.graph.node.append(helper.make_node("MatMul", ["Y0", "M"], ["Y"], name="matmul"))


@case("shape_add_float_int64", "ZC0602", "error",
      "Add's second input replaced by an int64[1] initializer 'C_i64'")
def _(m, d):
    add_initializer(m, "C_i64", np.array([1], dtype=np.int64))
    node(m, "add").input[1] = "C_i64"


@case("shape_value_info_wrong_type", "ZC0603", "error",
      "value_info declares R (a Relu of float) as int64[1,4,8,8]")
def _(m, d):
    m.graph.value_info.append(io("R", INT64, [1, 4, 8, 8]))


@case("shape_output_declared_int64", "ZC0604", "error",
      "graph output Y declared int64[1,512]; the graph computes float")
def _(m, d):
    m.graph.output[0].type.tensor_type.elem_type = INT64


@case("shape_initializer_input_mismatch", "ZC0605", "error",
      "a graph input B declared float[5] next to the float[4] initializer B")
def _(m, d):
    m.graph.input.append(io("B", FLOAT, [5]))


# -- functions (base "function": IR 8, the Relu in local.Rectify) --

@case("func_before_ir8", "ZC0701", "error", "function base saved as IR 7", base="function")
def _(m, d):
    m.ir_version = 7


@case("func_duplicate", "ZC0702", "error", "local.Rectify defined twice", base="function")
def _(m, d):
    m.functions.append(copy.deepcopy(m.functions[0]))


@case("func_call_cycle", "ZC0703", "error",
      "local.Rectify's body calls local.Rectify instead of Relu", base="function")
def _(m, d):
    m.functions[0].CopyFrom(rectify_function(body_op=("Rectify", "local")))


@case("func_call_cycle_mutual", "ZC0703", "error",
      "local.Rectify calls a new local.Rectify2, which calls local.Rectify", base="function")
def _(m, d):
    m.functions[0].CopyFrom(rectify_function(body_op=("Rectify2", "local")))
    m.functions.append(rectify_function(name="Rectify2", body_op=("Rectify", "local")))


@case("func_duplicate_inputs", "ZC0704", "error",
      "local.Rectify declares inputs (x, x); the call passes C twice to match", base="function")
def _(m, d):
    m.functions[0].input.append("x")
    node(m, "rectify").input.append("C")


@case("func_unused", "ZC0705", "warning",
      "a second function local.Unused that nothing calls", base="function")
def _(m, d):
    m.functions.append(rectify_function(name="Unused"))


# ---- onnx.checker ---------------------------------------------------------------------------

ONNX_CHECK = r"""
import os, sys, tempfile
import onnx
from onnx import checker, shape_inference
path, mode = sys.argv[1], sys.argv[2]
try:
    if mode == "path":
        # check_model(path, full_check=True), minus infer_shapes_path overwriting the model
        onnx.onnx_cpp2py_export.checker.check_model_path(path)
        with tempfile.TemporaryDirectory() as tmp:
            shape_inference.infer_shapes_path(path, os.path.join(tmp, "inferred.onnx"),
                                              check_type=True, strict_mode=True)
    else:
        with open(path, "rb") as f:
            model = onnx.load_model_from_string(f.read())
        checker.check_model(model, full_check=True)
except Exception as error:
    text = (type(error).__name__ + ": " + str(error)).strip().splitlines()
    print(text[0] if text else type(error).__name__)
    sys.exit(3)
print("passed")
"""


def run_onnx_checker(model_path, path_mode):
    """Returns "passed", or the first line of what onnx.checker raised, or "crashed (...)"."""
    try:
        proc = subprocess.run([sys.executable, "-c", ONNX_CHECK, str(model_path),
                               "path" if path_mode else "proto"],
                              capture_output=True, text=True, timeout=120,
                              cwd=str(model_path.parent))
    except subprocess.TimeoutExpired:
        return "crashed (timeout after 120 s)"
    out = proc.stdout.strip().splitlines()
    if proc.returncode == 0:
        return "passed"
    if proc.returncode == 3 and out:
        return out[-1][:300]
    if proc.returncode < 0:
        return f"crashed (signal {-proc.returncode})"
    return f"crashed (exit {proc.returncode})"


# ---- Driver ---------------------------------------------------------------------------------


def prepare_out(out):
    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()):
            sys.exit(f"make_check_mutations: {out} exists, is not empty and is not a corpus "
                     f"made by this script ({MARKER} missing); refusing to overwrite it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by tools/make_check_mutations.py\n")
    (out / OUTSIDE).write_bytes(W_BYTES)


def write_bases(out):
    for variant, (build, side) in BASES.items():
        d = out / "_bases" / variant
        d.mkdir(parents=True)
        model = build()
        (d / "model.onnx").write_bytes(model.SerializeToString())
        if side:
            side(d)
        result = run_onnx_checker(d / "model.onnx", path_mode=side is not None)
        if result != "passed":
            sys.exit(f"make_check_mutations: base '{variant}' fails onnx.checker: {result}")


def check_bases_with_zooci(out, zooci):
    for variant in BASES:
        model = out / "_bases" / variant / "model.onnx"
        proc = subprocess.run([zooci, "check", "--format", "json", "--profile", "zoo", str(model)],
                              capture_output=True, text=True)
        try:
            diags = json.loads(proc.stdout)["models"][0]["diagnostics"]
        except (ValueError, KeyError, IndexError):
            sys.exit(f"make_check_mutations: {zooci} check on base '{variant}' exited "
                     f"{proc.returncode} without a JSON report: {proc.stderr.strip()[-300:]}")
        if diags or proc.returncode != 0:
            found = "; ".join(f"{d['rule']} {d['severity']}: {d['message']}" for d in diags)
            sys.exit(f"make_check_mutations: base '{variant}' is not clean under --profile zoo "
                     f"(exit {proc.returncode}): {found}")


def write_case(out, spec):
    d = out / spec["name"]
    d.mkdir()
    build, side = BASES[spec["base"]]
    model = build()
    if side:
        side(d)
    result = spec["fn"](model, d)
    data = result if isinstance(result, bytes) else model.SerializeToString()
    (d / "model.onnx").write_bytes(data)
    checker = run_onnx_checker(d / "model.onnx", spec["path_check"])
    # "Misses" means it raised nothing: a crash (func_call_cycle segfaults onnx 1.12) is no
    # diagnostic either. The "onnx_checker" field keeps what actually happened.
    raised = checker != "passed" and not checker.startswith("crashed")
    expect = {"rule": spec["rule"], "severity": spec["severity"],
              "onnx_checker_misses": not raised, "description": spec["description"]}
    if spec["profile"]:
        expect["profile"] = spec["profile"]
    if spec["also"]:
        expect["also"] = spec["also"]
    if spec["known_gap"]:
        expect["known_gap"] = spec["known_gap"]
    expect["base"] = spec["base"]
    expect["onnx_checker"] = checker
    (d / "expect.json").write_text(json.dumps(expect, indent=2) + "\n")
    return expect


def markdown(rows):
    lines = ["| Case | Rule | Severity | Profile | Missed by onnx.checker | Mutation |",
             "|---|---|---|---|---|---|"]
    for name, e in rows:
        gap = " **Known gap in zooci check.**" if "known_gap" in e else ""
        missed = "yes" if e["onnx_checker_misses"] else "no"
        if e["onnx_checker"].startswith("crashed"):
            missed += " (crashes)"
        lines.append(f"| `{name}` | {e['rule']} | {e['severity']} | {e.get('profile', 'default')}"
                     f" | {missed} | {e['description'].replace('|', '/')}.{gap} |")
    missed = sum(e["onnx_checker_misses"] for _, e in rows)
    lines.append("")
    lines.append(f"{len(rows)} cases, {missed} of them missed by onnx.checker "
                 f"(onnx {onnx.__version__}, full_check=True).")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="output directory (replaced if it is a corpus)")
    parser.add_argument("--zooci", help="a zooci binary: check that the bases are clean")
    parser.add_argument("--list-markdown", action="store_true",
                        help="print the case table (Markdown) on stdout")
    args = parser.parse_args()
    if args.out is None and not args.list_markdown:
        parser.error("--out is required (unless --list-markdown)")
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out.resolve() if args.out else Path(tmp) / "mutations"
        prepare_out(out)
        write_bases(out)
        if args.zooci:
            check_bases_with_zooci(out, args.zooci)
        rows = [(spec["name"], write_case(out, spec)) for spec in CASES]
        if args.list_markdown:
            print(markdown(rows))
        else:
            missed = sum(e["onnx_checker_misses"] for _, e in rows)
            print(f"make_check_mutations: {len(rows)} cases ({missed} missed by onnx.checker) "
                  f"and {len(BASES)} bases in {out}")


if __name__ == "__main__":
    main()
