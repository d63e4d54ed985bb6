// COCO's bounding-box evaluation (detection_metrics.h states the rules). Structure:
//   1. EvaluateImage: per (category, image, area range), rank the detections, match them to the
//      ground truth at each IoU threshold, and mark what is ignored;
//   2. Accumulate: per (category, area range, detections per image), merge the images' ranked
//      detections, and read precision at the recall points and the final recall;
//   3. Summarize: means over the cells that are defined.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "eval/detection_metrics.h"

namespace zooci {
namespace {

constexpr int kThresholds = 10;     // IoU 0.50, 0.55, ..., 0.95
constexpr int kRecallPoints = 101;  // 0, 0.01, ..., 1
constexpr int kAreas = 4;           // all, small, medium, large
constexpr std::array<int, 3> kMaxDets = {1, 10, 100};
constexpr int kMaxDetIndex100 = 2;

// numpy.linspace(start, stop, count): i * ((stop - start) / (count - 1)) + start, the last
// value exactly `stop`. COCO's thresholds are defined this way; the same doubles come out.
template <size_t N>
std::array<double, N> Linspace(double start, double stop) {
  std::array<double, N> values{};
  const double step = (stop - start) / static_cast<double>(N - 1);
  for (size_t idx = 0; idx < N; ++idx) values[idx] = static_cast<double>(idx) * step + start;
  values[N - 1] = stop;
  return values;
}

const std::array<double, kThresholds> kIouThresholds = Linspace<kThresholds>(0.5, 0.95);
const std::array<double, kRecallPoints> kRecallThresholds = Linspace<kRecallPoints>(0.0, 1.0);

struct AreaRange {
  double low, high;
};
constexpr std::array<AreaRange, kAreas> kAreaRanges = {
    AreaRange{0.0, 1e10}, AreaRange{0.0, 32.0 * 32.0}, AreaRange{32.0 * 32.0, 96.0 * 96.0},
    AreaRange{96.0 * 96.0, 1e10}};

bool Outside(double area, const AreaRange& range) {
  return area < range.low || area > range.high;
}

// One image's detections and ground truth of one category, in their input order.
struct Cell {
  std::vector<const GroundTruthBox*> truth;
  std::vector<const DetectedBox*> detections;
};

// The result of matching one cell in one area range: the kept detections (ranked), and for each
// threshold which were matched and which are ignored. Flat [threshold][detection] arrays.
struct ImageEval {
  bool present = false;  // the cell has ground truth or detections (COCO: not None)
  std::vector<double> scores;
  std::vector<uint8_t> matched, ignored;
  int64_t counted_truth = 0;  // ground truth not ignored in this range
};

// Per (category, image): the detections ranked (stable, best first, at most 100) and their IoU
// with every ground truth box, computed once for the four area ranges.
struct RankedCell {
  std::vector<const DetectedBox*> detections;
  std::vector<double> iou;  // [detection][truth], truth in input order
};

RankedCell Rank(const Cell& cell, size_t max_dets) {
  RankedCell ranked;
  ranked.detections = cell.detections;
  std::stable_sort(
      ranked.detections.begin(), ranked.detections.end(),
      [](const DetectedBox* a, const DetectedBox* b) { return -a->score < -b->score; });
  if (ranked.detections.size() > max_dets) ranked.detections.resize(max_dets);
  const size_t truths = cell.truth.size();
  ranked.iou.resize(ranked.detections.size() * truths);
  for (size_t det = 0; det < ranked.detections.size(); ++det) {
    for (size_t gt = 0; gt < truths; ++gt) {
      ranked.iou[det * truths + gt] =
          CocoIou(ranked.detections[det]->box, cell.truth[gt]->box, cell.truth[gt]->crowd);
    }
  }
  return ranked;
}

ImageEval EvaluateImage(const Cell& cell, const RankedCell& ranked, const AreaRange& range) {
  ImageEval eval;
  const size_t truths = cell.truth.size();
  const size_t dets = ranked.detections.size();
  eval.present = truths > 0 || !cell.detections.empty();
  if (!eval.present) return eval;
  // Ground truth that counts first, ignored (crowd or outside the range) after; stable.
  std::vector<uint8_t> truth_ignored(truths);
  for (size_t gt = 0; gt < truths; ++gt) {
    truth_ignored[gt] = cell.truth[gt]->crowd || Outside(cell.truth[gt]->area, range);
  }
  std::vector<size_t> order(truths);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return truth_ignored[a] < truth_ignored[b]; });
  for (size_t gt = 0; gt < truths; ++gt) eval.counted_truth += truth_ignored[gt] == 0;

