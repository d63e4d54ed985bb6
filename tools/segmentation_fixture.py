"""The shapes_seg example model: a tiny fully-convolutional segmenter trained on generated shapes.

Used by make_example_models.py (kind "segmentation"). Everything is generated here from seeded
random numbers with Debian's python3-numpy, python3-pil and python3-torch: nothing is downloaded.
Besides the model and test_data_set_0 that every fixture has, this writes what `zooci eval`
needs to reproduce the mIoU that this file computes, in numpy, from PyTorch's outputs:

    images/<NNNN>.png       the validation images, 64 px on the longer side (RGB)
    masks/<NNNN>.png        their masks: one 8-bit channel, the class index of each pixel, 255
                            (ignore_index) on a one-pixel band each side of every shape's edge
    classes.txt             background, circle, square, triangle (class k on line k)
    zooci.yaml              the eval scenario (task semantic-segmentation)
    README.md               a model zoo style page whose table claims the mIoU
    expected_miou.json      the reference's figures and confusion matrix, for tests

The images reuse detection_data.py's drawing: a noisy background with lines and rings as clutter
and one to four filled shapes (circle, square, triangle), here of 6 to 30 px. The void band
around each edge is what VOC's masks have too (their 255 border): the pixels whose class is a
matter of antialiasing are not scored.

The model sees exactly what zooci's preprocessing makes of the PNGs: decode, RGB, letterbox to
64x64 (the longer side is already 64, so only padding with 114; no resampling), times 1/255 in
float32, NCHW. It outputs logits [N, 4, 64, 64] at the input's resolution (it upsamples
bilinearly inside), compared at the original resolution: each original pixel's centre maps to a
pixel centre of the output, where bilinear sampling returns that pixel's logits exactly, so the
prediction is the argmax of the letterboxed output cropped back to the image.

ONNX Runtime's logits differ from PyTorch's in the last bits (a few 1e-6), which could flip the
argmax of a pixel whose two best logits are that close. Over some 300,000 scored pixels a few
always are, whatever the seed, so instead of searching seeds (as detection_fixture.py does for
its far fewer decisions) the pixels whose two best logits are closer than MIN_MARGIN are marked
IGNORE_INDEX in the published masks (a handful; the README and expected_miou.json count them).
The mIoU is then the same whichever runtime computes it.

Definitions (as zooci's, docs/segmentation.md): the confusion matrix over scored pixels (rows
ground truth, columns prediction); per class IoU = TP / (TP + FP + FN), defined when the class
is in the masks or the predictions; mIoU the mean over the defined classes; pixel accuracy the
correct fraction of scored pixels. Sums run in class order, so the figures are bit-identical.
"""

import io
import json
import shutil
import time

from detection_data import PAD_VALUE, SCALE, box_iou, draw_shape

CLASSES = ["background", "circle", "square", "triangle"]
SHAPES = CLASSES[1:]
LONG_SIDE = 64  # every image's longer side; the model input is 64x64
SHORT_SIDES = (40, 48, 56, 64)
IGNORE_INDEX = 255
TRAIN_IMAGES = 800
VAL_IMAGES = 100
EPOCHS = 14
BATCH_SIZE = 32
LEARNING_RATE = 4e-3
CLASS_WEIGHTS = [0.25, 1.0, 1.0, 1.0]  # background is most pixels
MIN_MARGIN = 1e-4
TEST_SAMPLES = 2
TOLERANCE_PP = 0.5

IMAGES_DIR = "images"
MASKS_DIR = "masks"
LABELS = "classes.txt"
SCENARIO = "zooci.yaml"
README = "README.md"
EXPECTED_JSON = "expected_miou.json"
MIOU_COLUMN = "mIoU (%)"
PIXEL_COLUMN = "Pixel accuracy (%)"


def expected_files(d):
    """The files this fixture writes besides model.onnx and test_data_set_0 (for the stamp)."""
    files = [d / SCENARIO, d / README, d / EXPECTED_JSON, d / LABELS]
    files += [d / IMAGES_DIR / f"{k:04d}.png" for k in range(1, VAL_IMAGES + 1)]
    files += [d / MASKS_DIR / f"{k:04d}.png" for k in range(1, VAL_IMAGES + 1)]
    return files


# ---- Data -------------------------------------------------------------------------------------

