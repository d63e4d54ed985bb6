#!/usr/bin/python3
"""Build ZooCI's example model zoo: a git repository in the ONNX Model Zoo layout, offline.

Usage: /usr/bin/python3 tools/make_example_zoo.py [--force] [--models DIR] [OUT_DIR]
       (OUT_DIR defaults to <repo>/examples/zoo, DIR to <repo>/examples/models)

The repository is made from the example models of tools/make_example_models.py (run first when
they are incomplete). Branch `main` (one commit) holds:

    README.md                  main README: a table of the models, each linking its folder
    LICENSE                    Apache-2.0 (Debian's /usr/share/common-licenses/Apache-2.0)
    .gitattributes             *.onnx and *.tar.gz through Git LFS (files committed as blobs)
    ONNX_HUB_MANIFEST.json     onnx.hub's manifest (as workflow_scripts/generate_onnx_hub_manifest.py)
    validated/vision/classification/<model>/
        README.md              every template section, the model table
        model/<stem>.onnx      <stem> = <name>-13
        model/<stem>.tar.gz    <stem>/<stem>.onnx + <stem>/test_data_set_0/
        dependencies/          preprocess.py, postprocess.py, inference.ipynb, validation.ipynb
        zooci.yaml, dataset/   digits only: `zooci eval` scenario and validation images

Each `submission/*` branch is one commit on main adding the model folder digits_v2 (a copy of
digits), its main-README row and its manifest entry — complete, or lacking one thing (see
SUBMISSIONS). `submission/rename` renames the digits folder instead. Under
validated/vision/object_detection_segmentation/ (where the ONNX Model Zoo keeps detectors and
segmenters, e.g. duc), `submission/detection` adds an object detector (the shapes_yolo example
model, with its COCO validation set and zooci.yaml) and `submission/segmentation` a semantic
segmenter (shapes_seg, with its validation images, masks, classes.txt and zooci.yaml), each
complete and claiming what it measures; `submission/detection-overclaim` and
`submission/segmentation-overclaim` are the same with a model table claiming OVERCLAIM_PP points
more mAP or mIoU than measured (see TASK_SUBMISSIONS; their texts are in zoo_detection_texts.py
and zoo_segmentation_texts.py). The expected verdicts are written to <OUT_DIR's
parent>/<OUT_DIR's name>-submissions.json, outside the repository.

Reproducible: fixed authors and dates, sorted inputs and deterministic tar.gz files give the same
commit hashes on every run (same git, zlib and example models). The repository is skipped when
its stamp (.git/zooci-example-zoo.stamp: a hash of these sources and of every example model
file) matches; --force rebuilds it from scratch. The work tree is left on a clean `main`.
"""

import argparse
import ast
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib
from pathlib import Path

import zoo_detection_texts as detection_texts
import zoo_segmentation_texts as segmentation_texts
import zoo_texts as texts

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "examples" / "zoo"
DEFAULT_MODELS = REPO / "examples" / "models"
STAMP_NAME = "zooci-example-zoo.stamp"  # inside OUT_DIR/.git: not part of the zoo's tree
SOURCES = [Path(__file__).resolve()] + [Path(m.__file__).resolve()
                                        for m in (texts, detection_texts, segmentation_texts)]
TASK_DIR = "validated/vision/classification"
OPSET = 13

# folder under TASK_DIR, example model, file stem; digits has its own texts.
MODELS = [
    {"folder": "squeezenet", "source": "squeezenet1_1", "stem": "squeezenet1.1-13", "kind": "imagenet"},
    {"folder": "mobilenet", "source": "mobilenet_v2", "stem": "mobilenetv2-13", "kind": "imagenet"},
    {"folder": "resnet", "source": "resnet18", "stem": "resnet18-v1-13", "kind": "imagenet"},
    {"folder": "digits", "source": "digits_cnn", "stem": "digits-cnn-13", "kind": "digits",
     "title": "Digits CNN", "row": "Digits CNN"},
]
DIGITS_V2 = {"folder": "digits_v2", "source": "digits_cnn", "stem": "digits-cnn-v2-13", "kind": "digits",
             "title": "Digits CNN v2", "row": "Digits CNN v2"}
