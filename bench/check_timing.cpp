// In-process timing of the compliance checker for bench/check_bench.sh, per file set:
//   parse: read the file + parse it as onnx::ModelProto (the checker's limits: bounded size,
//          recursion limit 256), nothing else: the floor any checker pays;
//   check: CheckModelFile with default options (read + parse + every rule + type inference).
// Each set is timed R times (the two interleaved, after one untimed warm-up pass that also warms
// the page cache); min and median are printed as JSON lines. libonnx builds its op-schema
// registry on the first use; that one-off cost is measured on a tiny model first and reported
// separately, not charged to any set.
//
//   bench_check_timing [-r REPEATS] NAME=LISTFILE...   (LISTFILE: one model path per line)
//   bench_check_timing --parse-only FILE...            (end-to-end floor: read + parse each file
//                                                       once and exit, for hyperfine)
#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "check/check.h"
#include "check_tiny_model.h"

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct FileSet {
  std::string name;
  std::vector<zooci::fs::path> files;
};

// Read + parse, with the same bounds as the checker's own parse. Returns false when the file is
// not a ModelProto (counted, still timed: the checker pays the same for it).
bool ReadAndParse(const zooci::fs::path& path, const zooci::CheckOptions& options,
                  uint64_t* bytes_read) {
  auto bytes = zooci::ReadFile(path, options.max_file_bytes);
  if (!bytes.ok() || bytes->empty() || bytes->size() > static_cast<size_t>(INT_MAX)) return false;
  *bytes_read += bytes->size();
  onnx::ModelProto model;
  google::protobuf::io::CodedInputStream stream(reinterpret_cast<const uint8_t*>(bytes->data()),
                                                static_cast<int>(bytes->size()));
  stream.SetRecursionLimit(options.max_proto_depth);
  return model.MergeFromCodedStream(&stream) && stream.ConsumedEntireMessage();
}

struct Stats {
  double min = 0, median = 0;
};

Stats Summarize(std::vector<double> runs) {
  std::sort(runs.begin(), runs.end());
  Stats stats;
  if (runs.empty()) return stats;
  stats.min = runs.front();
  size_t n = runs.size();
  stats.median = n % 2 == 1 ? runs[n / 2] : (runs[n / 2 - 1] + runs[n / 2]) / 2;
  return stats;
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void TimeSet(const FileSet& set, int repeats, const zooci::CheckOptions& options) {
  const size_t n = set.files.size();
  std::vector<std::vector<double>> parse_ms(n), check_ms(n);
  std::vector<double> parse_total, check_total;
  uint64_t bytes = 0;
  int unparseable = 0, errors = 0, warnings = 0, infos = 0, failing_models = 0;
  for (int rep = -1; rep < repeats; ++rep) {  // rep -1: untimed warm-up, and the counts
    double parse_sum = 0, check_sum = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t read = 0;
      auto start = Clock::now();
      bool parsed = ReadAndParse(set.files[i], options, &read);
      double parse = MsSince(start);
      start = Clock::now();
      zooci::ModelReport report = zooci::CheckModelFile(set.files[i], options);
      double check = MsSince(start);
      if (rep < 0) {
        bytes += read;
        if (!parsed) ++unparseable;
        auto counts = report.Counts();
        errors += counts.errors;
        warnings += counts.warnings;
        infos += counts.infos;
        if (counts.errors > 0) ++failing_models;
        continue;
      }
      parse_ms[i].push_back(parse);
      check_ms[i].push_back(check);
      parse_sum += parse;
      check_sum += check;
    }
    if (rep >= 0) {
      parse_total.push_back(parse_sum);
      check_total.push_back(check_sum);
    }
  }
  Stats parse = Summarize(parse_total), check = Summarize(check_total);
  // The files where checking costs most beyond parsing (median per file).
  std::vector<std::pair<double, size_t>> extra;
  for (size_t i = 0; i < n; ++i) {
    extra.emplace_back(Summarize(check_ms[i]).median - Summarize(parse_ms[i]).median, i);
  }
  std::sort(extra.rbegin(), extra.rend());
  std::string slowest = "[";
  for (size_t k = 0; k < std::min<size_t>(5, extra.size()); ++k) {
    size_t i = extra[k].second;
    char figures[96];
    std::snprintf(figures, sizeof(figures), ", \"parse_ms\": %.4f, \"check_ms\": %.4f}",
                  Summarize(parse_ms[i]).median, Summarize(check_ms[i]).median);
    std::string item =
        (k == 0 ? "{\"path\": " : ", {\"path\": ") + JsonString(set.files[i].string()) + figures;
    slowest += item;
  }
  slowest += "]";
  std::printf(
      "{\"set\": %s, \"files\": %zu, \"bytes\": %llu, \"repeats\": %d, "
      "\"parse_ms_min\": %.3f, \"parse_ms_median\": %.3f, "
      "\"check_ms_min\": %.3f, \"check_ms_median\": %.3f, "
      "\"check_over_parse_median\": %.3f, \"unparseable\": %d, \"models_with_errors\": %d, "
      "\"errors\": %d, \"warnings\": %d, \"infos\": %d, \"most_check_over_parse\": %s}\n",
      JsonString(set.name).c_str(), n, static_cast<unsigned long long>(bytes), repeats, parse.min,
      parse.median, check.min, check.median, parse.median > 0 ? check.median / parse.median : 0.0,
      unparseable, failing_models, errors, warnings, infos, slowest.c_str());
  std::fflush(stdout);
}

