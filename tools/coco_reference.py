#!/usr/bin/python3
"""An independent implementation of COCO's bounding-box evaluation, for checking ZooCI's.

Usage: /usr/bin/python3 tools/coco_reference.py GROUND_TRUTH.json DETECTIONS.json

GROUND_TRUTH.json is a COCO instances file (images, annotations, categories); DETECTIONS.json a
COCO results list ([{"image_id", "category_id", "bbox": [x, y, w, h], "score"}, ...]). Prints a
JSON object: "stats", COCO's twelve summary numbers in COCO's order (AP, AP50, AP75, AP small,
medium, large, AR@1, AR@10, AR@100, AR small, medium, large), and "per_class", {category id:
{"ap", "ap50", "ap75", "recall"}}; -1 where a figure is undefined (no ground truth).

pycocotools is not in Debian 12, so this is written from the definition of COCO's evaluation
(cocodataset.org/#detection-eval and the published evaluation's documented behaviour), in numpy,
organised differently from ZooCI's C++ (src/eval/detection_metrics.cpp):

  * IoU thresholds numpy.linspace(0.5, 0.95, 10); recall points numpy.linspace(0, 1, 101);
    area ranges all [0, 1e5^2], small [0, 32^2], medium [32^2, 96^2], large [96^2, 1e5^2]
    (inclusive at both ends); at most 1, 10 or 100 detections per image.
  * A crowd ground truth box (iscrowd 1) is never a box to find; its overlap with a detection is
    intersection / detection area; any number of detections can match it and they are ignored.
    Ground truth whose "area" is outside the range is ignored the same way.
  * Per image and category the detections are ranked by score (stable) and cut to the limit;
    each, best first, takes the available ground truth box of highest IoU >= threshold, boxes
    that count before ignored ones, the later box on equal IoU. An unmatched detection whose
    w*h is outside the area range is ignored.
  * Per category: all images' kept detections ranked by score (stable, images by id);
    precision = TP / (TP + FP + eps), made non-increasing from the right, read at the first rank
    whose recall reaches each recall point (0 where none does); recall = final TP / ground truth.
  * Means over everything defined (a category without ground truth in the range is -1 and left
    out; one with ground truth but no detections has precision 0).
"""

import json
import sys

import numpy as np

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
RECALL_POINTS = np.linspace(0.0, 1.0, 101)
AREA_RANGES = [(0.0, 1e5 ** 2), (0.0, 32.0 ** 2), (32.0 ** 2, 96.0 ** 2), (96.0 ** 2, 1e5 ** 2)]
MAX_DETECTIONS = [1, 10, 100]


def pairwise_iou(dets, gts, crowd):
    """[D, G] IoU of xywh boxes; crowd columns divide by the detection's area."""
    d = np.asarray(dets, dtype=np.float64).reshape(-1, 4)
    g = np.asarray(gts, dtype=np.float64).reshape(-1, 4)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = (np.minimum((d[:, 2] + d[:, 0])[:, None], (g[:, 2] + g[:, 0])[None, :])
             - np.maximum(d[:, 0][:, None], g[:, 0][None, :]))
        h = (np.minimum((d[:, 3] + d[:, 1])[:, None], (g[:, 3] + g[:, 1])[None, :])
             - np.maximum(d[:, 1][:, None], g[:, 1][None, :]))
        inter = w * h
        det_area = (d[:, 2] * d[:, 3])[:, None]
        gt_area = (g[:, 2] * g[:, 3])[None, :]
        union = np.where(np.asarray(crowd, dtype=bool)[None, :], det_area, det_area + gt_area - inter)
        iou = np.where((w > 0) & (h > 0), inter / union, 0.0)
    return iou


def match_image(dets, gts, area_range, limit):
    """One image and category in one area range. Returns (scores, tp [T, D], ignored [T, D],
    number of ground truth boxes that count)."""
    lo, hi = area_range
    order = sorted(range(len(dets)), key=lambda i: -dets[i]["score"])[:limit]  # stable
    dets = [dets[i] for i in order]
    crowd = np.array([bool(g["iscrowd"]) for g in gts], dtype=bool)
    gt_out = np.array([bool(g["iscrowd"]) or g["area"] < lo or g["area"] > hi for g in gts], dtype=bool)
    iou = pairwise_iou([d["bbox"] for d in dets], [g["bbox"] for g in gts], crowd)
    T, D, G = len(IOU_THRESHOLDS), len(dets), len(gts)
    tp = np.zeros((T, D), dtype=bool)
    ignored = np.zeros((T, D), dtype=bool)
    # Candidates in COCO's order: boxes that count first, then ignored ones (each group stable).
    sequence = [j for j in range(G) if not gt_out[j]] + [j for j in range(G) if gt_out[j]]
    for t, threshold in enumerate(IOU_THRESHOLDS):
        taken = np.zeros(G, dtype=bool)
        for i in range(D):
            best, chosen = min(threshold, 1 - 1e-10), None
            for group in (False, True):  # counting boxes, then ignored ones if none matched
                for j in sequence:
                    if gt_out[j] != group or (taken[j] and not crowd[j]):
                        continue
                    if iou[i, j] >= best:
                        best, chosen = iou[i, j], j
                if chosen is not None:
                    break
            if chosen is None:
                continue
            taken[chosen] = True
            tp[t, i] = True  # matched (an ignored match is ignored, below)
            ignored[t, i] = gt_out[chosen]
    areas = np.array([d["bbox"][2] * d["bbox"][3] for d in dets], dtype=np.float64)
    outside = (areas < lo) | (areas > hi)
    ignored |= (~tp) & outside[None, :]
    scores = np.array([d["score"] for d in dets], dtype=np.float64)
    return scores, tp, ignored, int((~gt_out).sum())