# The detector and the segmenter (kind: their texts module's name); "texts" has their specifics.
DETECTION = {"folder": "shapes_yolo", "source": "shapes_yolo", "stem": "shapes-yolo-13",
             "kind": "detection", "title": "Shapes YOLO", "row": "Shapes YOLO",
             "task_dir": "validated/vision/object_detection_segmentation", "texts": detection_texts,
             "summary": "Tiny YOLO-style detector of shapes on clutter, with its COCO validation set.",
             "reference": ("Redmon and Farhadi", "https://arxiv.org/abs/1612.08242", "")}
SEGMENTATION = {"folder": "shapes_seg", "source": "shapes_seg", "stem": "shapes-seg-13",
                "kind": "segmentation", "title": "Shapes Seg", "row": "Shapes Seg",
                "task_dir": "validated/vision/object_detection_segmentation", "texts": segmentation_texts,
                "summary": "Tiny fully-convolutional segmenter of shapes on clutter, with its "
                           "validation images and masks.",
                "reference": ("Long et al.", "https://arxiv.org/abs/1411.4038", "")}
TASK_MODELS = [DETECTION, SEGMENTATION]
OVERCLAIM_PP = 10.0  # detection- and segmentation-overclaim: the table claims the measured + this
DIGITS_SUMMARY = "Small CNN for 8x8 handwritten digits, with its validation images."
DIGITS_REFERENCE = ("scikit-learn digits", texts.DIGITS_URL, "")
MAIN_CONTRIBUTORS = "* ZooCI maintainers (`tools/make_example_zoo.py`)"
SUBMITTER_CONTRIBUTORS = "* Example Contributor (a ZooCI fixture submission)"

MAIN_AUTHOR = ("ZooCI Example Zoo", "zoo@zooci.example", "2024-01-01T12:00:00+00:00")
SUBMITTER = ("Example Contributor", "contributor@zooci.example")
# branch, verdict, reason keyword (case-insensitive, expected in a declining reason), variant
SUBMISSIONS = [
    ("submission/good", "ACCEPT", "", "complete new model: README, model, test data, link, manifest"),
    ("submission/missing-readme-sections", "DECLINE", "section",
     "the README lacks the Contributors and Use cases sections"),
    ("submission/wrong-opset", "DECLINE", "opset",
     "the model table (and manifest) say opset 12; the model imports ai.onnx 13"),
    ("submission/broken-test-data", "DECLINE", "output",
     "the .tar.gz's test_data_set_0/output_0.pb is the true output + 1.0: `zooci test` fails"),
    ("submission/lfs-pointer", "DECLINE", "LFS",
     "model/digits-cnn-v2-13.onnx is a Git LFS pointer whose object was never pushed"),
    ("submission/overclaim", "DECLINE", "accuracy",
     "the table claims 99.90 top-1; the model achieves 98.00 (tolerance 0.5)"),
    ("submission/unsafe-external-data", "DECLINE", "external data",
     "initializer 6.bias is external data at ../../../../etc/passwd (also in the .tar.gz)"),
    ("submission/no-main-readme-link", "DECLINE", "link",
     "the main README does not link the new model folder"),
]
# task model, commit month, [(branch, verdict, reason keyword, variant description)]
TASK_SUBMISSIONS = [
    (DETECTION, 4, [
        ("submission/detection", "ACCEPT", "",
         "an object detector with its COCO validation set; the table claims the mAP it has"),
        ("submission/detection-overclaim", "DECLINE", "mAP",
         f"the table claims mAP@[.5:.95] {OVERCLAIM_PP:g} points above the measured value "
         "(tolerance 0.5)"),
    ]),
    (SEGMENTATION, 5, [
        ("submission/segmentation", "ACCEPT", "",
         "a semantic segmenter with its validation images and masks; the table claims the mIoU "
         "it has"),
        ("submission/segmentation-overclaim", "DECLINE", "mIoU",
         f"the table claims mIoU {OVERCLAIM_PP:g} points above the measured value (tolerance 0.5)"),
    ]),
]
RENAME = ("submission/rename", "ACCEPT", "renamed",
          "git mv of validated/vision/classification/digits to digits_renamed, links and manifest "
          "updated: a renamed model is reviewed again")
GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES", "GIT_NAMESPACE")


def fail(msg):
    print(f"make_example_zoo: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# ---- Inputs ------------------------------------------------------------------------------------

def models_complete(models_dir):
    for m in MODELS + TASK_MODELS:
        d = models_dir / m["source"]
        need = [".stamp", "model.onnx", "test_data_set_0/input_0.pb", "test_data_set_0/output_0.pb"]
        if m["kind"] == "digits":
            need += ["zooci.yaml", "expected_accuracy.json", "dataset"]
        if "texts" in m:
            need += m["texts"].NEEDS
        if not all((d / n).exists() for n in need):
            return False
    return True


def ensure_models(models_dir):
    if models_complete(models_dir):
        return
    print(f"make_example_zoo: {models_dir} is incomplete, running make_example_models.py")
    r = subprocess.run(["/usr/bin/python3", str(REPO / "tools" / "make_example_models.py"), str(models_dir)])
    if r.returncode != 0 or not models_complete(models_dir):
        fail("tools/make_example_models.py did not make the example models")


def stamp_value(models_dir):
    h = hashlib.sha256()
    for source in SOURCES:
        h.update(sha256(source.read_bytes()).encode())
    for m in sorted({m["source"] for m in MODELS + TASK_MODELS}):
        for f in sorted((models_dir / m).rglob("*")):
            if f.is_file() and f.name != ".stamp":
                h.update(f"\n{f.relative_to(models_dir).as_posix()} ".encode())
                h.update(sha256(f.read_bytes()).encode())
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    h.update(f"\n{git_version}\nzlib {zlib.ZLIB_RUNTIME_VERSION}\n".encode())
    return h.hexdigest()


# ---- ONNX --------------------------------------------------------------------------------------

ELEM_TYPES = {1: "float", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 9: "bool", 10: "float16",
              11: "double"}


def onnx_version_for(model):
    """The first ONNX release that writes the model's IR version and knows its ai.onnx opset."""
    import onnx.helper

    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=1)
    table = onnx.helper.VERSION_TABLE
    for release, ir, ai_onnx, *_ in table:
        if ir == model.ir_version and ai_onnx >= opset:
            return release
    for release, ir, *_ in table:
        if ir >= model.ir_version:
            return release
    fail(f"no ONNX release with IR version {model.ir_version}")


def io_ports(model):
    def port(v):
        dims = []
        for d in v.type.tensor_type.shape.dim:
            dims.append(d.dim_value if d.HasField("dim_value") else d.dim_param if d.HasField("dim_param") else None)
        elem = ELEM_TYPES.get(v.type.tensor_type.elem_type, "float")
        return {"name": v.name, "shape": dims, "type": f"tensor({elem})"}

    initializers = {t.name for t in model.graph.initializer}
    return {"inputs": [port(v) for v in model.graph.input if v.name not in initializers],
            "outputs": [port(v) for v in model.graph.output]}


def unsafe_external_model(model_bytes, tensor_name="6.bias", location="../../../../etc/passwd"):
    """The model with one initializer moved to external data at `location` (written by hand:
    onnx's helpers refuse such paths)."""
    import onnx

    m = onnx.load_from_string(model_bytes)
    t = next((t for t in m.graph.initializer if t.name == tensor_name), None)
    if t is None:
        fail(f"digits model has no initializer {tensor_name!r}")
    length = len(t.raw_data)
    t.ClearField("raw_data")
    t.data_location = onnx.TensorProto.EXTERNAL
    del t.external_data[:]
    for key, value in (("location", location), ("offset", "0"), ("length", str(length))):
        e = t.external_data.add()
        e.key, e.value = key, value
    return m.SerializeToString()