int Usage() {
  std::fprintf(stderr,
               "usage: bench_check_timing [-r REPEATS] NAME=LISTFILE...\n"
               "       bench_check_timing --parse-only FILE...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--parse-only") {
    const zooci::CheckOptions options;
    uint64_t bytes = 0;
    int parsed = 0;
    for (int arg = 2; arg < argc; ++arg) parsed += ReadAndParse(argv[arg], options, &bytes) ? 1 : 0;
    std::printf("%d of %d parsed, %llu bytes\n", parsed, argc - 2,
                static_cast<unsigned long long>(bytes));
    return 0;
  }
  int repeats = 5;
  std::vector<FileSet> sets;
  for (int arg = 1; arg < argc; ++arg) {
    std::string text = argv[arg];
    if (text == "-r" && arg + 1 < argc) {
      repeats = std::atoi(argv[++arg]);
      if (repeats < 1) return Usage();
      continue;
    }
    size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) return Usage();
    FileSet set{text.substr(0, eq), {}};
    std::ifstream list(text.substr(eq + 1));
    if (!list) {
      std::fprintf(stderr, "bench_check_timing: cannot read %s\n", text.substr(eq + 1).c_str());
      return 2;
    }
    for (std::string line; std::getline(list, line);) {
      if (!line.empty()) set.files.emplace_back(line);
    }
    sets.push_back(std::move(set));
  }
  if (sets.empty()) return Usage();

  const zooci::CheckOptions options;  // defaults, as `zooci check` uses them
  const std::string tiny = zooci::bench::TinyModel();
  auto start = Clock::now();
  zooci::ModelReport first = zooci::CheckModelBytes(tiny, "", options, "tiny.onnx");
  double first_ms = MsSince(start);
  start = Clock::now();
  zooci::ModelReport second = zooci::CheckModelBytes(tiny, "", options, "tiny.onnx");
  double second_ms = MsSince(start);
  std::printf(
      "{\"init\": \"first CheckModelBytes (builds libonnx's schema registry)\", "
      "\"first_check_ms\": %.3f, \"second_check_ms\": %.4f, \"tiny_model_diagnostics\": %zu}\n",
      first_ms, second_ms, first.diagnostics.size());
  (void)second;
  std::fflush(stdout);

  for (const FileSet& set : sets) TimeSet(set, repeats, options);
  return 0;
}