  eval.scores.reserve(dets);
  for (const DetectedBox* det : ranked.detections) eval.scores.push_back(det->score);
  eval.matched.assign(kThresholds * dets, 0);
  eval.ignored.assign(kThresholds * dets, 0);
  std::vector<uint8_t> truth_taken(truths);
  for (int thr = 0; thr < kThresholds && truths > 0 && dets > 0; ++thr) {
    std::fill(truth_taken.begin(), truth_taken.end(), 0);
    for (size_t det = 0; det < dets; ++det) {
      double best = std::min(kIouThresholds[thr], 1 - 1e-10);
      ptrdiff_t match = -1;
      for (size_t pos = 0; pos < truths; ++pos) {
        const size_t gt = order[pos];
        if (truth_taken[gt] && !cell.truth[gt]->crowd) continue;
        // Matched to a box that counts: the ignored boxes (sorted last) cannot take it.
        if (match >= 0 && !truth_ignored[match] && truth_ignored[gt]) break;
        const double iou = ranked.iou[det * truths + gt];
        if (iou < best) continue;
        best = iou;
        match = static_cast<ptrdiff_t>(gt);
      }
      if (match < 0) continue;
      eval.ignored[thr * dets + det] = truth_ignored[match];
      eval.matched[thr * dets + det] = 1;
      truth_taken[match] = 1;
    }
  }
  // An unmatched detection outside the area range is ignored, not a false positive.
  for (size_t det = 0; det < dets; ++det) {
    const BoxXywh& box = ranked.detections[det]->box;
    if (!Outside(box.width * box.height, range)) continue;
    for (int thr = 0; thr < kThresholds; ++thr) {
      if (!eval.matched[thr * dets + det]) eval.ignored[thr * dets + det] = 1;
    }
  }
  return eval;
}

// Precision [threshold][recall point] and recall [threshold] of one category in one area range
// at one per-image detection limit, from its images' evaluations (in image order). Left at -1
// when no ground truth counts.
void Accumulate(const std::vector<const ImageEval*>& images, size_t max_dets, double* precision,
                double* recall) {
  std::vector<double> scores;
  std::vector<std::pair<size_t, size_t>> where;  // (image, detection) of each merged entry
  int64_t counted_truth = 0;
  for (size_t image = 0; image < images.size(); ++image) {
    const ImageEval& eval = *images[image];
    counted_truth += eval.counted_truth;
    for (size_t det = 0; det < eval.scores.size() && det < max_dets; ++det) {
      scores.push_back(eval.scores[det]);
      where.emplace_back(image, det);
    }
  }
  if (counted_truth == 0) return;
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return -scores[a] < -scores[b]; });
  const size_t count = order.size();
  const double epsilon = std::numeric_limits<double>::epsilon();  // numpy.spacing(1)
  std::vector<double> recalls(count), precisions(count);
  for (int thr = 0; thr < kThresholds; ++thr) {
    double true_positives = 0, false_positives = 0;
    for (size_t rank = 0; rank < count; ++rank) {
      const auto [image, det] = where[order[rank]];
      const ImageEval& eval = *images[image];
      const size_t dets = eval.scores.size();
      if (!eval.ignored[thr * dets + det]) {
        (eval.matched[thr * dets + det] ? true_positives : false_positives) += 1;
      }
      recalls[rank] = true_positives / static_cast<double>(counted_truth);
      precisions[rank] = true_positives / (false_positives + true_positives + epsilon);
    }
    recall[thr] = count > 0 ? recalls[count - 1] : 0;
    for (size_t rank = count; rank > 1; --rank) {
      precisions[rank - 2] = std::max(precisions[rank - 2], precisions[rank - 1]);
    }
    // The first rank whose recall reaches each point (numpy.searchsorted, side left).
    size_t rank = 0;
    for (int point = 0; point < kRecallPoints; ++point) {
      while (rank < count && recalls[rank] < kRecallThresholds[point]) ++rank;
      precision[thr * kRecallPoints + point] = rank < count ? precisions[rank] : 0;
    }
  }
}

// The mean of the defined (> -1) values, or -1 when none is.
double MeanDefined(const std::vector<double>& values) {
  std::vector<double> defined;
  for (double value : values) {
    if (value > -1) defined.push_back(value);
  }
  if (defined.empty()) return -1;
  return PairwiseSum(defined.data(), defined.size()) / static_cast<double>(defined.size());
}

bool Finite(const BoxXywh& box) {
  return std::isfinite(box.x) && std::isfinite(box.y) && std::isfinite(box.width) &&
         std::isfinite(box.height);
}

}  // namespace