def make_image(rng):
    """One image: (uint8 RGB [H, W, 3], uint8 mask [H, W] of class indices and IGNORE_INDEX)."""
    import numpy as np
    from PIL import Image, ImageDraw

    short = int(rng.choice(SHORT_SIDES))
    width, height = (LONG_SIDE, short) if rng.random() < 0.5 else (short, LONG_SIDE)
    base = rng.integers(40, 216, size=3)
    pixels = base[None, None, :] + rng.normal(0, 14, size=(height, width, 3))
    img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(3, 8))):  # clutter: lines and thin rings
        color = tuple(int(c) for c in rng.integers(0, 256, size=3))
        if rng.random() < 0.6:
            pts = [float(v) for v in rng.uniform(0, [width, height, width, height])]
            draw.line(pts, fill=color, width=1)
        else:
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            r = rng.uniform(3, 9)
            draw.ellipse([x - r, y - r, x + r, y + r], outline=color, width=1)
    mask_img = Image.new("L", (width, height), 0)
    mask_draw = ImageDraw.Draw(mask_img)
    boxes = []
    wanted = int(rng.integers(1, 5))
    for _ in range(40):
        if len(boxes) >= wanted:
            break
        kind = SHAPES[int(rng.integers(0, len(SHAPES)))]
        size = int(rng.integers(6, 31))
        if size > min(width, height) - 2:
            continue
        x, y = int(rng.integers(0, width - size + 1)), int(rng.integers(0, height - size + 1))
        candidate = [float(x), float(y), float(size), float(size)]
        if any(box_iou(candidate, b) > 0.05 for b in boxes):
            continue
        color = base + rng.choice([-1, 1], size=3) * rng.integers(60, 120, size=3)
        draw_shape(draw, kind, x, y, size, tuple(int(c) for c in np.clip(color, 0, 255)))
        draw_shape(mask_draw, kind, x, y, size, CLASSES.index(kind))
        boxes.append(candidate)
    mask = np.array(mask_img, dtype=np.uint8)
    # The void band: a pixel with a 4-neighbour of another class is not scored.
    edge = np.zeros(mask.shape, dtype=bool)
    edge[:, 1:] |= mask[:, 1:] != mask[:, :-1]
    edge[:, :-1] |= mask[:, 1:] != mask[:, :-1]
    edge[1:, :] |= mask[1:, :] != mask[:-1, :]
    edge[:-1, :] |= mask[1:, :] != mask[:-1, :]
    mask[edge] = IGNORE_INDEX
    return np.array(img, dtype=np.uint8), mask


def make_split(seed, count):
    import numpy as np

    rng = np.random.default_rng(seed)
    return [make_image(rng) for _ in range(count)]


def letterbox(image, fill):
    """[H, W, ...] -> [64, 64, ...] padded with `fill`, and the (left, top) offset (zooci's)."""
    import numpy as np

    h, w = image.shape[:2]
    assert max(h, w) == LONG_SIDE
    left, top = (LONG_SIDE - w) // 2, (LONG_SIDE - h) // 2
    out = np.full((LONG_SIDE, LONG_SIDE) + image.shape[2:], fill, dtype=np.uint8)
    out[top:top + h, left:left + w] = image
    return out, left, top


def to_input(images):
    """uint8 [H, W, 3] images -> float32 [N, 3, 64, 64] tensor (times float32(1/255), as zooci's
    scale step) and the letterbox offsets."""
    import numpy as np
    import torch

    boxed = [letterbox(im, PAD_VALUE) for im in images]
    x = np.stack([b[0] for b in boxed]).astype(np.float32) * np.float32(SCALE)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))), [(b[1], b[2]) for b in boxed]


def to_targets(masks):
    import numpy as np
    import torch

    return torch.from_numpy(np.stack([letterbox(m, IGNORE_INDEX)[0] for m in masks]).astype(np.int64))


# ---- Model ------------------------------------------------------------------------------------

def make_net():
    import torch
    from torch import nn
    import torch.nn.functional as F

    def block(cin, cout, stride=1, dilation=1):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation,
                                       bias=False), nn.BatchNorm2d(cout), nn.ReLU())

    class Net(nn.Module):
        """Encoder at 1/4 resolution with dilated context, bilinear upsampling with skips."""

        def __init__(self):
            super().__init__()
            self.e1 = block(3, 8)
            self.e2 = block(8, 16, stride=2)
            self.e3 = nn.Sequential(block(16, 48, stride=2), block(48, 48, dilation=2),
                                    block(48, 48, dilation=4), block(48, 48, dilation=2))
            self.d2 = block(48 + 16, 16)
            self.d1 = block(16 + 8, 8)
            self.head = nn.Conv2d(8, len(CLASSES), 1)

        def forward(self, x):
            f1 = self.e1(x)
            f2 = self.e2(f1)
            f3 = self.e3(f2)
            up = F.interpolate(f3, scale_factor=2.0, mode="bilinear", align_corners=False)
            u2 = self.d2(torch.cat([up, f2], 1))
            up = F.interpolate(u2, scale_factor=2.0, mode="bilinear", align_corners=False)
            return self.head(self.d1(torch.cat([up, f1], 1)))

    return Net()


