#!/usr/bin/python3
"""Replace the Git LFS pointers of a copy of the ONNX Model Zoo with small valid stand-in models.

Usage: /usr/bin/python3 tools/make_zoo_standins.py ZOO_COPY

A clone of github.com/onnx/models without Git LFS holds pointer files instead of models, so a
review of it cannot check opsets, model tables or the manifest against real models. This tool
rewrites, in place, every pointer `.onnx` with a stand-in that carries what the zoo says of the
real model: the manifest entry's opset, the IR version of its ONNX release, and its io_ports
(names, element types, shapes; symbolic dimensions kept). Models without io_ports (ONNX Runtime
could not load them when the manifest was generated: opset < 7) and models without a manifest
entry get one float input and output; their opset and ONNX version come from the README row that
links them, else from the file name. Each output is a Constant of its declared shape (symbolic
and unknown dimensions as 1), so ONNX Runtime computes it exactly.

Every pointer `.tar.gz` becomes an archive in the zoo's format holding the stand-in of the model
its README row pairs it with (same stem otherwise) and test_data_set_0 with inputs and the
expected outputs. The manifest's model_sha/model_bytes and model_with_data_sha/_bytes are
updated for the files written; nothing else in it changes. Deterministic: the same tree gives
the same bytes.
"""

import gzip
import hashlib
import io
import json
import os
import re
import sys
import tarfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

POINTER_PREFIX = b"version https://git-lfs.github.com/spec/v1"

# ONNX release -> IR version (onnx/helper.py VERSION_TABLE).
IR_BY_RELEASE = [
    ("1.0", 3), ("1.1", 3), ("1.2", 3), ("1.3", 3), ("1.4", 4), ("1.5", 5), ("1.6", 6),
    ("1.7", 7), ("1.8", 7), ("1.9", 7), ("1.10", 8), ("1.11", 8), ("1.12", 8), ("1.13", 8),
    ("1.14", 9), ("1.15", 9), ("1.16", 10), ("1.17", 10), ("1.18", 11),
]

ELEM = {
    "float": TensorProto.FLOAT, "double": TensorProto.DOUBLE, "int64": TensorProto.INT64,
    "int32": TensorProto.INT32, "uint8": TensorProto.UINT8, "int8": TensorProto.INT8,
    "string": TensorProto.STRING, "bool": TensorProto.BOOL, "float16": TensorProto.FLOAT16,
}
NUMPY = {
    TensorProto.FLOAT: np.float32, TensorProto.DOUBLE: np.float64, TensorProto.INT64: np.int64,
    TensorProto.INT32: np.int32, TensorProto.UINT8: np.uint8, TensorProto.INT8: np.int8,
    TensorProto.BOOL: np.bool_, TensorProto.FLOAT16: np.float16,
}


def ir_version(onnx_version):
    release = ".".join(str(onnx_version).split(".")[:2])
    for name, ir in IR_BY_RELEASE:
        if release == name:
            return ir
    return 7


def is_pointer(path):
    with open(path, "rb") as f:
        return f.read(len(POINTER_PREFIX)) == POINTER_PREFIX


def parse_type(text):
    """'tensor(float)' -> (False, FLOAT); 'seq(tensor(uint8))' -> (True, UINT8)."""
    match = re.fullmatch(r"(seq\()?tensor\((\w+)\)\)?", text)
    if not match:
        return False, TensorProto.FLOAT
    return bool(match.group(1)), ELEM.get(match.group(2), TensorProto.FLOAT)


def dims_of(shape):
    """io_ports shape -> (onnx dims for value_info, concrete dims for data)."""
    declared, concrete = [], []
    for dim in shape or []:
        if isinstance(dim, int):
            declared.append(dim)
            concrete.append(max(dim, 1))
        else:
            declared.append(dim if isinstance(dim, str) else None)
            concrete.append(1)
    return declared, concrete


def constant_value(elem, dims, seed):
    rng = np.random.default_rng(seed)
    if elem == TensorProto.STRING:
        return np.array([b"zoo"] * int(np.prod(dims)), dtype=object).reshape(dims)
    dtype = NUMPY.get(elem, np.float32)
    if elem == TensorProto.BOOL:
        return (rng.integers(0, 2, size=dims) == 1)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, 7, size=dims).astype(dtype)
    return rng.standard_normal(size=dims).astype(dtype)


