"""The digits_cnn example model: a small CNN trained on scikit-learn's digits, with its dataset.

Used by make_example_models.py (kind "digits"). Everything comes from packages Debian ships
(python3-sklearn bundles the data set): nothing is downloaded. Besides the model and
test_data_set_0 that every fixture has, this writes what `zooci eval` needs to reproduce the
accuracy PyTorch measured:

    dataset/<digit>/<index>.png   the held-out validation split, 8x8 grayscale (ImageFolder)
    zooci.yaml                    the eval scenario (src/eval/scenario.h)
    README.md                     a model zoo style page whose table claims the top-1 accuracy
    expected_accuracy.json        PyTorch's result, for tests to compare zooci's with
    expected_predictions.csv      PyTorch's prediction for each image, in zooci's sample order

The network is trained on exactly what zooci's preprocessing makes of those PNGs (decode
grayscale, multiply by 1/255 in float32, NCHW), and the recorded accuracy is measured on the
PNG files read back from disk. A seed whose network has a near-tie on a validation image (top-1
margin, or the true class at the top-5 boundary, under MIN_MARGIN) is rejected and the next
seed is tried, so ONNX Runtime's slightly different float results cannot change the counts.
"""

import csv
import io
import json
import shutil
import time

IMAGE_SIZE = 8
NUM_CLASSES = 10
VAL_FRACTION = 0.25  # 450 of the 1,797 images
SCALE = 1 / 255      # the preprocessing's scale step, written to zooci.yaml with repr()
EPOCHS = 20
BATCH_SIZE = 32
LEARNING_RATE = 2e-3
TOP_K = 5
MIN_MARGIN = 1e-3
MAX_ATTEMPTS = 10    # seeds tried: seed, seed + 1, ...
TEST_SAMPLES = 4     # images in test_data_set_0
TOLERANCE_PP = 0.5

DATASET_DIR = "dataset"
SCENARIO = "zooci.yaml"
README = "README.md"
ACCURACY_JSON = "expected_accuracy.json"
PREDICTIONS_CSV = "expected_predictions.csv"
ACCURACY_COLUMN = "Top-1 accuracy (%)"


def expected_files(d):
    """The files this fixture writes besides model.onnx and test_data_set_0 (for the stamp)."""
    files = [d / SCENARIO, d / README, d / ACCURACY_JSON, d / PREDICTIONS_CSV]
    predictions = d / PREDICTIONS_CSV
    if predictions.is_file():
        with predictions.open(newline="") as f:
            files += [d / row["file"] for row in csv.DictReader(f)]
    return files


# ---- Data -----------------------------------------------------------------------------------

def load_split(split_seed):
    """Returns (uint8 images [N,8,8], int64 labels [N], train indices, validation indices).

    The digits are 0..16; round(v * 255 / 16) maps them onto 0..255 (v = 8 gives 127.5, which
    rounds up: the only half-way case).
    """
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = np.floor(digits.images * 255 / 16 + 0.5).astype(np.uint8)
    labels = digits.target.astype(np.int64)
    train, val = train_test_split(np.arange(len(labels)), test_size=VAL_FRACTION,
                                  stratify=labels, random_state=split_seed)
    return images, labels, np.sort(train), np.sort(val)


def to_input(images):
    """uint8 [N,8,8] -> float32 [N,1,8,8] torch tensor, as zooci's preprocessing computes it.

    v * (1/255) in double, rounded to float32 (the same as v / 255 in float32). Multiplying in
    float32 instead differs in the last bit for some pixel values; that moves the logits by
    about 1e-5, well under MIN_MARGIN, so the counts are the same either way.
    """
    import numpy as np
    import torch

    x = (images.astype(np.float64) * SCALE).astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(x[:, None, :, :]))


def sample_path(label, index):
    """The PNG's path relative to the model folder; sorted order is stable (zero-padded)."""
    return f"{DATASET_DIR}/{label}/{index:04d}.png"


