"""Texts of the example zoo that tools/make_example_zoo.py builds: READMEs, notebooks, scripts.

Everything here is a pure function of its arguments (no clock, no environment), so the zoo's
commits are reproducible. A model README is a list of sections so that a submission can drop
some of them (see readme_sections / render_readme).
"""

import json

SPDX_LINE = "<!--- SPDX-License-Identifier: Apache-2.0 -->"
TABLE_COLUMNS = ["Model", "Download", "Download (with sample test data)", "ONNX version",
                 "Opset version", "Top-1 accuracy (%)", "Top-5 accuracy (%)"]
IMAGENET_URL = "https://www.image-net.org/challenges/LSVRC/2012/"
TORCHVISION_URL = "https://pytorch.org/vision/stable/models.html"
DIGITS_URL = "https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html"

# ---- Per-architecture prose (ImageNet classifiers from torchvision, random weights) -----------

IMAGENET_MODELS = {
    "squeezenet": {
        "title": "SqueezeNet",
        "row": "SqueezeNet 1.1",
        "arch": "squeezenet1_1",
        "batchnorm": False,
        "summary": "Small CNN built from fire modules; AlexNet-level accuracy with 50x fewer parameters.",
        "description": (
            "SqueezeNet replaces most 3x3 convolutions by \"fire\" modules: a 1x1 squeeze convolution\n"
            "that reduces the number of channels, followed by parallel 1x1 and 3x3 expand\n"
            "convolutions whose outputs are concatenated. Version 1.1 moves the pooling layers earlier\n"
            "and uses fewer filters in the first layer, which cuts the computation by about 2.4x\n"
            "compared with version 1.0 at the same accuracy. The classifier is a 1x1 convolution to\n"
            "1000 channels followed by global average pooling, so there is no fully connected layer."),
        "use_cases": (
            "Classifying the main object of a photograph into one of the 1000 ImageNet classes on\n"
            "devices where memory and bandwidth are scarce: the whole network is a few megabytes."),
        "reference": ("Iandola et al.", "https://arxiv.org/abs/1602.07360",
                      "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size"),
    },
    "mobilenet": {
        "title": "MobileNet",
        "row": "MobileNet v2-1.0",
        "arch": "mobilenet_v2",
        "batchnorm": True,
        "summary": "Inverted residual blocks with depthwise convolutions, for mobile and embedded use.",
        "description": (
            "MobileNet v2 is built from inverted residual blocks: a 1x1 convolution expands the\n"
            "channels, a 3x3 depthwise convolution filters them, and a linear 1x1 convolution projects\n"
            "them back to a narrow bottleneck, with the shortcut connection between bottlenecks. Keeping\n"
            "the bottlenecks linear preserves information that a ReLU would destroy in a low-dimensional\n"
            "space. This is the width multiplier 1.0 variant with 3.5 million parameters."),
        "use_cases": (
            "Image classification into the 1000 ImageNet classes on phones and embedded boards, and\n"
            "as a light feature extractor (backbone) for detection and segmentation models."),
        "reference": ("Sandler et al.", "https://arxiv.org/abs/1801.04381",
                      "MobileNetV2: Inverted Residuals and Linear Bottlenecks"),
    },
    "resnet": {
        "title": "ResNet",
        "row": "ResNet18",
        "arch": "resnet18",
        "batchnorm": True,
        "summary": "Deep residual network whose shortcut connections make very deep CNNs trainable.",
        "description": (
            "ResNet learns residual functions: each block adds its input to the output of two 3x3\n"
            "convolutions (with batch normalization and ReLU) through a shortcut connection, so that\n"
            "gradients flow through deep stacks of layers. ResNet-18 has four stages of two such basic\n"
            "blocks (64, 128, 256 and 512 channels), a 7x7 stem convolution, global average pooling and\n"
            "a fully connected layer to 1000 classes: 11.7 million parameters."),
        "use_cases": (
            "General-purpose image classification into the 1000 ImageNet classes, and a common\n"
            "backbone for transfer learning, detection and segmentation."),
        "reference": ("He et al.", "https://arxiv.org/abs/1512.03385",
                      "Deep Residual Learning for Image Recognition"),
    },
}


# ---- Formatting helpers ----------------------------------------------------------------------

def size_text(n):
    """Human size as the zoo's tables show it: '40 KB', '4.7 MB' (1024-based)."""
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def shape_text(name, elem, shape):
    dims = ", ".join("?" if d is None else str(d) for d in shape)
    return f"``{name}: {elem}[{dims}]``"