def standin(entry_io, opset, ir, name):
    """The stand-in ModelProto and (inputs, outputs) data for its test_data_set_0."""
    inputs, outputs, nodes = [], [], []
    input_data, output_data = [], []
    for index, port in enumerate(entry_io["inputs"]):
        is_seq, elem = parse_type(port["type"])
        declared, concrete = dims_of(port["shape"])
        if is_seq:
            inputs.append(helper.make_tensor_sequence_value_info(port["name"], elem, declared))
            value = constant_value(elem, concrete, 100 + index)
            input_data.append(("seq", port["name"], [value]))
        else:
            inputs.append(helper.make_tensor_value_info(port["name"], elem, declared))
            input_data.append(("tensor", port["name"], constant_value(elem, concrete, 100 + index)))
    for index, port in enumerate(entry_io["outputs"]):
        _, elem = parse_type(port["type"])
        declared, concrete = dims_of(port["shape"])
        value = constant_value(elem, concrete, 200 + index)
        tensor = numpy_helper.from_array(value, name=port["name"] + "_value")
        if elem == TensorProto.STRING:
            tensor = helper.make_tensor(port["name"] + "_value", TensorProto.STRING, concrete,
                                        [b"zoo"] * int(np.prod(concrete)))
        nodes.append(helper.make_node("Constant", [], [port["name"]], value=tensor,
                                      name="standin_output_%d" % index))
        outputs.append(helper.make_tensor_value_info(port["name"], elem, declared))
        output_data.append(("tensor", port["name"], value))
    graph = helper.make_graph(nodes, name, inputs, outputs)
    model = helper.make_model(graph, producer_name="zooci-standin", producer_version="1",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir
    model.doc_string = "A stand-in for " + name + " (tools/make_zoo_standins.py)."
    return model, input_data, output_data


def serialize_value(kind, name, value):
    if kind == "seq":
        return numpy_helper.from_list(value, name=name).SerializeToString()
    if value.dtype == object:
        tensor = helper.make_tensor(name, TensorProto.STRING, value.shape, list(value.flatten()))
        return tensor.SerializeToString()
    return numpy_helper.from_array(value, name=name).SerializeToString()


def deterministic_targz(files):
    """{arcname: bytes} -> .tar.gz bytes with fixed metadata."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        dirs = sorted({str(Path(n).parent) for n in files} - {"."})
        for directory in dirs:
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        for arcname in sorted(files):
            data = files[arcname]
            info = tarfile.TarInfo(arcname)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def readme_rows(root):
    """model or archive path (relative to root) -> (README row cells by column, paired paths)."""
    rows = {}
    for readme in sorted(root.rglob("README.md")):
        if readme.parent == root:
            continue
        lines = readme.read_text(encoding="utf-8", errors="replace").splitlines()
        header = None
        for line in lines:
            if "|" not in line:
                header = None
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = [re.sub(r"[^a-z ]", "", c.lower()).strip() for c in cells]
                continue
            if all(set(c) <= set("-: ") for c in cells):
                continue
            links = re.findall(r"\]\(([^)\s]+\.(?:onnx|tar\.gz))\)", line)
            paths = [os.path.normpath(os.path.join(readme.parent.relative_to(root), l))
                     for l in links]
            row = dict(zip(header, cells))
            for path in paths:
                rows[path] = (row, paths)
    return rows


def row_value(row, *keys):
    for key, value in row.items():
        if any(key.startswith(k) for k in keys):
            return value
    return ""


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = Path(sys.argv[1]).resolve()
    manifest_path = root / "ONNX_HUB_MANIFEST.json"
    manifest = json.loads(manifest_path.read_text())
    by_path = {e["model_path"]: e for e in manifest}
    rows = readme_rows(root)
    default_io = {"inputs": [{"name": "data", "shape": [1, 3, 224, 224], "type": "tensor(float)"}],
                  "outputs": [{"name": "output", "shape": [1, 1000], "type": "tensor(float)"}]}
    written = {}  # relative model path -> (model bytes, inputs, outputs)
    for path in sorted(root.rglob("*.onnx")):
        relative = str(path.relative_to(root))
        if not is_pointer(path):
            continue
        entry = by_path.get(relative)
        row, _ = rows.get(relative, ({}, []))
        if entry:
            opset, onnx_version = entry["opset_version"], entry["onnx_version"]
            io_ports = entry["metadata"].get("io_ports", default_io)
        else:
            opset_text = re.sub(r"[^0-9]", "", row_value(row, "opset"))
            name_opset = re.search(r"-(\d+)(?:-int8|-qdq)?$", path.stem)
            opset = int(opset_text or (name_opset.group(1) if name_opset else 12))
            onnx_version = row_value(row, "onnx version") or "1.9"
            io_ports = default_io
        model, inputs, outputs = standin(io_ports, opset, ir_version(onnx_version), path.stem)
        data = model.SerializeToString()
        path.write_bytes(data)
        written[relative] = (data, inputs, outputs)
        if entry:
            entry["metadata"]["model_sha"] = hashlib.sha256(data).hexdigest()
            entry["metadata"]["model_bytes"] = len(data)

    for path in sorted(root.rglob("*.tar.gz")):
        relative = str(path.relative_to(root))
        if not is_pointer(path):
            continue
        _, paired = rows.get(relative, ({}, []))
        models = [p for p in paired if p.endswith(".onnx") and p in written]
        stem = path.name[: -len(".tar.gz")]
        same_stem = str(path.parent.relative_to(root) / (stem + ".onnx"))
        model_path = models[0] if models else same_stem
        if model_path not in written:
            continue  # no stand-in to carry: left as a pointer
        data, inputs, outputs = written[model_path]
        files = {stem + "/" + Path(model_path).name: data}
        for index, (kind, name, value) in enumerate(inputs):
            files["%s/test_data_set_0/input_%d.pb" % (stem, index)] = serialize_value(kind, name, value)
        for index, (kind, name, value) in enumerate(outputs):
            files["%s/test_data_set_0/output_%d.pb" % (stem, index)] = serialize_value(kind, name, value)
        archive = deterministic_targz(files)
        path.write_bytes(archive)
        for entry in manifest:
            if entry["metadata"].get("model_with_data_path") == relative:
                entry["metadata"]["model_with_data_sha"] = hashlib.sha256(archive).hexdigest()
                entry["metadata"]["model_with_data_bytes"] = len(archive)

    # The generator's format: 4-space indent, sorted by model_path (as written by onnx's script).
    manifest_path.write_text(json.dumps(manifest, indent=4) + "\n")
    print("stand-ins: %d models written" % len(written))


if __name__ == "__main__":
    main()