def encode_png(image):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image, mode="L").save(buf, format="PNG")
    return buf.getvalue()


def read_png(path):
    import numpy as np
    from PIL import Image

    with Image.open(path) as img:
        if img.mode != "L" or img.size != (IMAGE_SIZE, IMAGE_SIZE):
            raise ValueError(f"{path}: {img.mode} {img.size}, expected L {IMAGE_SIZE}x{IMAGE_SIZE}")
        return np.array(img, dtype=np.uint8)


# ---- Model ----------------------------------------------------------------------------------

def make_net():
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * (IMAGE_SIZE // 2) ** 2, NUM_CLASSES),
    )


def train(x, y, seed):
    """Adam, cross-entropy, seeded init and shuffling. Returns the network in eval mode."""
    import torch

    torch.manual_seed(seed)
    net = make_net()
    opt = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    g = torch.Generator().manual_seed(seed + 1000)
    net.train()
    for _ in range(EPOCHS):
        perm = torch.randperm(len(y), generator=g)
        for start in range(0, len(y), BATCH_SIZE):
            batch = perm[start:start + BATCH_SIZE]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
            opt.step()
    net.eval()
    return net


def evaluate(net, x, labels):
    """Top-1/top-k counts and the margins that decide them (PyTorch, float32)."""
    import torch

    with torch.no_grad():
        logits = net(x)
    order = torch.argsort(logits, dim=1, descending=True)
    ranked = torch.gather(logits, 1, order)
    y = torch.from_numpy(labels)
    top1 = order[:, 0]
    in_topk = (order[:, :TOP_K] == y[:, None]).any(dim=1)
    # How far the true class is from the top-k boundary: only a near-tie there could flip it.
    true_logit = logits.gather(1, y[:, None])[:, 0]
    topk_margin = torch.where(in_topk, true_logit - ranked[:, TOP_K], ranked[:, TOP_K - 1] - true_logit)
    top1_margin = ranked[:, 0] - ranked[:, 1]
    return {
        "logits": logits,
        "predicted": top1.numpy(),
        "top1_margin": top1_margin.numpy(),
        "correct": int((top1 == y).sum()),
        "topk_correct": int(in_topk.sum()),
        "total": len(labels),
        "min_top1_margin": float(top1_margin.min()),
        "min_topk_margin": float(topk_margin.min()),
    }


# ---- Builder --------------------------------------------------------------------------------

def build(spec):
    """make_example_models.py builder: (net in eval mode, test batch, write_extras callable)."""
    import numpy as np
    import torch

    images, labels, train_idx, val_idx = load_split(spec["split_seed"])
    # zooci's sample order: class folders sorted by name ("0".."9"), then file names.
    val_idx = np.array(sorted(val_idx, key=lambda i: sample_path(labels[i], i)))
    x_train, y_train = to_input(images[train_idx]), torch.from_numpy(labels[train_idx])
    x_val = to_input(images[val_idx])

    for attempt in range(MAX_ATTEMPTS):
        seed = spec["seed"] + attempt
        t0 = time.monotonic()
        net = train(x_train, y_train, seed)
        result = evaluate(net, x_val, labels[val_idx])
        print(f"{spec['name']}: seed {seed}: top-1 {result['correct']}/{result['total']}, "
              f"top-{TOP_K} {result['topk_correct']}/{result['total']}, "
              f"min top-1 margin {result['min_top1_margin']:.4f}, "
              f"min top-{TOP_K} margin {result['min_topk_margin']:.4f}, "
              f"trained in {time.monotonic() - t0:.1f}s")
        if min(result["min_top1_margin"], result["min_topk_margin"]) >= MIN_MARGIN:
            break
    else:
        raise RuntimeError(f"{spec['name']}: every seed left a validation margin under {MIN_MARGIN}")

    # test_data_set_0: the validation images with the smallest load_digits indices (mixed digits).
    test_idx = np.sort(val_idx)[:TEST_SAMPLES]
    sample = to_input(images[test_idx])

    def write_extras(d, model_bytes, write_file):
        write_dataset(d, images, labels, val_idx, write_file)
        readback = read_dataset(d, labels, val_idx)
        if not np.array_equal(readback, images[val_idx]):
            raise RuntimeError(f"{spec['name']}: the PNGs read back differ from the images written")
        measured = evaluate(net, to_input(readback), labels[val_idx])
        if measured["correct"] != result["correct"] or measured["topk_correct"] != result["topk_correct"]:
            raise RuntimeError(f"{spec['name']}: accuracy on the PNGs read back differs")
        info = {"seed": seed, "split_seed": spec["split_seed"], "train": len(train_idx),
                "parameters": sum(p.numel() for p in net.parameters()),
                "model_bytes": model_bytes, "test_indices": [int(i) for i in test_idx]}
        write_file(d / SCENARIO, scenario_yaml(spec).encode())
        write_file(d / ACCURACY_JSON, accuracy_json(measured).encode())
        write_file(d / PREDICTIONS_CSV, predictions_csv(measured, labels, val_idx).encode())
        write_file(d / README, readme(spec, measured, info).encode())

    return net, sample, write_extras