def shifted_output(pb_bytes, delta=1.0):
    import numpy as np
    import onnx
    from onnx import numpy_helper

    t = onnx.TensorProto()
    t.ParseFromString(pb_bytes)
    a = numpy_helper.to_array(t).astype(np.float32) + np.float32(delta)
    return numpy_helper.from_array(a, t.name).SerializeToString()


def lfs_pointer(data):
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256(data)}\nsize {len(data)}\n".encode()


# ---- Files -------------------------------------------------------------------------------------

def make_tar_gz(stem, files):
    """Deterministic .tar.gz of one directory `stem/` holding files {relative path: bytes}."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        entries = {stem: None}
        for rel, data in files.items():
            parts = rel.split("/")
            for i in range(1, len(parts)):
                entries[stem + "/" + "/".join(parts[:i])] = None
            entries[f"{stem}/{rel}"] = data
        for name in sorted(entries):
            data = entries[name]
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def check_python(name, text):
    try:
        ast.parse(text, filename=name)
    except SyntaxError as e:
        fail(f"generated {name} is not valid Python: {e}")


def check_notebook(name, text):
    nb = json.loads(text)
    if nb.get("nbformat") != 4 or nb["metadata"]["kernelspec"]["name"] != "python3":
        fail(f"generated {name} is not an nbformat 4 python3 notebook")
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            check_python(f"{name} cell {cell['id']}", "".join(cell["source"]))


class Source:
    """One example model's files, read once."""

    def __init__(self, models_dir, name):
        import onnx

        d = models_dir / name
        self.dir = d
        self.model_bytes = (d / "model.onnx").read_bytes()
        self.model = onnx.load_from_string(self.model_bytes)
        self.test_data = {f"test_data_set_0/{f.name}": f.read_bytes()
                          for f in sorted((d / "test_data_set_0").glob("*.pb"))}
        self.onnx_version = onnx_version_for(self.model)
        self.io = io_ports(self.model)
        # The reference's figures: a digits model's accuracy, a detector's mAP, a segmenter's mIoU.
        expected = [d / n for n in ("expected_accuracy.json", detection_texts.EXPECTED,
                                    segmentation_texts.EXPECTED) if (d / n).is_file()]
        self.expected = json.loads(expected[0].read_text()) if expected else None