double CocoIou(const BoxXywh& detection, const BoxXywh& truth, bool crowd) {
  const double width = std::min(detection.x + detection.width, truth.x + truth.width) -
                       std::max(detection.x, truth.x);
  if (width <= 0) return 0;
  const double height = std::min(detection.y + detection.height, truth.y + truth.height) -
                        std::max(detection.y, truth.y);
  if (height <= 0) return 0;
  const double intersection = width * height;
  const double detection_area = detection.width * detection.height;
  const double truth_area = truth.width * truth.height;
  const double denominator = crowd ? detection_area : detection_area + truth_area - intersection;
  return intersection / denominator;
}

double PairwiseSum(const double* values, size_t count) {
  constexpr size_t kBlock = 128;
  if (count < 8) {
    double sum = 0.;
    for (size_t idx = 0; idx < count; ++idx) sum += values[idx];
    return sum;
  }
  if (count <= kBlock) {
    double partial[8];
    for (size_t lane = 0; lane < 8; ++lane) partial[lane] = values[lane];
    size_t idx = 8;
    for (; idx < count - count % 8; idx += 8) {
      for (size_t lane = 0; lane < 8; ++lane) partial[lane] += values[idx + lane];
    }
    double sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                 ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (; idx < count; ++idx) sum += values[idx];
    return sum;
  }
  size_t half = count / 2;
  half -= half % 8;
  return PairwiseSum(values, half) + PairwiseSum(values + half, count - half);
}