def write_dataset(d, images, labels, val_idx, write_file):
    root = d / DATASET_DIR
    if root.exists():
        shutil.rmtree(root)  # no stale images from another split
    for i in val_idx:
        write_file(d / sample_path(labels[i], i), encode_png(images[i]))


def read_dataset(d, labels, val_idx):
    """Reads the validation PNGs back, checking that the folder holds exactly those files."""
    import numpy as np

    found = sorted(str(p.relative_to(d)) for p in (d / DATASET_DIR).rglob("*") if p.is_file())
    wanted = [sample_path(labels[i], i) for i in val_idx]
    if found != wanted:
        raise RuntimeError(f"{d / DATASET_DIR}: unexpected files")
    return np.stack([read_png(d / p) for p in wanted])


# ---- Written files --------------------------------------------------------------------------

def percent(n, total):
    return 100 * n / total


def scenario_yaml(spec):
    return f"""\
# zooci eval scenario for {spec['name']} (src/eval/scenario.h).
# Generated by tools/make_example_models.py (tools/digits_fixture.py): do not edit.
task: image-classification
model: model.onnx
dataset:
  format: imagefolder
  path: {DATASET_DIR}
preprocessing:
  - decode: grayscale
  - scale: {SCALE!r}
  - layout: NCHW
  - dtype: float32
output:
  name: {spec['output_name']}
  kind: logits
  label_offset: 0
  top_k: {TOP_K}
claims:
  readme: {{file: {README}, column: "{ACCURACY_COLUMN}", row: "{spec['name']}"}}
tolerance: {TOLERANCE_PP}
"""


def accuracy_json(r):
    record = {
        "correct": r["correct"],
        "total": r["total"],
        "top1_percent": round(percent(r["correct"], r["total"]), 6),
        "top5_correct": r["topk_correct"],
        "top5_percent": round(percent(r["topk_correct"], r["total"]), 6),
        "min_top1_margin": round(r["min_top1_margin"], 6),
        "min_top5_margin": round(r["min_topk_margin"], 6),
    }
    return json.dumps(record, indent=2) + "\n"


def predictions_csv(r, labels, val_idx):
    lines = ["file,label,predicted,top1_margin"]
    for i, pred, margin in zip(val_idx, r["predicted"], r["top1_margin"]):
        lines.append(f"{sample_path(labels[i], i)},{labels[i]},{pred},{margin:.6f}")
    return "\n".join(lines) + "\n"