def write_model_folder(root, spec, src, variant=""):
    """Writes TASK_DIR/<folder>/ for `spec` from `src` (a Source); returns (manifest entry, main
    README entry). `variant` is a submission defect (see SUBMISSIONS) or ""."""
    folder = f"{spec.get('task_dir', TASK_DIR)}/{spec['folder']}"
    d = root / folder
    stem = spec["stem"]
    model_bytes = src.model_bytes
    if variant == "unsafe-external-data":
        model_bytes = unsafe_external_model(model_bytes)
    test_data = dict(src.test_data)
    if variant == "broken-test-data":
        test_data["test_data_set_0/output_0.pb"] = shifted_output(test_data["test_data_set_0/output_0.pb"])
    tar_bytes = make_tar_gz(stem, {f"{stem}.onnx": model_bytes, **test_data})
    # lfs-pointer: a pointer to an object that was never pushed (not in .git/lfs/objects).
    # The submitter's manifest describes the file they have (that object).
    committed_bytes = model_bytes + b"\0 never pushed" if variant == "lfs-pointer" else model_bytes
    write(d / "model" / f"{stem}.onnx",
          lfs_pointer(committed_bytes) if variant == "lfs-pointer" else model_bytes)
    write(d / "model" / f"{stem}.tar.gz", tar_bytes)

    opset = 12 if variant == "wrong-opset" else OPSET
    io_short = {"input": (src.io["inputs"][0]["name"], src.io["inputs"][0]["shape"]),
                "output": (src.io["outputs"][0]["name"], src.io["outputs"][0]["shape"])}
    task = spec.get("texts")  # the detector's or segmenter's texts module; None for classifiers
    if spec["kind"] == "digits":
        acc = src.expected
        title, row_name = spec["title"], spec["row"]
        top1 = "99.90" if variant == "overclaim" else f"{acc['top1_percent']:.2f}"
        top5 = f"{acc['top5_percent']:.2f}"
    elif task:
        title, row_name, top1, top5 = spec["title"], spec["row"], "", ""
    else:
        info = texts.IMAGENET_MODELS[spec["folder"]]
        title, row_name, top1, top5 = info["title"], info["row"], "", ""
    row = {"row": row_name, "onnx": f"model/{stem}.onnx", "onnx_size": len(model_bytes),
           "tar": f"model/{stem}.tar.gz", "tar_size": len(tar_bytes),
           "onnx_version": src.onnx_version, "opset": opset, "top1": top1, "top5": top5}
    if task:
        row.update(task.row_metrics(src.expected, OVERCLAIM_PP if variant == "overclaim" else 0.0))
        sections = task.sections(spec, row, io_short, src.expected, SUBMITTER_CONTRIBUTORS)
    elif spec["kind"] == "digits":
        contributors = SUBMITTER_CONTRIBUTORS if variant else MAIN_CONTRIBUTORS
        sections = texts.digits_sections(spec, row, io_short, src.expected, contributors)
    else:
        sections = texts.imagenet_sections(info, row, io_short)
    drop = ("Contributors", "Use cases") if variant == "missing-readme-sections" else ()
    write(d / "README.md", texts.render_readme(title, sections, drop))

    script_texts = task.scripts(title) if task else texts.scripts(spec["kind"], title)
    for name, text in script_texts.items():
        check_python(name, text)
        write(d / "dependencies" / name, text)
    input_name = src.io["inputs"][0]["name"]
    model_file = f"../model/{stem}.onnx"
    notebook_texts = (task.notebooks(title, model_file, input_name) if task
                      else texts.notebooks(spec["kind"], title, model_file, input_name))
    for name, text in notebook_texts.items():
        check_notebook(name, text)
        write(d / "dependencies" / name, text)

    if spec["kind"] == "digits":
        write(d / "zooci.yaml", zoo_scenario(src, stem, row_name, texts.TABLE_COLUMNS[5],
                                             doc="src/eval/scenario.h", dataset="dataset"))
        for f in sorted((src.dir / "dataset").rglob("*.png")):
            write(d / "dataset" / f.relative_to(src.dir / "dataset"), f.read_bytes())
    if task:
        write(d / "zooci.yaml", zoo_scenario(src, stem, row_name, task.COLUMNS[5], doc=task.DOC,
                                             metric=task.CLAIM_METRIC, task=task.TASK))
        for pattern in task.DATA:
            for f in sorted(src.dir.glob(pattern)):
                write(d / f.relative_to(src.dir), f.read_bytes())

    manifest = {
        "model": row_name,
        "model_path": f"{folder}/model/{stem}.onnx",
        "onnx_version": src.onnx_version,
        "opset_version": opset,
        "metadata": {
            "model_sha": sha256(committed_bytes),
            "model_bytes": len(committed_bytes),
            "tags": [t.replace("_", " ") for t in folder.split("/")[1:]],
            "io_ports": src.io,
            "model_with_data_path": f"{folder}/model/{stem}.tar.gz",
            "model_with_data_sha": sha256(tar_bytes),
            "model_with_data_bytes": len(tar_bytes),
        },
    }
    if task:
        readme_entry = {"folder": folder, "title": title, "summary": spec["summary"],
                        "reference": spec["reference"], "task": spec["kind"]}
    elif spec["kind"] == "digits":
        readme_entry = {"folder": folder, "title": title, "summary": DIGITS_SUMMARY,
                        "reference": DIGITS_REFERENCE}
    else:
        readme_entry = {"folder": folder, "title": title, "summary": info["summary"],
                        "reference": info["reference"]}
    return manifest, readme_entry