def train(x, y, seed):
    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    net = make_net()
    opt = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
    g = torch.Generator().manual_seed(seed + 1000)
    weight = torch.tensor(CLASS_WEIGHTS)
    net.train()
    for _ in range(EPOCHS):
        perm = torch.randperm(len(x), generator=g)
        for start in range(0, len(x), BATCH_SIZE):
            idx = perm[start:start + BATCH_SIZE]
            opt.zero_grad()
            F.cross_entropy(net(x[idx]), y[idx], weight=weight, ignore_index=IGNORE_INDEX).backward()
            opt.step()
        sched.step()
    net.eval()
    return net


# ---- The reference figures, independently of zooci's C++ ----------------------------------------

def margins(logits, offsets, shapes):
    """Per image, each original pixel's margin between its two best logits."""
    import numpy as np

    out = []
    for scores, (left, top), (h, w) in zip(logits, offsets, shapes):
        top2 = np.sort(scores[:, top:top + h, left:left + w], axis=0)[-2:]
        out.append(top2[1] - top2[0])
    return out


def evaluate(logits, masks, offsets):
    """(figures dict, the smallest margin between a scored pixel's two best logits)."""
    import numpy as np

    c = len(CLASSES)
    confusion = np.zeros((c, c), dtype=np.int64)
    min_margin = float("inf")
    for scores, mask, (left, top), margin in zip(logits, masks, offsets,
                                                  margins(logits, offsets, [m.shape for m in masks])):
        h, w = mask.shape
        s = scores[:, top:top + h, left:left + w]  # the original pixels' logits
        pred = s.argmax(axis=0)  # the first of equal maxima, as zooci
        scored = mask != IGNORE_INDEX
        confusion += np.bincount(mask[scored].astype(np.int64) * c + pred[scored],
                                 minlength=c * c).reshape(c, c)
        min_margin = min(min_margin, float(margin[scored].min()))
    return figures(confusion), min_margin


def figures(confusion):
    """mIoU etc. of a confusion matrix, summing in class order (as zooci)."""
    c = len(CLASSES)
    rows = [[int(v) for v in row] for row in confusion]
    per_class, iou_sum, iou_n, acc_sum, acc_n, correct, total = [], 0.0, 0, 0.0, 0, 0, 0
    for k in range(c):
        tp = rows[k][k]
        gt = sum(rows[k])
        predicted = sum(rows[j][k] for j in range(c))
        union = gt + predicted - tp
        iou = tp / union if union > 0 else None
        acc = tp / gt if gt > 0 else None
        if iou is not None:
            iou_sum += iou
            iou_n += 1
        if acc is not None:
            acc_sum += acc
            acc_n += 1
        correct += tp
        total += gt
        per_class.append({"class": CLASSES[k], "iou": iou, "accuracy": acc, "ground_truth_pixels": gt,
                          "predicted_pixels": predicted, "true_positives": tp})
    return {"miou_percent": 100 * (iou_sum / iou_n), "miou_classes": iou_n,
            "pixel_accuracy_percent": 100 * (correct / total),
            "mean_accuracy_percent": 100 * (acc_sum / acc_n),
            "evaluated_pixels": total, "per_class": per_class, "confusion": rows}


# ---- Builder ----------------------------------------------------------------------------------