def readme(spec, r, info):
    import onnx

    name = spec["name"]
    top1 = percent(r["correct"], r["total"])
    top5 = percent(r["topk_correct"], r["total"])
    model = onnx.load_from_string(info["model_bytes"])
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    kb = max(1, round(len(info["model_bytes"]) / 1024))
    test = ", ".join(str(i) for i in info["test_indices"])
    return f"""\
<!--- SPDX-License-Identifier: Apache-2.0 -->
<!--- Generated by tools/make_example_models.py (tools/digits_fixture.py): do not edit. -->

# Digits CNN

## Use cases
Recognising a handwritten digit (0 to 9) in a tiny 8x8 grayscale image. The model is an example
for ZooCI: small enough to train in seconds on a CPU, with a validation set that ships next to
it, so that its claimed accuracy can be checked end to end with `zooci eval`.

## Description
A two-layer convolutional network: two 3x3 convolutions (16 and 32 channels, padding 1, ReLU),
a 2x2 max pooling and a fully connected layer producing one score per digit, {info['parameters']:,}
parameters in all. It was trained with PyTorch and exported to ONNX.

## Model

|Model|Download|Download (with sample test data)|ONNX version|Opset version|{ACCURACY_COLUMN}|Top-5 accuracy (%)|
|-----|:-------|:-------------------------------|:-----------|:------------|:----------------|:-----------------|
|{name}|[{kb} KB](model.onnx)|[test_data_set_0](test_data_set_0)|{onnx.__version__}|{opset}|{top1:.2f}|{top5:.2f}|

## Inference

### Input
A batch of 8x8 grayscale images, one channel, values in [0, 1]:

``input: float[N, 1, 8, 8]``

### Preprocessing
Decode the image as 8-bit grayscale, multiply every pixel by 1/255 (to float32, 0..255 becoming
0..1), and lay the batch out as NCHW. No resizing and no mean/std normalisation. `{SCENARIO}` declares the same steps
for `zooci eval`.

### Output
Unnormalised scores (logits) for the ten digits, index k meaning digit k:

``{spec['output_name']}: float[N, 10]``

### Postprocessing
The predicted digit is the index of the largest score; apply a softmax for probabilities.

## Dataset
The digits data set bundled with scikit-learn (`sklearn.datasets.load_digits`): 1,797 images
of handwritten digits, 8x8 pixels with values 0 to 16, from the UCI "Optical Recognition of
Handwritten Digits" data. Pixels were mapped to 0-255 with round(v * 255 / 16). A stratified
split (`train_test_split`, test_size {VAL_FRACTION}, random_state {info['split_seed']}) keeps
{r['total']:,} images for validation and {info['train']:,} for training. The validation images are in
`{DATASET_DIR}/<digit>/<index>.png` (ImageFolder layout; index is the image's position in
`load_digits`). test_data_set_0 holds the validation images {test} and PyTorch's logits for them.

## Training
{EPOCHS} epochs of Adam (learning rate {LEARNING_RATE}, batch size {BATCH_SIZE}, cross-entropy)
on the training images, preprocessed exactly as above, with seed {info['seed']}, deterministic
algorithms and one thread.

## Validation accuracy
Measured by PyTorch (float32) on the validation PNG files: {r['correct']:,} of {r['total']:,} images
correct at top-1 ({top1:.2f}%), {r['topk_correct']:,} of {r['total']:,} at top-5 ({top5:.2f}%).
The smallest gap between the two best scores of any validation image is
{r['min_top1_margin']:.4f}, far above float rounding differences between runtimes.
`{ACCURACY_JSON}` records these counts and `{PREDICTIONS_CSV}` each image's prediction.

## References
* The data set: E. Alpaydin, C. Kaynak, Optical Recognition of Handwritten Digits, UCI Machine
  Learning Repository, 1998; scikit-learn's
  [load_digits](https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html).
* [PyTorch](https://pytorch.org) and its [ONNX exporter](https://pytorch.org/docs/stable/onnx.html).

## Contributors
* ZooCI (`tools/make_example_models.py`)

## License
Apache 2.0
"""