def zoo_scenario(src, stem, row_name, column, doc, metric="", task="", dataset=""):
    """The example model's zooci.yaml for the zoo folder: the model under model/, the README
    claim read from this folder's table row (`column`, `metric`), and the dataset's folder
    renamed to `dataset` when given; `task` (when given) must be the scenario's."""
    text = (src.dir / "zooci.yaml").read_text()
    claim = (f'readme: {{file: README.md, column: "{column}", row: "{row_name}"'
             + (f", metric: {metric}}}" if metric else "}"))
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        indent = line[:len(line) - len(line.lstrip())]
        if line.startswith("model:"):
            line = f"model: model/{stem}.onnx"
        elif dataset and line.lstrip().startswith("path:"):
            line = f"{indent}path: {dataset}"
        elif line.lstrip().startswith("readme:"):
            line = indent + claim
        lines.append(line)
    out = "\n".join([f"# zooci eval scenario for {row_name} (zooci.yaml, see ZooCI's {doc}).",
                     *lines]) + "\n"
    musts = [f"model: model/{stem}.onnx", f'row: "{row_name}"']
    musts += [f"path: {dataset}"] if dataset else []
    musts += [f"task: {task}"] if task else []
    for must in musts:
        if must not in out:
            fail(f"could not adapt {src.dir / 'zooci.yaml'}: no {must!r} after rewriting")
    return out


def write_top_level(root, manifest, readme_entries):
    write(root / "README.md", texts.main_readme(readme_entries))
    manifest = sorted(manifest, key=lambda e: e["model_path"])
    write(root / "ONNX_HUB_MANIFEST.json", json.dumps(manifest, indent=4))


# ---- Git ---------------------------------------------------------------------------------------

class Git:
    def __init__(self, root):
        self.root = root
        env = {k: v for k, v in os.environ.items() if k not in GIT_ENV_DROP}
        env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C",
                    "GIT_TERMINAL_PROMPT": "0"})
        self.env = env

    # Model files go through Git LFS (the zoo's .gitattributes): git stores pointers, their
    # content goes to .git/lfs/objects, from where clones fetch it as from any LFS remote.
    LFS = ["-c", "filter.lfs.clean=git-lfs clean -- %f", "-c", "filter.lfs.smudge=git-lfs smudge -- %f",
           "-c", "filter.lfs.process=git-lfs filter-process", "-c", "filter.lfs.required=true"]

    def __call__(self, *args, env=None):
        r = subprocess.run(["git", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false",
                            "-c", "core.fileMode=true", *self.LFS, *args], cwd=self.root,
                           env={**self.env, **(env or {})}, capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"git {' '.join(args)} failed:\n{r.stderr.strip()}")
        return r.stdout.strip()

    def commit(self, message, author, email, date):
        self("add", "-A")
        self("commit", "-q", "--no-verify", "-m", message, env={
            "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": date})
        return self("rev-parse", "HEAD")