def table_row(cells):
    return "|" + "|".join(cells) + "|"


def model_table(rows, columns=TABLE_COLUMNS, metrics=("top1", "top5")):
    """rows: list of dicts with keys row, onnx, onnx_size, tar, tar_size, onnx_version, opset,
    and the `metrics` keys (strings; empty metric cells allowed)."""
    lines = [table_row(columns), table_row(["-----"] + [":------"] * (len(columns) - 1))]
    for r in rows:
        lines.append(table_row([
            r["row"], f"[{size_text(r['onnx_size'])}]({r['onnx']})",
            f"[{size_text(r['tar_size'])}]({r['tar']})", r["onnx_version"], str(r["opset"]),
            *(r[m] for m in metrics)]))
    return "\n".join(lines)


def render_readme(title, sections, drop=()):
    """sections: list of (level, heading, body). Sections whose heading is in `drop` are left out
    (with their subsections when the dropped one is a level-2 section)."""
    out = [SPDX_LINE, "", f"# {title}", ""]
    dropping_level = None
    for level, heading, body in sections:
        if dropping_level is not None and level > dropping_level:
            continue
        dropping_level = None
        if heading in drop:
            dropping_level = level
            continue
        out += ["#" * level + " " + heading, body.rstrip("\n"), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ---- Model READMEs ---------------------------------------------------------------------------

def imagenet_sections(m, row, io):
    """m: IMAGENET_MODELS entry; row: model table row dict; io: dict input/output (name, shape)."""
    ref_who, ref_url, ref_title = m["reference"]
    return [
        (2, "Use cases", m["use_cases"]),
        (2, "Description", m["description"] + "\n\n"
         "This copy is a fixture of ZooCI (CI for ONNX model zoos): the architecture is torchvision's\n"
         f"`{m['arch']}` exported to ONNX with PyTorch, but its weights are **random** (seeded"
         + (", with\nbatch normalization statistics calibrated on random inputs" if m["batchnorm"] else "")
         + "), not trained. It runs\nand gives deterministic outputs, which is all a CI pipeline needs; "
         "its predictions mean nothing."),
        (2, "Model", "The batch dimension `N` is free. The sample test data is one seeded random input\n"
         "and the output PyTorch computed for it. No accuracy is claimed (random weights).\n\n"
         + model_table([row])),
        (2, "Inference", "The [inference notebook](dependencies/inference.ipynb) loads the model with\n"
         "ONNX Runtime, preprocesses one image and prints the five most probable classes."),
        (3, "Input", "A batch of RGB images, 224x224 pixels, in NCHW layout, normalized as below:\n\n"
         + shape_text(io["input"][0], "float", io["input"][1])),
        (3, "Preprocessing", "Resize the image so that its shorter side is 256 pixels (bilinear), crop\n"
         "the central 224x224 pixels, scale the values to [0, 1] (divide by 255), subtract the mean\n"
         "[0.485, 0.456, 0.406] and divide by the standard deviation [0.229, 0.224, 0.225] per\n"
         "channel (R, G, B), then transpose HWC to CHW and add the batch dimension.\n"
         "[preprocess.py](dependencies/preprocess.py) does exactly this."),
        (3, "Output", "One unnormalized score (logit) per ImageNet class, class k being the k-th WordNet\n"
         "id in sorted order (the order of torchvision's ImageNet classes):\n\n"
         + shape_text(io["output"][0], "float", io["output"][1])),
        (3, "Postprocessing", "Apply a softmax to get probabilities and sort them to report the most\n"
         "probable classes: [postprocess.py](dependencies/postprocess.py) returns the top five\n"
         "(class index, probability) pairs."),
        (2, "Dataset", f"[ImageNet (ILSVRC2012)]({IMAGENET_URL}): 1.28 million training images and\n"
         "50,000 validation images in 1000 classes. The data set is not redistributed here: download\n"
         "the validation images from image-net.org (an account is needed) and arrange them in one\n"
         "folder per class, named by WordNet id (`val/n01440764/ILSVRC2012_val_00000293.JPEG`, ...),\n"
         "for example with `torchvision.datasets.ImageNet(root, split=\"val\")`."),
        (2, "Validation accuracy", "The metric is **top-1 accuracy** (and top-5 accuracy) on the\n"
         "50,000 ImageNet validation images, preprocessed as above. The\n"
         "[validation notebook](dependencies/validation.ipynb) computes it from the folder described\n"
         "in Dataset. With random weights the model is at chance level (about 0.1% top-1), so the\n"
         "table claims no accuracy; a trained model would report its measured values there."),
        (2, "References", f"* {ref_who}, [{ref_title}]({ref_url}).\n"
         f"* [torchvision models]({TORCHVISION_URL}), the source of the architecture.\n"
         "* [PyTorch's ONNX exporter](https://pytorch.org/docs/stable/onnx.html)."),
        (2, "Contributors", "* ZooCI maintainers (`tools/make_example_zoo.py`)"),
        (2, "License", "Apache 2.0 (see [LICENSE](../../../../LICENSE))."),
    ]


def digits_sections(d, row, io, acc, contributors):
    """d: dict title, row; acc: expected_accuracy.json; contributors: markdown list text."""
    return [
        (2, "Use cases", "Recognising a handwritten digit (0 to 9) in a tiny 8x8 grayscale image.\n"
         "The model is small enough to train in seconds on a CPU, and its validation images ship in\n"
         "this folder, so its claimed accuracy can be checked end to end (`zooci eval` reads\n"
         "`zooci.yaml`)."),
        (2, "Description", "A small convolutional network trained with PyTorch and exported to\n"
         "ONNX: two 3x3 convolutions (16 and 32 channels, padding 1, each followed by ReLU), a 2x2 max\n"
         "pooling, and a fully connected layer giving one score per digit; 9,930 parameters."),
        (2, "Model", "The batch dimension `N` is free. The sample test data holds four validation\n"
         "images and the scores PyTorch computed for them.\n\n" + model_table([row])),
        (2, "Inference", "The [inference notebook](dependencies/inference.ipynb) runs the model with\n"
         "ONNX Runtime on one image of `dataset/` and prints the predicted digit."),
        (3, "Input", "A batch of 8x8 grayscale images, one channel, values in [0, 1]:\n\n"
         + shape_text(io["input"][0], "float", io["input"][1])),
        (3, "Preprocessing", "Decode the PNG as 8-bit grayscale, convert to float32 and multiply by\n"
         "1/255, and add the channel and batch dimensions (NCHW). There is no resizing and no\n"
         "mean/std normalization. [preprocess.py](dependencies/preprocess.py) does this, and\n"
         "`zooci.yaml` declares the same steps."),
        (3, "Output", "Unnormalized scores (logits) for the ten digits, index k meaning digit k:\n\n"
         + shape_text(io["output"][0], "float", io["output"][1])),
        (3, "Postprocessing", "The predicted digit is the index of the largest score; a softmax turns\n"
         "the scores into probabilities. [postprocess.py](dependencies/postprocess.py) returns the\n"
         "digits sorted by probability."),
        (2, "Dataset", f"The digits data set of scikit-learn ([load_digits]({DIGITS_URL})), from the\n"
         "UCI \"Optical Recognition of Handwritten Digits\" data: 1,797 images, 8x8 pixels with values\n"
         "0 to 16, mapped to 0-255 with round(v * 255 / 16). A stratified split (`train_test_split`,\n"
         f"test_size 0.25, random_state 0) keeps {acc['total']} images for validation; they are in\n"
         "`dataset/<digit>/<index>.png` (one folder per class; index is the image's position in\n"
         "`load_digits`). To rebuild them, run `tools/make_example_models.py` from ZooCI."),
        (2, "Validation accuracy", "The metric is **top-1 accuracy** on the validation images in\n"
         f"`dataset/`: {acc['correct']} of {acc['total']} correct ({acc['top1_percent']:.2f}%), and "
         f"{acc['top5_correct']} of {acc['total']}\nat top-5 ({acc['top5_percent']:.2f}%), measured "
         "in float32. The [validation notebook](dependencies/validation.ipynb) recomputes it with ONNX\n"
         "Runtime, and `zooci eval` checks the table's value with the scenario in `zooci.yaml`."),
        (2, "References", "* E. Alpaydin, C. Kaynak, Optical Recognition of Handwritten Digits, UCI\n"
         "  Machine Learning Repository, 1998.\n"
         f"* scikit-learn's [load_digits]({DIGITS_URL}).\n"
         "* [PyTorch](https://pytorch.org) and its [ONNX exporter](https://pytorch.org/docs/stable/onnx.html)."),
        (2, "Contributors", contributors),
        (2, "License", "Apache 2.0 (see [LICENSE](../../../../LICENSE))."),
    ]


# The sentence introducing the Object Detection & Image Segmentation table, per task it lists.
DETECTION_SEGMENTATION_INTROS = {
    "detection": "These models find objects in an image: boxes with a class and a score.",
    "segmentation": "These models label each pixel of an image with one of a fixed set of classes.",
}


def main_readme(models):
    """models: list of dicts folder, title, summary, reference (who, url, title), and task
    ("classification", the default, "detection" or "segmentation"). Classifiers have a table;
    detectors and segmenters share one, as in the ONNX Model Zoo."""
    def table(tasks):
        rows = ["| Model Class | Reference | Description |", "|-------------|-----------|-------------|"]
        for m in models:
            if m.get("task", "classification") not in tasks:
                continue
            who, url, _ = m["reference"]
            rows.append(f"| <b>[{m['title']}]({m['folder']}/)</b> | [{who}]({url}) | {m['summary']} |")
        return rows

    rows = table(("classification",))
    intros = [text for task, text in DETECTION_SEGMENTATION_INTROS.items()
              if any(m.get("task") == task for m in models)]
    detection = []
    if intros:
        detection = [
            "",
            "### Object Detection & Image Segmentation",
            "",
            *intros,
            "",
            *table(tuple(DETECTION_SEGMENTATION_INTROS)),
        ]
    return "\n".join([
        "# Example ONNX Model Zoo",
        "",
        "A small model zoo in the layout of the [ONNX Model Zoo](https://github.com/onnx/models), made",
        "by ZooCI's `tools/make_example_zoo.py` to exercise `zooci validate`. Each model folder holds a",
        "README with the model table, the model (`model/<name>-<opset>.onnx`), the same model with sample",
        "test data (`model/<name>-<opset>.tar.gz`: one folder with the model and `test_data_set_0/`),",
        "and `dependencies/` with preprocessing and postprocessing scripts and notebooks.",
        "`ONNX_HUB_MANIFEST.json` lists every model for `onnx.hub`.",
        "",
        "The torchvision architectures have random weights: they run, but predict nothing useful.",
        "",
        "## Usage",
        "",
        "Models are stored with [Git LFS](https://git-lfs.com) (see `.gitattributes`); clone with",
        "`git lfs` installed, or fetch one file with `git lfs pull --include=\"<path>\"`.",
        "To check a model: `zooci validate <zoo>` or, step by step, `zooci check <model>.onnx` and",
        "`zooci test <model>.tar.gz`.",
        "",
        "## Vision",
        "",
        "### Image Classification",
        "",
        "These models take an image and return one score per class of a fixed set of classes.",
        "",
        *rows,
        *detection,
        "",
        "## Contributing",
        "",
        "Add a folder under `validated/<area>/<task>/` with a README following the others (every",
        "section, the model table), the model and its `.tar.gz` with test data, a link in the table",
        "above and an entry in `ONNX_HUB_MANIFEST.json`.",
        "",
        "## License",
        "",
        "[Apache License 2.0](LICENSE).",
        "",
    ])


# ---- Scripts ---------------------------------------------------------------------------------

IMAGENET_PREPROCESS = '''\
"""Preprocessing for {title}: an image file or PIL image to a float32 array [3, 224, 224].

Resize (shorter side 256, bilinear), center crop 224x224, scale to [0, 1], normalize with the
ImageNet mean and standard deviation, HWC to CHW.
"""
import sys

import numpy as np
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
RESIZE = 256
CROP = 224


def preprocess(image):
    if not isinstance(image, Image.Image):
        image = Image.open(image)
    image = image.convert("RGB")
    width, height = image.size
    scale = RESIZE / min(width, height)
    image = image.resize((max(CROP, round(width * scale)), max(CROP, round(height * scale))),
                         Image.BILINEAR)
    width, height = image.size
    left, top = (width - CROP) // 2, (height - CROP) // 2
    image = image.crop((left, top, left + CROP, top + CROP))
    x = np.asarray(image, dtype=np.float32) / 255.0
    x = (x - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1), dtype=np.float32)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(path, preprocess(path).shape)
'''

IMAGENET_POSTPROCESS = '''\
"""Postprocessing for {title}: 1000 class scores to the most probable classes."""
import numpy as np


def softmax(scores):
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    e = np.exp(scores - scores.max())
    return e / e.sum()


def postprocess(scores, top_k=5):
    """Returns [(class index, probability)] for the top_k classes, most probable first."""
    probabilities = softmax(scores)
    order = np.argsort(-probabilities, kind="stable")[:top_k]
    return [(int(i), float(probabilities[i])) for i in order]


if __name__ == "__main__":
    print(postprocess(np.arange(1000, dtype=np.float32)))
'''

DIGITS_PREPROCESS = '''\
"""Preprocessing for {title}: an 8x8 grayscale PNG to a float32 array [1, 8, 8] in [0, 1]."""
import sys

import numpy as np
from PIL import Image


def preprocess(image):
    if not isinstance(image, Image.Image):
        image = Image.open(image)
    pixels = np.asarray(image.convert("L"), dtype=np.uint8)
    if pixels.shape != (8, 8):
        raise ValueError(f"expected an 8x8 image, got {{pixels.shape[1]}}x{{pixels.shape[0]}}")
    x = pixels.astype(np.float32) * np.float32(1.0 / 255.0)
    return x[np.newaxis]


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(path, preprocess(path).shape)
'''

DIGITS_POSTPROCESS = '''\
"""Postprocessing for {title}: ten digit scores to the digits sorted by probability."""
import numpy as np


def softmax(scores):
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    e = np.exp(scores - scores.max())
    return e / e.sum()


def postprocess(scores, top_k=3):
    """Returns [(digit, probability)] for the top_k digits, most probable first."""
    probabilities = softmax(scores)
    order = np.argsort(-probabilities, kind="stable")[:top_k]
    return [(int(d), float(probabilities[d])) for d in order]


if __name__ == "__main__":
    print(postprocess([0.0, 1.0, 5.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]))
'''


# A detector's or segmenter's preprocessing (zoo_detection_texts.py, zoo_segmentation_texts.py).
LETTERBOX_PREPROCESS = '''\
"""Preprocessing for {title}: an image to a float32 array [3, {size}, {size}] and the letterbox offset.

RGB, letterbox to {size}x{size} (scale to fit, pad centred with 114), times 1/255 in float32, HWC to CHW.
"""
import sys

import numpy as np
from PIL import Image

SIZE = {size}
PAD = 114


def preprocess(image):
    """Returns (array [3, {size}, {size}], scale, left, top): input x = scale * image x + left."""
    if not isinstance(image, Image.Image):
        image = Image.open(image)
    image = image.convert("RGB")
    width, height = image.size
    scale = min(SIZE / width, SIZE / height)
    new_w, new_h = round(width * scale), round(height * scale)
    if (new_w, new_h) != (width, height):
        image = image.resize((new_w, new_h), Image.BILINEAR)
    left, top = (SIZE - new_w) // 2, (SIZE - new_h) // 2
    canvas = np.full((SIZE, SIZE, 3), PAD, dtype=np.uint8)
    canvas[top:top + new_h, left:left + new_w] = np.asarray(image)
    x = canvas.astype(np.float32) * np.float32(1.0 / 255.0)
    return np.ascontiguousarray(x.transpose(2, 0, 1)), new_w / width, left, top


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(path, preprocess(path)[0].shape)
'''


def letterbox_preprocess(title, size):
    """preprocess.py letterboxing an image to size x size: -> (array, scale, left, top)."""
    return LETTERBOX_PREPROCESS.format(title=title, size=size)


def scripts(kind, title):
    """-> {file name: text} for dependencies/."""
    if kind == "digits":
        pre, post = DIGITS_PREPROCESS, DIGITS_POSTPROCESS
    else:
        pre, post = IMAGENET_PREPROCESS, IMAGENET_POSTPROCESS
    return {"preprocess.py": pre.format(title=title), "postprocess.py": post.format(title=title)}


# ---- Notebooks (nbformat 4.5) ------------------------------------------------------------------

def notebook(prefix, cells):
    """cells: list of ("markdown" | "code", source text). Deterministic cell ids."""
    out = []
    for i, (kind, text) in enumerate(cells, 1):
        lines = text.strip("\n").split("\n")
        source = [line + "\n" for line in lines[:-1]] + [lines[-1]]
        cell = {"cell_type": kind, "id": f"{prefix}-{i}", "metadata": {}, "source": source}
        if kind == "code":
            cell = {"cell_type": "code", "execution_count": None, "id": f"{prefix}-{i}",
                    "metadata": {}, "outputs": [], "source": source}
        out.append(cell)
    nb = {
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"



def letterbox_inference(title, model_file, input_name, what, names, output, show):
    """The inference notebook of a detector or segmenter: letterboxes ../images/0001.png with
    letterbox_preprocess's preprocess.py, runs the model into `output`, then `show` (code) uses
    `names` from its postprocess.py; `what` says what it shows."""
    return notebook("inference", [
        ("markdown", f"# {title}: inference with ONNX Runtime\n\n"
                     f"Loads the model, letterboxes one image with `preprocess.py` and {what}."),
        ("code", "import numpy as np\nimport onnxruntime as ort\nfrom PIL import Image\n\n"
                 f"from preprocess import preprocess\nfrom postprocess import {names}"),
        ("code", f'session = ort.InferenceSession("{model_file}", providers=["CPUExecutionProvider"])\n'
                 'image = Image.open("../images/0001.png")\n'
                 "x, scale, left, top = preprocess(image)\n"
                 f'{output} = session.run(None, {{"{input_name}": x[np.newaxis]}})[0][0]\n' + show),
    ])

def notebooks(kind, title, model_file, input_name):
    """-> {file name: text} for dependencies/. model_file is relative to dependencies/."""
    if kind == "digits":
        sample = '"../dataset/3/0045.png"'
        show = ('for digit, probability in postprocess(scores[0]):\n'
                '    print(f"digit {digit}: {probability:.4f}")')
        data_md = ("The validation images are in `../dataset/<digit>/*.png` (one folder per class, "
                   "the folder name is the label).")
        data_root = '"../dataset"'
        pattern = '"*.png"'
        label = "int(class_dir.name)"
    else:
        sample = '"example.jpg"  # any photograph'
        show = ('for index, probability in postprocess(scores[0]):\n'
                '    print(f"class {index}: {probability:.4f}")')
        data_md = ("Set `DATA_ROOT` to the ImageNet validation folder arranged as `<wnid>/*.JPEG` "
                   "(see the README's Dataset section). Class k is the k-th WordNet id in sorted order.")
        data_root = '"/path/to/imagenet/val"'
        pattern = '"*.JPEG"'
        label = "class_index[class_dir.name]"
    inference = notebook("inference", [
        ("markdown", f"# {title}: inference with ONNX Runtime\n\n"
                     "Loads the model, preprocesses one image with `preprocess.py` and prints the "
                     "most probable classes with `postprocess.py`."),
        ("code", "import numpy as np\nimport onnxruntime as ort\n\n"
                 "from preprocess import preprocess\nfrom postprocess import postprocess"),
        ("code", f'session = ort.InferenceSession("{model_file}", providers=["CPUExecutionProvider"])\n'
                 "print([(i.name, i.shape) for i in session.get_inputs()])"),
        ("code", f"image_path = {sample}\n"
                 "batch = preprocess(image_path)[np.newaxis]\n"
                 f'scores = session.run(None, {{"{input_name}": batch}})[0]\n' + show),
    ])
    validation = notebook("validation", [
        ("markdown", f"# {title}: validation\n\n"
                     "Computes the **top-1 accuracy** (and top-5 accuracy) of the model on the "
                     "validation set, with the preprocessing of `preprocess.py`.\n\n" + data_md),
        ("code", "from pathlib import Path\n\nimport numpy as np\nimport onnxruntime as ort\n\n"
                 "from preprocess import preprocess"),
        ("code", f"DATA_ROOT = Path({data_root})\nBATCH = 32\n"
                 f'session = ort.InferenceSession("{model_file}", providers=["CPUExecutionProvider"])\n'
                 "class_dirs = sorted(p for p in DATA_ROOT.iterdir() if p.is_dir())\n"
                 "class_index = {p.name: k for k, p in enumerate(class_dirs)}\n"
                 f"samples = [(f, {label}) for class_dir in class_dirs\n"
                 f"           for f in sorted(class_dir.glob({pattern}))]\n"
                 'print(len(samples), "images")'),
        ("code", "top1 = top5 = 0\n"
                 "for start in range(0, len(samples), BATCH):\n"
                 "    chunk = samples[start:start + BATCH]\n"
                 "    batch = np.stack([preprocess(f) for f, _ in chunk])\n"
                 f'    scores = session.run(None, {{"{input_name}": batch}})[0]\n'
                 "    ranked = np.argsort(-scores, axis=1, kind=\"stable\")\n"
                 "    for (_, label), order in zip(chunk, ranked):\n"
                 "        top1 += int(order[0] == label)\n"
                 "        top5 += int(label in order[:5])\n"
                 'print(f"top-1 accuracy: {100 * top1 / len(samples):.2f}%")\n'
                 'print(f"top-5 accuracy: {100 * top5 / len(samples):.2f}%")'),
    ])
    return {"inference.ipynb": inference, "validation.ipynb": validation}
