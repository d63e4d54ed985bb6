// difftest: differential testing of runtimes. Generates small ONNX models from libonnx's operator
// schemas (ai.onnx, opset <= 17): single-node models with attribute and type-constraint variants
// and random shapes, and small random graphs of float operators; checks each one with the strict
// checker (check/); runs it on every selected runtime through sandboxed executors (runtime/);
// compares every runtime with the reference interpreter, the oracle (compare/); minimises each
// disagreement (drop nodes, shrink shapes, drop optional attributes) and writes it as a case in
// the ONNX backend-test layout that `zooci test` replays.
//
// Dependencies point one way: difftest uses check, onnx, runtime and compare; nothing uses it
// but the CLI.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compare/compare.h"
#include "runtime/runtime.h"

namespace zooci {

// ---- Model specifications ----------------------------------------------------------------------

// An attribute of a generated node. Exactly the field of `kind` is meaningful.
struct AttrSpec {
  enum class Kind { kInt, kFloat, kInts, kFloats, kString };
  std::string name;
  Kind kind = Kind::kInt;
  int64_t i = 0;
  float f = 0;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string s;
};

struct NodeSpec {
  std::string op_type;
  std::vector<std::string> inputs;  // "" for an omitted optional input
  std::vector<std::string> outputs;
  std::vector<AttrSpec> attrs;
};

// A generated model: graph inputs with the data they are fed, constant initializers, nodes in
// topological order and the names of the graph outputs (their types come from shape inference).
struct ModelSpec {
  int64_t opset = 17;
  std::vector<Tensor> inputs;        // named; fed as test data
  std::vector<Tensor> initializers;  // named; shape-like operands (Reshape's shape, ...)
  std::vector<NodeSpec> nodes;
  std::vector<std::string> outputs;
  // The rank of each output ONNX's shape inference leaves without a shape: a data-dependent size
  // (Compress, NonZero, Unique), or a scalar it does not mark as one (GatherND, Det). Declared
  // with that many dims of unknown size.
  std::map<std::string, int64_t> output_ranks;