def build(spec):
    """make_example_models.py builder: (net in eval mode, test batch, write_extras callable)."""
    import numpy as np
    import torch

    t0 = time.monotonic()
    train_set = make_split(spec["data_seed"], TRAIN_IMAGES)
    val = make_split(spec["data_seed"] + 1, VAL_IMAGES)
    x_train, _ = to_input([im for im, _ in train_set])
    y_train = to_targets([m for _, m in train_set])
    x_val, val_offsets = to_input([im for im, _ in val])
    val_masks = [m for _, m in val]
    print(f"{spec['name']}: {TRAIN_IMAGES} training and {VAL_IMAGES} validation images made in "
          f"{time.monotonic() - t0:.1f}s")

    seed = spec["seed"]
    t0 = time.monotonic()
    net = train(x_train, y_train, seed)
    with torch.no_grad():
        logits = net(x_val).numpy()
    # Knife edges: a scored pixel whose two best logits are closer than MIN_MARGIN could go
    # either way on another runtime; it is marked IGNORE_INDEX in the published mask.
    voided = 0
    for mask, margin in zip(val_masks, margins(logits, val_offsets, [m.shape for m in val_masks])):
        edge = (mask != IGNORE_INDEX) & (margin < MIN_MARGIN)
        voided += int(edge.sum())
        mask[edge] = IGNORE_INDEX
    result, margin = evaluate(logits, val_masks, val_offsets)
    assert margin >= MIN_MARGIN
    print(f"{spec['name']}: seed {seed}: mIoU {result['miou_percent']:.2f}, pixel accuracy "
          f"{result['pixel_accuracy_percent']:.2f}, {voided} knife-edge pixels voided, smallest margin "
          f"{margin:.3g}, trained in {time.monotonic() - t0:.1f}s")

    sample, _ = to_input([im for im, _ in val[:TEST_SAMPLES]])

    def write_extras(d, model_bytes, write_file):
        from PIL import Image

        for sub in (IMAGES_DIR, MASKS_DIR):
            if (d / sub).exists():
                shutil.rmtree(d / sub)  # no stale files
        names = [f"{k:04d}.png" for k in range(1, VAL_IMAGES + 1)]
        for name, (image, mask) in zip(names, val):
            for sub, array, mode in ((IMAGES_DIR, image, "RGB"), (MASKS_DIR, mask, "L")):
                buf = io.BytesIO()
                Image.fromarray(array, mode).save(buf, format="PNG")
                write_file(d / sub / name, buf.getvalue())
        images_back = [np.array(Image.open(d / IMAGES_DIR / n).convert("RGB")) for n in names]
        masks_back = [np.array(Image.open(d / MASKS_DIR / n)) for n in names]
        if not all(np.array_equal(a, b[0]) and np.array_equal(m, b[1])
                   for a, m, b in zip(images_back, masks_back, val)):
            raise RuntimeError(f"{spec['name']}: the PNGs read back differ from the data written")
        x_back, offsets_back = to_input(images_back)
        with torch.no_grad():
            measured, margin_back = evaluate(net(x_back).numpy(), masks_back, offsets_back)
        if measured != result:
            raise RuntimeError(f"{spec['name']}: the figures on the PNGs read back differ")
        info = {"seed": seed, "data_seed": spec["data_seed"], "margin": margin_back, "voided": voided,
                "parameters": sum(p.numel() for p in net.parameters()), "model_bytes": model_bytes}
        write_file(d / LABELS, "".join(c + "\n" for c in CLASSES).encode())
        write_file(d / SCENARIO, scenario_yaml(spec).encode())
        record = dict(measured, min_margin=margin_back, voided_pixels=voided, seed=seed)
        write_file(d / EXPECTED_JSON, (json.dumps(record, indent=2) + "\n").encode())
        write_file(d / README, readme(spec, measured, info).encode())

    return net, sample, write_extras


# ---- Written files ----------------------------------------------------------------------------

def scenario_yaml(spec):
    return f"""\
# zooci eval scenario for {spec['name']} (src/eval/scenario.h, docs/segmentation.md).
# Generated by tools/make_example_models.py (tools/segmentation_fixture.py): do not edit.
task: semantic-segmentation
model: model.onnx
dataset:
  format: masks
  path: {IMAGES_DIR}
  annotations: {MASKS_DIR}
  labels: {LABELS}
  ignore_index: {IGNORE_INDEX}
preprocessing:
  - decode: color
  - color: RGB
  - letterbox: {{size: [{LONG_SIDE}, {LONG_SIDE}], color: [{PAD_VALUE}]}}
  - scale: {SCALE!r}
  - layout: NCHW
  - dtype: float32
output:
  name: {spec['output_name']}
  kind: logits
  compare_at: original
  upsample: bilinear
claims:
  readme: {{file: {README}, column: "{MIOU_COLUMN}", row: "{spec['name']}", metric: miou}}
tolerance: {TOLERANCE_PP}
"""