def evaluate(images, categories, annotations, detections):
    image_ids = sorted({im["id"] for im in images})
    cat_ids = sorted({c["id"] for c in categories})
    T, R, K, A, M = len(IOU_THRESHOLDS), len(RECALL_POINTS), len(cat_ids), len(AREA_RANGES), len(MAX_DETECTIONS)
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    by_cell = {}
    for g in annotations:
        by_cell.setdefault((g["category_id"], g["image_id"]), ([], []))[0].append(g)
    for d in detections:
        by_cell.setdefault((d["category_id"], d["image_id"]), ([], []))[1].append(d)
    for k, cat in enumerate(cat_ids):
        for a, area_range in enumerate(AREA_RANGES):
            per_image = []
            for image in image_ids:
                gts, dets = by_cell.get((cat, image), ([], []))
                if gts or dets:
                    per_image.append(match_image(dets, gts, area_range, MAX_DETECTIONS[-1]))
            if not per_image:
                continue
            positives = sum(p[3] for p in per_image)
            if positives == 0:
                continue
            for m, limit in enumerate(MAX_DETECTIONS):
                scores = np.concatenate([p[0][:limit] for p in per_image])
                tp = np.concatenate([p[1][:, :limit] for p in per_image], axis=1)
                ign = np.concatenate([p[2][:, :limit] for p in per_image], axis=1)
                rank = np.argsort(-scores, kind="stable")
                tp, ign = tp[:, rank], ign[:, rank]
                for t in range(T):
                    tps = np.cumsum(tp[t] & ~ign[t]).astype(np.float64)
                    fps = np.cumsum(~tp[t] & ~ign[t]).astype(np.float64)
                    n = len(tps)
                    rc = tps / positives
                    pr = tps / (fps + tps + np.spacing(1))
                    recall[t, k, a, m] = rc[-1] if n else 0.0
                    envelope = np.maximum.accumulate(pr[::-1])[::-1]
                    idx = np.searchsorted(rc, RECALL_POINTS, side="left")
                    if n:
                        precision[t, :, k, a, m] = np.where(idx < n, envelope[np.minimum(idx, n - 1)], 0.0)
                    else:
                        precision[t, :, k, a, m] = 0.0

    def mean(values):
        values = values[values > -1]
        return float(np.mean(values)) if values.size else -1.0

    t50 = int(np.where(IOU_THRESHOLDS == 0.5)[0][0])
    t75 = int(np.where(IOU_THRESHOLDS == 0.75)[0][0])
    stats = [
        mean(precision[:, :, :, 0, 2]), mean(precision[t50, :, :, 0, 2]), mean(precision[t75, :, :, 0, 2]),
        mean(precision[:, :, :, 1, 2]), mean(precision[:, :, :, 2, 2]), mean(precision[:, :, :, 3, 2]),
        mean(recall[:, :, 0, 0]), mean(recall[:, :, 0, 1]), mean(recall[:, :, 0, 2]),
        mean(recall[:, :, 1, 2]), mean(recall[:, :, 2, 2]), mean(recall[:, :, 3, 2]),
    ]
    per_class = {}
    for k, cat in enumerate(cat_ids):
        per_class[str(cat)] = {
            "ap": mean(precision[:, :, k, 0, 2]), "ap50": mean(precision[t50, :, k, 0, 2]),
            "ap75": mean(precision[t75, :, k, 0, 2]), "recall": mean(recall[:, k, 0, 2]),
        }
    return {"stats": stats, "per_class": per_class}


def load_ground_truth(data):
    """COCO instances JSON -> (images, categories, annotations with area and iscrowd filled in)."""
    annotations = []
    for g in data["annotations"]:
        x, y, w, h = (float(v) for v in g["bbox"])
        annotations.append({"image_id": g["image_id"], "category_id": g["category_id"], "bbox": [x, y, w, h],
                            "area": float(g["area"]) if "area" in g else w * h,
                            "iscrowd": int(g.get("iscrowd", 0))})
    return data["images"], data["categories"], annotations


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        images, categories, annotations = load_ground_truth(json.load(f))
    with open(argv[2]) as f:
        detections = [{"image_id": d["image_id"], "category_id": d["category_id"],
                       "bbox": [float(v) for v in d["bbox"]], "score": float(d["score"])} for d in json.load(f)]
    known = {im["id"] for im in images}
    if any(d["image_id"] not in known for d in detections):
        print("coco_reference: a detection names an image the ground truth does not have", file=sys.stderr)
        return 1
    print(json.dumps(evaluate(images, categories, annotations, detections)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