Result<DetectionMetrics> EvaluateDetections(const DetectionGroundTruth& truth,
                                            const std::vector<DetectedBox>& detections) {
  // Images and categories in ascending id order, as COCO's evaluation takes them.
  std::map<int64_t, size_t> image_index, category_index;
  for (int64_t id : truth.image_ids) image_index.emplace(id, 0);
  if (image_index.size() != truth.image_ids.size())
    return Error("detection metrics: an image id repeats");
  for (const DetectionCategory& category : truth.categories) category_index.emplace(category.id, 0);
  if (category_index.size() != truth.categories.size()) {
    return Error("detection metrics: a category id repeats");
  }
  size_t next = 0;
  for (auto& [id, index] : image_index) index = next++;
  next = 0;
  for (auto& [id, index] : category_index) index = next++;
  const size_t images = image_index.size();
  const size_t categories = category_index.size();

  DetectionMetrics metrics;
  metrics.images = static_cast<int64_t>(images);
  metrics.per_class.resize(categories);
  for (const DetectionCategory& category : truth.categories) {
    ClassDetectionMetrics& row = metrics.per_class[category_index[category.id]];
    row.category_id = category.id;
    row.name = category.name;
  }
  std::vector<Cell> cells(categories * images);  // [category][image]
  for (const GroundTruthBox& box : truth.boxes) {
    auto image = image_index.find(box.image_id);
    auto category = category_index.find(box.category_id);
    if (image == image_index.end()) {
      return Error("detection metrics: a ground truth box is on image " +
                   std::to_string(box.image_id) + ", which the dataset does not list");
    }
    if (category == category_index.end()) {
      return Error("detection metrics: a ground truth box has category " +
                   std::to_string(box.category_id) + ", which the dataset does not list");
    }
    if (!Finite(box.box) || !std::isfinite(box.area)) {
      return Error("detection metrics: a ground truth box on image " +
                   std::to_string(box.image_id) + " has a non-finite coordinate or area");
    }
    cells[category->second * images + image->second].truth.push_back(&box);
    ClassDetectionMetrics& row = metrics.per_class[category->second];
    (box.crowd ? row.crowd_regions : row.ground_truths) += 1;
    (box.crowd ? metrics.crowd_regions : metrics.ground_truths) += 1;
  }
  for (const DetectedBox& det : detections) {
    auto image = image_index.find(det.image_id);
    if (image == image_index.end()) {
      return Error("detection metrics: a detection is on image " + std::to_string(det.image_id) +
                   ", which the dataset does not list");
    }
    if (!Finite(det.box) || !std::isfinite(det.score)) {
      return Error("detection metrics: a detection on image " + std::to_string(det.image_id) +
                   " has a non-finite coordinate or score");
    }
    auto category = category_index.find(det.category_id);
    if (category == category_index.end()) {
      ++metrics.other_detections;
      continue;
    }
    cells[category->second * images + image->second].detections.push_back(&det);
    ++metrics.per_class[category->second].detections;
    ++metrics.detections;
  }

  // precision[threshold][recall point][category][area][max dets], recall[threshold][...]: -1
  // where undefined, as COCO's arrays.
  const size_t kM = kMaxDets.size();
  auto p_index = [&](size_t k, size_t a, size_t m) { return (k * kAreas + a) * kM + m; };
  std::vector<double> precision(categories * kAreas * kM * kThresholds * kRecallPoints, -1);
  std::vector<double> recall(categories * kAreas * kM * kThresholds, -1);
  std::vector<ImageEval> evals(images * kAreas);
  std::vector<const ImageEval*> present;
  std::vector<double> cell_precision(kThresholds * kRecallPoints), cell_recall(kThresholds);
  for (size_t k = 0; k < categories; ++k) {
    for (size_t image = 0; image < images; ++image) {
      const Cell& cell = cells[k * images + image];
      const RankedCell ranked = Rank(cell, static_cast<size_t>(kMaxDets.back()));
      for (size_t a = 0; a < kAreas; ++a) {
        evals[a * images + image] = EvaluateImage(cell, ranked, kAreaRanges[a]);
      }
    }
    for (size_t a = 0; a < kAreas; ++a) {
      present.clear();
      for (size_t image = 0; image < images; ++image) {
        if (evals[a * images + image].present) present.push_back(&evals[a * images + image]);
      }
      if (present.empty()) continue;
      for (size_t m = 0; m < kM; ++m) {
        std::fill(cell_precision.begin(), cell_precision.end(), -1);
        std::fill(cell_recall.begin(), cell_recall.end(), -1);
        Accumulate(present, static_cast<size_t>(kMaxDets[m]), cell_precision.data(),
                   cell_recall.data());
        const size_t cell_index = p_index(k, a, m);
        for (int thr = 0; thr < kThresholds; ++thr) {
          recall[thr * categories * kAreas * kM + cell_index] = cell_recall[thr];
          for (int point = 0; point < kRecallPoints; ++point) {
            precision[(thr * kRecallPoints + point) * categories * kAreas * kM + cell_index] =
                cell_precision[thr * kRecallPoints + point];
          }
        }
      }
    }
  }

  // The means, over [threshold][recall point][category] in that (C) order, as numpy takes them.
  auto ap = [&](int only_threshold, size_t a, size_t m, ptrdiff_t only_category) {
    std::vector<double> values;
    for (int thr = 0; thr < kThresholds; ++thr) {
      if (only_threshold >= 0 && thr != only_threshold) continue;
      for (int point = 0; point < kRecallPoints; ++point) {
        for (size_t k = 0; k < categories; ++k) {
          if (only_category >= 0 && k != static_cast<size_t>(only_category)) continue;
          values.push_back(precision[(thr * kRecallPoints + point) * categories * kAreas * kM +
                                     p_index(k, a, m)]);
        }
      }
    }
    return MeanDefined(values);
  };
  auto ar = [&](size_t a, size_t m, ptrdiff_t only_category) {
    std::vector<double> values;
    for (int thr = 0; thr < kThresholds; ++thr) {
      for (size_t k = 0; k < categories; ++k) {
        if (only_category >= 0 && k != static_cast<size_t>(only_category)) continue;
        values.push_back(recall[thr * categories * kAreas * kM + p_index(k, a, m)]);
      }
    }
    return MeanDefined(values);
  };
  const int t50 = 0, t75 = 5;  // kIouThresholds[0] == 0.5, kIouThresholds[5] == 0.75
  CocoSummary& s = metrics.summary;
  s.ap = ap(-1, 0, kMaxDetIndex100, -1);
  s.ap50 = ap(t50, 0, kMaxDetIndex100, -1);
  s.ap75 = ap(t75, 0, kMaxDetIndex100, -1);
  s.ap_small = ap(-1, 1, kMaxDetIndex100, -1);
  s.ap_medium = ap(-1, 2, kMaxDetIndex100, -1);
  s.ap_large = ap(-1, 3, kMaxDetIndex100, -1);
  s.ar1 = ar(0, 0, -1);
  s.ar10 = ar(0, 1, -1);
  s.ar100 = ar(0, kMaxDetIndex100, -1);
  s.ar_small = ar(1, kMaxDetIndex100, -1);
  s.ar_medium = ar(2, kMaxDetIndex100, -1);
  s.ar_large = ar(3, kMaxDetIndex100, -1);
  for (size_t k = 0; k < categories; ++k) {
    ClassDetectionMetrics& row = metrics.per_class[k];
    const auto category = static_cast<ptrdiff_t>(k);
    row.ap = ap(-1, 0, kMaxDetIndex100, category);
    row.ap50 = ap(t50, 0, kMaxDetIndex100, category);
    row.ap75 = ap(t75, 0, kMaxDetIndex100, category);
    row.recall = ar(0, kMaxDetIndex100, category);
  }
  return metrics;
}

}  // namespace zooci