  // "Softmax(axis=0) float[3,4]" for one node, "Relu>Softmax>Add float[2,5]" for a graph.
  std::string Describe() const;
};

// The serialized ModelProto of `spec`: IR 8, the default domain at `spec.opset`, graph outputs
// typed by ONNX's shape inference (`output_ranks` fills in the shapes it leaves out). An error
// when inference cannot type an output.
Result<std::string> BuildModel(const ModelSpec& spec);

// Tensor of `elem_type` (float, double, float16, int8/16/32/64, uint8, bool) from doubles.
Tensor MakeTensor(const std::string& name, ElemType elem_type, std::vector<int64_t> shape,
                  const std::vector<double>& values);
// The elements of a numeric tensor as doubles.
std::vector<double> TensorValues(const Tensor& tensor);

// ---- Generation --------------------------------------------------------------------------------

// One generated test: a model and the data it is run on.
struct GeneratedCase {
  std::string id;  // "<op>_<n>" ("graph_<n>" for a random graph)
  std::string op;  // the operator under test; "graph" for random graphs
  ModelSpec spec;
};

// Per schema operator: whether difftest generates it, and why not.
struct OperatorCoverage {
  std::string op;
  int since_version = 0;  // of the schema in force at opset 17
  bool generated = false;
  std::string reason;  // when not generated: "no generator (sequence types)", ...
};

// Every ai.onnx operator of opset 17 in libonnx's registry (deprecated and experimental ones
// excluded), A-Z, with whether a generator exists for it.
std::vector<OperatorCoverage> SchemaCoverage();

struct GenerateOptions {
  uint64_t seed = 1;
  std::vector<std::string> ops;  // empty: every operator with a generator
  // Rounds: each round generates one variant of every operator. 0 (RunDifftest only): rounds
  // until the time budget is spent.
  int cases_per_op = 0;
  // Random graphs per round; only when `ops` is empty or names an operator graphs use (then every
  // graph holds one of the asked operators).
  int graphs_per_round = 2;
};

// Round `round`: variant `round` of every selected operator, A-Z, then the round's graphs. Case k
// of operator P depends only on (seed, P, k): the same seed gives the same models whatever `ops`
// subset is asked. An unknown op in `ops` is an error listing the ones with generators.
Result<std::vector<GeneratedCase>> GenerateRound(const GenerateOptions& options, int round);
// Rounds 0 to cases_per_op - 1, in order.
Result<std::vector<GeneratedCase>> GenerateCases(const GenerateOptions& options);

// ---- Minimisation ------------------------------------------------------------------------------

// What the minimiser may ask. `still_fails` decides whether a candidate keeps the failure (it
// must also reject candidates that are not valid models). `evaluate` returns the values of the
// named intermediate tensors of `spec` (the reference's values), used to cut a graph at them.
struct MinimiseHooks {
  std::function<bool(const ModelSpec& spec)> still_fails;
  std::function<Result<std::vector<Tensor>>(const ModelSpec& spec,
                                            const std::vector<std::string>& names)>
      evaluate;
  int max_attempts = 80;  // candidates tried (each is a call of still_fails)
};

struct MinimiseResult {
  ModelSpec spec;
  int attempts = 0;  // candidates tried
  int accepted = 0;  // candidates that kept the failure
};

// Greedy reduction of a failing `spec`: first a single node of it (its inputs are the values
// `evaluate` gives), else nodes dropped from either end; then every non-constant input halved
// along an axis, then optional attributes removed, each while `still_fails` holds. The result
// fails (or is `spec` itself when nothing smaller does).
MinimiseResult Minimise(const ModelSpec& spec, const MinimiseHooks& hooks);

// ---- Running -----------------------------------------------------------------------------------

inline constexpr const char* kOracleRuntime = "reference";

// Tolerances per element type: float16 (rtol 1e-2, atol 1e-3), float (1e-3, 1e-5), double
// (1e-6, 1e-9); integer and bool outputs compare exactly.
Tolerance DifftestTolerance(ElemType elem_type);

enum class DiffVerdict {
  kAgree,        // every output within tolerance of the reference
  kDisagree,     // an output differs (values, shape or type)
  kUnsupported,  // the runtime refused to load the model
  kRunError,     // loaded, then the run failed
  kCrash,        // the worker crashed, timed out or ran out of memory
};
std::string DiffVerdictName(DiffVerdict verdict);  // "agree", "disagree", "unsupported", ...

struct RuntimeResult {
  std::string runtime;
  DiffVerdict verdict = DiffVerdict::kAgree;
  std::string detail;  // why not agree: OutputComparison::Summary() or the runtime's message
  // For kDisagree: the outputs differ in structure (count, type or shape), not only in values.
  // Minimisation keeps this kind, so a shape bug is not traded for a different value bug.
  bool structural = false;
  // Set when a first run crashed and a second, on a fresh worker, did not (the verdict is the
  // second run's): the crash belongs to an earlier case that left the worker's heap corrupted.
  std::string crashed_before;
  // For kCrash: how the worker ended (a crash proper, a timeout, out of memory). Only crashes
  // proper are minimised: a candidate that times out costs the whole time limit.
  RunStatus run_status = RunStatus::kOk;
};

// A disagreement or a crash written as a replayable case.
struct WrittenCase {
  std::string runtime;
  bool crash = false;     // the runtime's worker crashes on it (else: it disagrees)
  fs::path dir;           // <out>/cases/<op>_<runtime>_<n>, <op>_<runtime>_crash_<n>
  std::string original;   // ModelSpec::Describe() as generated
  std::string minimised;  // after minimisation
  int nodes = 0;          // of the minimised model
  std::string detail;     // the minimised disagreement, or how the worker died
  // The `zooci test` command that replays it, with difftest's tolerance when an output's type
  // has a tighter one than zooci test's default (double); empty when the case was not written.
  std::string replay;
};

struct CaseOutcome {
  std::string id;
  std::string op;
  std::string description;
  bool check_failed = false;   // a generator bug: never run
  std::string check_message;   // the first error diagnostic
  bool oracle_failed = false;  // the reference could not run it: nothing to compare with
  std::string oracle_message;
  std::vector<RuntimeResult> results;  // one per non-oracle runtime, in runtime order
  std::vector<WrittenCase> written;
  int64_t duration_ns = 0;
};

struct OperatorRow {
  std::string op;
  int generated = 0;
  int check_failed = 0;
  int oracle_failed = 0;
  struct Cell {
    int agree = 0, disagree = 0, unsupported = 0, run_error = 0, crash = 0;
    int collateral_crashes = 0;     // first runs that crashed, then did not on a fresh worker
    std::string first_unsupported;  // the runtime's message, for the report
    std::string first_failure;      // of a run error or crash
  };
  std::map<std::string, Cell> per_runtime;
};

struct DifftestOptions {
  GenerateOptions generate;
  std::vector<std::string> runtimes;  // include kOracleRuntime; the others are compared with it
  double time_budget_s = 600;         // stops starting new cases (and minimisations) after it
  bool minimise = true;
  int max_cases_per_class = 2;  // disagreements (and crashes) written per (op, runtime)
  fs::path out_dir;             // cases/ under it; empty: nothing written
};

struct DifftestReport {
  uint64_t seed = 0;
  std::vector<std::string> runtimes;
  std::map<std::string, std::string> backends;  // runtime -> "onnxruntime 1.30.0"
  int planned = 0;  // cases of the rounds asked for; 0 when rounds run until the budget
  int run = 0;      // cases taken before the budget ran out
  bool budget_exhausted = false;
  int64_t duration_ns = 0;
  std::vector<CaseOutcome> cases;
  std::vector<OperatorRow> operators;      // A-Z, operators with at least one case
  std::vector<OperatorCoverage> coverage;  // every schema operator
  int disagreements = 0;                   // (case, runtime) pairs
  int crashes = 0;                         // (case, runtime) pairs, collateral ones not counted
  int generator_bugs = 0;                  // cases that failed check
};

using DifftestExecutors =
    std::function<Result<std::unique_ptr<Executor>>(const std::string& runtime)>;
// `total` is 0 when the rounds run until the budget; `budget_fraction` is the share of the time
// budget spent.
using DifftestProgress =
    std::function<void(const CaseOutcome& outcome, int done, int total, double budget_fraction)>;

// Generates, checks, runs, compares and minimises. Errors only for infrastructure (an executor
// that cannot be made, the oracle missing from `runtimes`, an unwritable --out); everything a
// model does is in the report.
Result<DifftestReport> RunDifftest(const DifftestOptions& options,
                                   const DifftestExecutors& executors,
                                   const DifftestProgress& progress = nullptr);

// Views of the report. The text ends with "N cases, N disagreements" (", N crashes" when any).
std::string FormatDifftestText(const DifftestReport& report);
std::string FormatDifftestJson(const DifftestReport& report);
std::string FormatDifftestMarkdown(const DifftestReport& report);

}  // namespace zooci