def readme(spec, r, info):
    import onnx

    name = spec["name"]
    model = onnx.load_from_string(info["model_bytes"])
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    kb = max(1, round(len(info["model_bytes"]) / 1024))
    per_class = "\n".join(f"|{row['class']}|{100 * row['iou']:.2f}|{100 * row['accuracy']:.2f}|"
                          f"{row['ground_truth_pixels']}|" for row in r["per_class"])
    return f"""\
<!--- SPDX-License-Identifier: Apache-2.0 -->
<!--- Generated by tools/make_example_models.py (tools/segmentation_fixture.py): do not edit. -->

# Shapes Seg

## Use cases
Labelling every pixel of small cluttered images as background, circle, square or triangle: an
example semantic segmentation model for ZooCI, small enough to train in a couple of minutes on
one CPU core, with a validation set of images and masks that ships next to it, so that its
claimed mIoU can be checked end to end with `zooci eval`.

## Description
A fully-convolutional encoder-decoder: 3x3 convolutions with batch normalization and ReLU, two
of stride 2 and three dilated (2, 4, 2) at a quarter of the resolution, then bilinear upsampling with
skip connections back to the input's resolution and a 1x1 convolution giving one logit per
class and pixel: {info['parameters']:,} parameters. Trained with PyTorch and exported to ONNX.

## Model

|Model|Download|Download (with sample test data)|ONNX version|Opset version|{MIOU_COLUMN}|{PIXEL_COLUMN}|
|-----|:-------|:-------------------------------|:-----------|:------------|:-----------|:-----------|
|{name}|[{kb} KB](model.onnx)|[test_data_set_0](test_data_set_0)|{onnx.__version__}|{opset}|{r['miou_percent']:.2f}|{r['pixel_accuracy_percent']:.2f}|

## Inference

### Input
A batch of 64x64 RGB images, values in [0, 1]:

``input: float[N, 3, 64, 64]``

### Preprocessing
Decode the image as RGB, letterbox it to 64x64 (scale to fit keeping the aspect ratio, then pad
centred with gray {PAD_VALUE}), multiply by 1/255 in float32 and lay the batch out as NCHW.
`{SCENARIO}` declares the same steps for `zooci eval`.

### Output
One logit per class ({", ".join(CLASSES)}) and input pixel:

``{spec['output_name']}: float[N, {len(CLASSES)}, 64, 64]``

### Postprocessing
The class of a pixel is the argmax of its logits; undo the letterbox by cropping the padding.

## Dataset
Generated by `tools/segmentation_fixture.py` from seeded random numbers (seed {info['data_seed']}):
images 64 pixels on the longer side and 40 to 64 on the other, with noise, lines and rings as
clutter and one to four filled shapes of 6 to 30 pixels. {TRAIN_IMAGES:,} images for training;
{VAL_IMAGES} for validation in `{IMAGES_DIR}/` with their masks in `{MASKS_DIR}/` (8-bit PNG, the
class index of each pixel, {IGNORE_INDEX} on the one-pixel band each side of every edge, which
is not scored).

## Training
{EPOCHS} epochs of Adam (learning rate {LEARNING_RATE}, cosine schedule, batch size {BATCH_SIZE})
on per-pixel cross-entropy (ignoring {IGNORE_INDEX} and the letterbox padding), seed
{info['seed']}, one thread.

## Validation accuracy
Over the {r['evaluated_pixels']:,} scored pixels of the validation set, at the images' own
resolution:

|metric|value (%)|
|------|---------:|
|mIoU|{r['miou_percent']:.2f}|
|pixel accuracy|{r['pixel_accuracy_percent']:.2f}|
|mean class accuracy|{r['mean_accuracy_percent']:.2f}|

|class|IoU (%)|accuracy (%)|pixels|
|-----|------:|-----------:|-----:|
{per_class}

Every scored pixel's two best logits differ by at least {info['margin']:.2g}, beyond the
differences between runtimes: the {info['voided']} pixels whose two best logits were closer than
{MIN_MARGIN:g} are marked {IGNORE_INDEX} in the masks. `{EXPECTED_JSON}` records the figures and the
confusion matrix.

## References
* M. Everingham et al., [The PASCAL Visual Object Classes Challenge](http://host.robots.ox.ac.uk/pascal/VOC/), the mIoU definition.
* J. Long, E. Shelhamer, T. Darrell, [Fully Convolutional Networks for Semantic Segmentation](https://arxiv.org/abs/1411.4038), 2015.

## Contributors
* ZooCI (`tools/make_example_models.py`)

## License
Apache 2.0
"""


if __name__ == "__main__":  # timing of one attempt, without writing anything
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    build({"name": "shapes_seg", "seed": 41, "data_seed": 9, "output_name": "scores"})
