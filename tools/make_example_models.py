#!/usr/bin/python3
"""Make ZooCI's example ONNX models (test fixtures), reproducibly and offline.

Usage: /usr/bin/python3 tools/make_example_models.py [--force] [--only NAME]... [OUT_DIR]
       (OUT_DIR defaults to <repo>/examples/models)

For each fixture in FIXTURES this writes, in the ONNX model zoo layout:

    OUT_DIR/<name>/model.onnx
    OUT_DIR/<name>/test_data_set_0/input_0.pb     (onnx.TensorProto named "input")
    OUT_DIR/<name>/test_data_set_0/output_0.pb    (onnx.TensorProto named "output", or the
                                                   spec's output_name)
    OUT_DIR/<name>/.stamp                         (written last)

The torchvision fixtures are real architectures with seeded random weights: nothing is
downloaded. The reference output is computed by PyTorch on a seeded random input.

The digits fixture (digits_fixture.py) is a small CNN trained on the digits data that
python3-sklearn ships, with its validation split as PNG files, a zooci.yaml eval scenario and a
README claiming the accuracy PyTorch measured: `zooci eval` must reproduce it. The detection
fixture (detection_fixture.py) is a tiny YOLO-style detector trained on generated shapes, with
a COCO-format validation set and a README claiming the mAP that coco_reference.py computes from
PyTorch's outputs: `zooci eval` must reproduce that too. The segmentation fixture
(segmentation_fixture.py) is a tiny fully-convolutional segmenter trained on generated shapes,
with images and class-index masks and a README claiming the mIoU computed in numpy from
PyTorch's outputs.

The same files come out byte for byte on every run (same packages). A fixture whose files exist
and whose .stamp matches (a hash of the generator's sources and of the versions in
VERSIONED_DISTS) is skipped; --force regenerates (all fixtures, or those named by --only).

Debian's python3-torch, python3-torchvision, python3-onnx and python3-sklearn are installed
for /usr/bin/python3 only (scripts/install-deps.sh installs them), hence the shebang.

To add a fixture: append a spec to FIXTURES; for a new kind of fixture, write a builder that
returns (torch module in eval mode, sample input batch, write_extras or None) and register it in
BUILDERS. write_extras(fixture_dir, model_bytes, write_file) writes any further files; list them
in EXTRA_FILES so that the stamp check covers them.
"""

import argparse
import hashlib
import importlib.metadata
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

import coco_reference
import detection_data
import detection_fixture
import digits_fixture
import segmentation_fixture

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "examples" / "models"
OPSET = 13
INPUT_NAME = "input"
OUTPUT_NAME = "output"

# name: directory under OUT_DIR; kind: key of BUILDERS; seed: weights and sample input (digits:
# the first training seed tried); output_name: the graph output (default OUTPUT_NAME).
FIXTURES = [
    {"name": "squeezenet1_1", "kind": "torchvision", "arch": "squeezenet1_1", "seed": 11},
    {"name": "mobilenet_v2", "kind": "torchvision", "arch": "mobilenet_v2", "seed": 12},
    {"name": "resnet18", "kind": "torchvision", "arch": "resnet18", "seed": 13},
    {"name": "digits_cnn", "kind": "digits", "seed": 21, "split_seed": 0, "output_name": "logits"},
    # shapes_yolo: seed 31 trains a detector whose figures are not stable under perturbation
    # (tools/detection_fixture.py); 32 is the first that is, so generation starts there.
    {"name": "shapes_yolo", "kind": "detection", "seed": 32, "data_seed": 7, "output_name": "grid"},
    {"name": "shapes_seg", "kind": "segmentation", "seed": 41, "data_seed": 9, "output_name": "scores"},
]

# module to import -> Debian package that provides it for /usr/bin/python3
REQUIRED_MODULES = {
    "numpy": "python3-numpy",
    "torch": "python3-torch",
    "torchvision": "python3-torchvision",
    "onnx": "python3-onnx",
    "sklearn": "python3-sklearn",
    "PIL": "python3-pil",
}
VERSIONED_DISTS = ["torch", "torchvision", "onnx", "numpy", "scikit-learn", "Pillow"]
# The stamp covers these sources: changing any of them regenerates the fixtures.
SOURCES = [Path(__file__).resolve(), Path(digits_fixture.__file__).resolve(),
           Path(detection_fixture.__file__).resolve(), Path(detection_data.__file__).resolve(),
           Path(coco_reference.__file__).resolve(), Path(segmentation_fixture.__file__).resolve()]