def build(out_tmp, models_dir):
    sources = {m["source"]: Source(models_dir, m["source"]) for m in MODELS + TASK_MODELS}
    git = Git(out_tmp)
    git("init", "-q", "-b", "main")

    write(out_tmp / "LICENSE", Path("/usr/share/common-licenses/Apache-2.0").read_bytes())
    write(out_tmp / ".gitattributes", "*.onnx filter=lfs diff=lfs merge=lfs -text\n"
                                      "*.tar.gz filter=lfs diff=lfs merge=lfs -text\n")
    manifest, entries = [], []
    for spec in MODELS:
        m, e = write_model_folder(out_tmp, spec, sources[spec["source"]])
        manifest.append(m)
        entries.append(e)
    write_top_level(out_tmp, manifest, entries)
    main_commit = git.commit("Example ONNX model zoo: SqueezeNet, MobileNet, ResNet, Digits CNN", *MAIN_AUTHOR)

    records = []
    for spec, month, submissions in [(DIGITS_V2, 2, SUBMISSIONS)] + TASK_SUBMISSIONS:
        for i, (branch, verdict, reason, description) in enumerate(submissions, 1):
            # digits_v2's variants are its branch names ("good": none); a task model's branches
            # are named "<kind>" (no variant) and "<kind>-<variant>".
            name = branch.split("/", 1)[1]
            label = name.removeprefix(spec["kind"]).lstrip("-") if "texts" in spec else name
            variant = "" if label == "good" else label
            git("checkout", "-q", "-b", branch, "main")
            m, e = write_model_folder(out_tmp, spec, sources[spec["source"]], variant)
            link_entries = entries if variant == "no-main-readme-link" else entries + [e]
            write_top_level(out_tmp, manifest + [m], link_entries)
            commit = git.commit(f"Add {spec['title']}" + (f" ({label})" if label else ""), *SUBMITTER,
                                f"2024-{month:02d}-{i:02d}T12:00:00+00:00")
            records.append({"branch": branch, "commit": commit, "model": e["folder"], "change": "added",
                            "verdict": verdict, "reason": reason, "description": description})
            git("checkout", "-q", "main")

    branch, verdict, reason, description = RENAME
    old = f"{TASK_DIR}/digits"
    new = f"{TASK_DIR}/digits_renamed"
    git("checkout", "-q", "-b", branch, "main")
    git("mv", old, new)
    renamed_manifest = json.loads(json.dumps(manifest).replace(f'"{old}/', f'"{new}/'))
    for m in renamed_manifest:
        if m["model_path"].startswith(new + "/"):
            m["metadata"]["tags"] = [t.replace("_", " ") for t in new.split("/")[1:]]
    renamed_entries = [dict(e, folder=new) if e["folder"] == old else e for e in entries]
    write_top_level(out_tmp, renamed_manifest, renamed_entries)
    commit = git.commit("Rename digits to digits_renamed", *SUBMITTER, "2024-03-01T12:00:00+00:00")
    records.append({"branch": branch, "commit": commit, "model": new, "change": f"renamed from {old}",
                    "verdict": verdict, "reason": reason, "description": description})
    git("checkout", "-q", "main")

    if git("status", "--porcelain", "--untracked-files=all"):
        fail("the work tree is not clean after building")
    return {
        "main": {"branch": "main", "commit": main_commit, "verdict": "ACCEPT",
                 "models": [e["folder"] for e in entries]},
        "submissions": records,
        "note": "reason: a keyword expected (case-insensitively) in a declining reason of the model",
    }


def is_our_zoo(path):
    return (path / ".git" / STAMP_NAME).is_file()


def main():
    ap = argparse.ArgumentParser(description="Build ZooCI's example model zoo (a git repository).")
    ap.add_argument("out_dir", nargs="?", default=str(DEFAULT_OUT), help=f"default: {DEFAULT_OUT}")
    ap.add_argument("--models", default=str(DEFAULT_MODELS), help=f"example models (default: {DEFAULT_MODELS})")
    ap.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = ap.parse_args()
    out_dir = Path(args.out_dir).resolve()
    models_dir = Path(args.models).resolve()
    submissions_file = out_dir.parent / f"{out_dir.name}-submissions.json"
    t0 = time.monotonic()

    try:
        import numpy  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as e:
        fail(f"{e.name} is missing: run with /usr/bin/python3 (Debian's python3-onnx, python3-numpy)")
    if shutil.which("git") is None:
        fail("git is not installed")
    if shutil.which("git-lfs") is None:
        fail("git-lfs is not installed (Debian's git-lfs; scripts/install-deps.sh installs it)")
    if out_dir.exists() and any(out_dir.iterdir()) and not is_our_zoo(out_dir):
        fail(f"{out_dir} exists and is not an example zoo made by this script: not touching it")

    ensure_models(models_dir)
    stamp = stamp_value(models_dir)
    stamp_file = out_dir / ".git" / STAMP_NAME
    if (not args.force and stamp_file.is_file() and stamp_file.read_text().strip() == stamp
            and submissions_file.is_file()):
        print(f"{out_dir}: up to date")
        return

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700
    try:
        report = build(tmp, models_dir)
        report = {"zoo": str(out_dir), **report}
        (tmp / ".git" / STAMP_NAME).write_text(stamp + "\n")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    submissions_file.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{out_dir}: main {report['main']['commit'][:12]}, "
          f"{len(report['submissions'])} submission branches ({time.monotonic() - t0:.1f}s)")
    for r in report["submissions"]:
        print(f"  {r['branch']:40} {r['commit'][:12]} {r['verdict']:7} {r['reason']}")


if __name__ == "__main__":
    main()
