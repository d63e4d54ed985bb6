"""The generated dataset of the shapes_yolo fixture (detection_fixture.py): images and boxes.

A cluttered background (noise, lines, rings) with one to four filled shapes (circle, square,
triangle) of 8 to 44 px, and in some images a "crowd": a clump of small circles annotated as one
iscrowd region. The annotation "area" is the shape's pixel count (COCO's is the segment's), the
box its tight pixel bounds [x, y, w, h] (pixel edges: a shape covering columns 3..7 spans x 3
to 8). Everything comes from a seeded numpy generator and PIL's drawing: the same images on
every run.
"""

CLASSES = ["circle", "square", "triangle"]
LONG_SIDE = 96                # every image's longer side; the model input is 96x96
SHORT_SIDES = (56, 64, 72, 80, 88, 96)
PAD_VALUE = 114
SCALE = 1 / 255
CROWD_FRACTION = 0.12


def draw_shape(draw, kind, x, y, size, fill):
    if kind == "circle":
        draw.ellipse([x, y, x + size - 1, y + size - 1], fill=fill)
    elif kind == "square":
        draw.rectangle([x, y, x + size - 1, y + size - 1], fill=fill)
    else:
        draw.polygon([(x + (size - 1) / 2, y), (x, y + size - 1), (x + size - 1, y + size - 1)], fill=fill)


def mask_box(mask):
    """Tight [x, y, w, h] of a boolean mask and its pixel count (COCO's area)."""
    import numpy as np

    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    x1, x2, y1, y2 = int(cols[0]), int(cols[-1]) + 1, int(rows[0]), int(rows[-1]) + 1
    return [float(x1), float(y1), float(x2 - x1), float(y2 - y1)], float(mask.sum())


def box_iou(a, b):
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / (a[2] * a[3] + b[2] * b[3] - w * h)


def make_image(rng):
    """One image: (uint8 RGB array [H, W, 3], annotations [{category, bbox, area, iscrowd}])."""
    import numpy as np
    from PIL import Image, ImageDraw

    short = int(rng.choice(SHORT_SIDES))
    width, height = (LONG_SIDE, short) if rng.random() < 0.5 else (short, LONG_SIDE)
    base = rng.integers(40, 216, size=3)
    pixels = base[None, None, :] + rng.normal(0, 14, size=(height, width, 3))
    img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(4, 10))):  # clutter: lines and thin rings
        color = tuple(int(c) for c in rng.integers(0, 256, size=3))
        if rng.random() < 0.6:
            pts = [float(v) for v in rng.uniform(0, [width, height, width, height])]
            draw.line(pts, fill=color, width=int(rng.integers(1, 3)))
        else:
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            r = rng.uniform(3, 12)
            draw.ellipse([x - r, y - r, x + r, y + r], outline=color, width=1)
    annotations = []
    boxes = []
    if rng.random() < CROWD_FRACTION:  # a clump of small circles: one crowd region
        cx, cy = rng.uniform(14, width - 14), rng.uniform(14, height - 14)
        mask_img = Image.new("L", (width, height), 0)
        mdraw = ImageDraw.Draw(mask_img)
        color = tuple(int(c) for c in rng.integers(0, 256, size=3))
        for _ in range(int(rng.integers(5, 9))):
            s = int(rng.integers(4, 8))
            x, y = int(cx + rng.uniform(-12, 12) - s / 2), int(cy + rng.uniform(-12, 12) - s / 2)
            draw_shape(draw, "circle", x, y, s, color)
            draw_shape(mdraw, "circle", x, y, s, 255)
        mask = np.array(mask_img) > 0
        if mask.any():
            bbox, area = mask_box(mask)
            annotations.append({"category": "circle", "bbox": bbox, "area": area, "iscrowd": 1})
            boxes.append(bbox)
    wanted = int(rng.integers(1, 5))
    for _ in range(40):
        if len(annotations) - sum(a["iscrowd"] for a in annotations) >= wanted:
            break
        kind = CLASSES[int(rng.integers(0, len(CLASSES)))]
        size = int(rng.integers(8, 45))
        if size > min(width, height) - 2:
            continue
        x, y = int(rng.integers(0, width - size + 1)), int(rng.integers(0, height - size + 1))
        candidate = [float(x), float(y), float(size), float(size)]
        if any(box_iou(candidate, b) > 0.05 for b in boxes):
            continue
        color = base + rng.choice([-1, 1], size=3) * rng.integers(60, 120, size=3)
        color = tuple(int(c) for c in np.clip(color, 0, 255))
        mask_img = Image.new("L", (width, height), 0)
        draw_shape(ImageDraw.Draw(mask_img), kind, x, y, size, 255)
        draw_shape(draw, kind, x, y, size, color)
        bbox, area = mask_box(np.array(mask_img) > 0)
        annotations.append({"category": kind, "bbox": bbox, "area": area, "iscrowd": 0})
        boxes.append(candidate)
    return np.array(img, dtype=np.uint8), annotations


def make_split(seed, count):
    import numpy as np

    rng = np.random.default_rng(seed)
    return [make_image(rng) for _ in range(count)]


def letterbox(image):
    """uint8 [H, W, 3] -> uint8 [96, 96, 3] padded with PAD_VALUE, and the (left, top) offset.

    As zooci's letterbox: the image (already 96 on its longer side) at ((96 - w) // 2,
    (96 - h) // 2)."""
    import numpy as np

    h, w = image.shape[:2]
    assert max(h, w) == LONG_SIDE
    left, top = (LONG_SIDE - w) // 2, (LONG_SIDE - h) // 2
    out = np.full((LONG_SIDE, LONG_SIDE, 3), PAD_VALUE, dtype=np.uint8)
    out[top:top + h, left:left + w] = image
    return out, left, top


def to_input(images):
    """uint8 [H, W, 3] images -> float32 [N, 3, 96, 96] torch tensor and the letterbox offsets.

    Float32 multiplication by float32(1/255), as zooci's scale step."""
    import numpy as np
    import torch

    boxed = [letterbox(im) for im in images]
    x = np.stack([b[0] for b in boxed]).astype(np.float32) * np.float32(SCALE)
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return torch.from_numpy(x), [(b[1], b[2]) for b in boxed]


def coco_instances(val):
    images, annotations = [], []
    for k, (image, anns) in enumerate(val, 1):
        h, w = image.shape[:2]
        images.append({"id": k, "file_name": f"{k:04d}.png", "width": w, "height": h})
        for ann in anns:
            annotations.append({"id": len(annotations) + 1, "image_id": k,
                                "category_id": CLASSES.index(ann["category"]) + 1,
                                "bbox": ann["bbox"], "area": ann["area"], "iscrowd": ann["iscrowd"]})
    categories = [{"id": k + 1, "name": name, "supercategory": "shape"} for k, name in enumerate(CLASSES)]
    return {"info": {"description": "shapes_yolo validation set (tools/detection_fixture.py)"},
            "images": images, "annotations": annotations, "categories": categories}