def fail(msg):
    print(f"make_example_models: {msg}", file=sys.stderr)
    sys.exit(1)


def check_modules():
    for module, package in REQUIRED_MODULES.items():
        if importlib.util.find_spec(module) is None:
            hint = ""
            if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
                hint = f" (note: this is {sys.executable}; Debian's packages are for /usr/bin/python3)"
            fail(f"{package} is not installed: run scripts/install-deps.sh{hint}")


def stamp_value():
    h = hashlib.sha256()
    for source in SOURCES:
        h.update(hashlib.sha256(source.read_bytes()).digest())
    for dist in VERSIONED_DISTS:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        h.update(f"\n{dist}={version}".encode())
    return h.hexdigest()


def fixture_files(spec, d):
    files = [d / "model.onnx", d / "test_data_set_0" / "input_0.pb", d / "test_data_set_0" / "output_0.pb"]
    extra = EXTRA_FILES.get(spec["kind"])
    return files + (extra(d) if extra else [])


def up_to_date(spec, d, stamp):
    s = d / ".stamp"
    return (s.is_file() and s.read_text().strip() == stamp
            and all(f.is_file() for f in fixture_files(spec, d)))


def sha256_file(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def write_atomic(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; fixtures are read by other users too
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---- Builders: spec -> (module in eval mode, float32 sample input, write_extras or None) -----

def calibrate_batchnorm(model, seed, batches, batch_size=4):
    """Sets BatchNorm running statistics from a few seeded random batches.

    With freshly initialised statistics (mean 0, var 1) some randomly initialised networks
    give near-zero outputs in eval mode (mobilenet_v2: ~1e-9), which would make a useless
    fixture: any absolute tolerance would accept anything. Statistics measured on actual
    activations keep the outputs of order 1.
    """
    import torch

    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not bns or batches <= 0:
        return
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the calibration batches
    g = torch.Generator().manual_seed(seed)
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn((batch_size, 3, 224, 224), generator=g, dtype=torch.float32))
    for bn in bns:
        bn.momentum = 0.1  # torch's default, so the exported model looks like any other
    model.eval()


def build_torchvision(spec):
    import torch
    import torchvision

    ctor = getattr(torchvision.models, spec["arch"], None)
    if ctor is None:
        fail(f"torchvision has no model {spec['arch']!r}")
    torch.manual_seed(spec["seed"])
    model = ctor(weights=None)  # random init; never downloads anything
    calibrate_batchnorm(model, spec["seed"] + 2000, spec.get("bn_calibration_batches", 2))
    model.eval()
    g = torch.Generator().manual_seed(spec["seed"] + 1000)
    sample = torch.randn((1, 3, 224, 224), generator=g, dtype=torch.float32)
    return model, sample, None


BUILDERS = {
    "torchvision": build_torchvision,
    "digits": digits_fixture.build,
    "detection": detection_fixture.build,
    "segmentation": segmentation_fixture.build,
}
# kind -> fixture dir -> the files its write_extras makes (checked with the stamp)
EXTRA_FILES = {
    "digits": digits_fixture.expected_files,
    "detection": detection_fixture.expected_files,
    "segmentation": segmentation_fixture.expected_files,
}


# ---- Export -------------------------------------------------------------------------------

def export_onnx(model, sample, output_name):
    """Exports to ONNX bytes, normalized so that repeated runs give identical bytes."""
    import io
    import warnings

    import onnx
    import torch

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's export chatter (e.g. about dynamic axes)
        torch.onnx.export(
            model, sample, buf,
            opset_version=OPSET,
            input_names=[INPUT_NAME],
            output_names=[output_name],
            dynamic_axes={INPUT_NAME: {0: "N"}, output_name: {0: "N"}},
            do_constant_folding=True,
            export_params=True,
            verbose=False,
        )
    m = onnx.load_from_string(buf.getvalue())
    # torch 1.13's export is already byte-for-byte repeatable; this only makes sure nothing that
    # could vary between runs (doc strings, metadata) gets in. producer_name/producer_version
    # stay as torch wrote them ("pytorch", e.g. "1.13.0"): fixed for a given torch.
    m.doc_string = ""
    m.graph.doc_string = ""
    for node in m.graph.node:
        node.doc_string = ""
    del m.metadata_props[:]
    onnx.checker.check_model(m, full_check=True)
    return m.SerializeToString()


def make_fixture(spec, out_dir, stamp):
    import numpy as np
    import onnx
    import torch
    from onnx import numpy_helper

    d = out_dir / spec["name"]
    builder = BUILDERS.get(spec["kind"])
    if builder is None:
        fail(f"fixture {spec['name']}: unknown kind {spec['kind']!r}")
    output_name = spec.get("output_name", OUTPUT_NAME)
    (d / ".stamp").unlink(missing_ok=True)

    model, sample, write_extras = builder(spec)
    with torch.no_grad():
        expected = model(sample)
    model_bytes = export_onnx(model, sample, output_name)

    inp = np.ascontiguousarray(sample.numpy(), dtype=np.float32)
    out = np.ascontiguousarray(expected.detach().numpy(), dtype=np.float32)
    write_atomic(d / "model.onnx", model_bytes)
    write_atomic(d / "test_data_set_0" / "input_0.pb",
                 numpy_helper.from_array(inp, INPUT_NAME).SerializeToString())
    write_atomic(d / "test_data_set_0" / "output_0.pb",
                 numpy_helper.from_array(out, output_name).SerializeToString())

    # Check what was written, from disk: a valid model with the expected interface.
    m = onnx.load(str(d / "model.onnx"))
    try:
        onnx.checker.check_model(str(d / "model.onnx"), full_check=True)
    except Exception as e:  # noqa: BLE001 - any checker failure is fatal
        fail(f"fixture {spec['name']}: onnx.checker rejected model.onnx: {e}")
    if [i.name for i in m.graph.input] != [INPUT_NAME] or [o.name for o in m.graph.output] != [output_name]:
        fail(f"fixture {spec['name']}: unexpected graph inputs/outputs "
             f"{[i.name for i in m.graph.input]} -> {[o.name for o in m.graph.output]}")
    if m.graph.input[0].type.tensor_type.shape.dim[0].dim_param != "N":
        fail(f"fixture {spec['name']}: the input's batch dimension is not the symbol N")

    if write_extras is not None:
        write_extras(d, model_bytes, write_atomic)
    write_atomic(d / ".stamp", (stamp + "\n").encode())


def main():
    ap = argparse.ArgumentParser(description="Make ZooCI's example ONNX models (test fixtures).")
    ap.add_argument("out_dir", nargs="?", default=str(DEFAULT_OUT),
                    help=f"output directory (default: {DEFAULT_OUT})")
    ap.add_argument("--force", action="store_true", help="regenerate even when up to date")
    ap.add_argument("--only", action="append", metavar="NAME", choices=[f["name"] for f in FIXTURES],
                    help="only this fixture (repeatable; default: all)")
    args = ap.parse_args()
    out_dir = Path(args.out_dir).resolve()
    specs = [f for f in FIXTURES if not args.only or f["name"] in args.only]

    check_modules()
    stamp = stamp_value()

    torch_ready = False
    for spec in specs:
        d = out_dir / spec["name"]
        status = "up to date"
        if args.force or not up_to_date(spec, d, stamp):
            if not torch_ready:
                import torch
                torch.set_num_threads(1)
                torch.use_deterministic_algorithms(True)
                torch_ready = True
            t0 = time.monotonic()
            make_fixture(spec, out_dir, stamp)
            status = f"made in {time.monotonic() - t0:.1f}s"
        mf = d / "model.onnx"
        print(f"{spec['name']}: model.onnx {mf.stat().st_size} bytes sha256 {sha256_file(mf)} ({status})")


if __name__ == "__main__":
    main()
