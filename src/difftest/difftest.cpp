// RunDifftest: MakeRuntimes -> GenerateCases -> per case (until the budget): check, run the
// oracle, run and judge every other runtime, minimise and write the first disagreements and
// crashes of each (operator, runtime) -> the per-operator table.
#include <algorithm>
#include <cstdio>

#include "difftest/internal.h"
#include "difftest/run.h"

namespace zooci {
namespace {

using difftest_internal::Runtimes;
using difftest_internal::SteadyClock;

// After it: one executor per runtime, the oracle first in `names`.
Result<Runtimes> MakeRuntimes(const DifftestOptions& options, const DifftestExecutors& factory,
                              std::map<std::string, std::string>* backends) {
  if (std::find(options.runtimes.begin(), options.runtimes.end(), kOracleRuntime) ==
      options.runtimes.end()) {
    return Error(std::string("--runtimes must include ") + kOracleRuntime + " (the oracle)");
  }
  if (options.runtimes.size() < 2) return Error("--runtimes needs a runtime besides the oracle");
  std::vector<std::string> names = {kOracleRuntime};
  std::map<std::string, std::unique_ptr<Executor>> executors;
  for (const std::string& runtime : options.runtimes) {
    if (runtime != kOracleRuntime) {
      if (std::find(names.begin(), names.end(), runtime) != names.end()) continue;
      names.push_back(runtime);
    }
  }
  for (const std::string& runtime : names) {
    ZC_ASSIGN_OR_RETURN(auto executor, factory(runtime).WithContext("runtime " + runtime));
    ZC_ASSIGN_OR_RETURN(std::string description,
                        executor->BackendDescription().WithContext("runtime " + runtime));
    (*backends)[runtime] = description;
    executors[runtime] = std::move(executor);
  }
  ZC_ASSIGN_OR_RETURN(TempDir work, TempDir::Create("zooci-difftest"));
  return Runtimes(std::move(names), std::move(executors), std::move(work));
}

// "zooci test --runtime X [--rtol R --atol A] DIR": difftest's tolerance is passed when an
// output's type has a tighter one than zooci test's default (double), so that the replay judges
// as difftest did. Integer outputs compare exactly either way.
std::string ReplayCommand(const std::string& runtime, const std::vector<Value>& expected,
                          const fs::path& dir) {
  std::string command = "zooci test --runtime " + runtime;
  for (const Value& output : expected) {
    Tolerance tolerance = DifftestTolerance(output.tensor.elem_type);
    if (tolerance.rtol < Tolerance{}.rtol) {
      char flags[64];
      std::snprintf(flags, sizeof(flags), " --rtol %g --atol %g", tolerance.rtol, tolerance.atol);
      command += flags;
      break;
    }
  }
  return command + " " + dir.string();
}

// A class of findings: "<op>_<runtime>" for disagreements, "<op>_<runtime>_crash" for crashes
// (each has its own --max-cases-per-class).
std::string ClassKey(const std::string& op, const RuntimeResult& result) {
  return op + "_" + result.runtime + (result.verdict == DiffVerdict::kCrash ? "_crash" : "");
}

class DifftestRun {
 public:
  DifftestRun(const DifftestOptions& options, Runtimes& runtimes, SteadyClock::time_point deadline)
      : options_(options), runtimes_(runtimes), deadline_(deadline) {}

  CaseOutcome RunCase(const GeneratedCase& generated);

 private:
  bool OutOfTime() const { return SteadyClock::now() >= deadline_; }
  // Whether `runtime` still fails on `spec` (a valid model the oracle runs) as it did in `found`:
  // disagreeing in structure or in values as `found.structural` says, or crashing.
  bool StillFails(const RuntimeResult& found, const ModelSpec& spec);
  Result<std::vector<Tensor>> Evaluate(const ModelSpec& spec,
                                       const std::vector<std::string>& names);
  void MinimiseAndWrite(const GeneratedCase& generated, const RuntimeResult& found,
                        CaseOutcome* outcome);

  const DifftestOptions& options_;
  Runtimes& runtimes_;
  SteadyClock::time_point deadline_;
  std::map<std::string, int> written_per_class_;  // "<op>_<runtime>" -> cases written
};

CaseOutcome DifftestRun::RunCase(const GeneratedCase& generated) {
  SteadyClock::time_point start = SteadyClock::now();
  CaseOutcome outcome;
  outcome.id = generated.id;
  outcome.op = generated.op;
  outcome.description = generated.spec.Describe();
  auto finish = [&] {
    outcome.duration_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - start).count();
    return outcome;
  };
  // A model that fails check is a generator bug: counted, never run.
  auto bytes = BuildModel(generated.spec);
  std::string check_error = bytes.ok() ? difftest_internal::CheckError(*bytes, generated.id)
                                       : "build: " + bytes.error().message();
  if (!check_error.empty()) {
    outcome.check_failed = true;
    outcome.check_message = check_error;
    return finish();
  }
  auto expected = difftest_internal::OracleOutputs(
      runtimes_.Run(kOracleRuntime, *bytes, generated.spec.inputs));
  if (!expected.ok()) {
    outcome.oracle_failed = true;
    outcome.oracle_message = expected.error().message();
    return finish();
  }
  for (size_t runtime_idx = 1; runtime_idx < runtimes_.names().size(); ++runtime_idx) {
    const std::string& runtime = runtimes_.names()[runtime_idx];
    RuntimeResult result = difftest_internal::Judge(
        runtime, runtimes_.Run(runtime, *bytes, generated.spec.inputs), *expected);
    if (result.verdict == DiffVerdict::kCrash) {
      // Workers are reused: a case that corrupted the heap may kill the worker on a later,
      // innocent case. The sandbox has replaced the dead worker, so one more run tells the
      // case's own crash from a collateral one.
      RuntimeResult again = difftest_internal::Judge(
          runtime, runtimes_.Run(runtime, *bytes, generated.spec.inputs), *expected);
      if (again.verdict != DiffVerdict::kCrash) {
        again.crashed_before = result.detail;
        result = again;
      }
    }
    outcome.results.push_back(std::move(result));
  }
  for (const RuntimeResult& result : std::vector<RuntimeResult>(outcome.results)) {
    // A crash is the case's own here: a collateral one was run again above.
    const bool own_crash =
        result.verdict == DiffVerdict::kCrash && result.run_status == RunStatus::kCrash;
    if (result.verdict != DiffVerdict::kDisagree && !own_crash) continue;
    if (options_.out_dir.empty() || OutOfTime()) continue;
    if (written_per_class_[ClassKey(generated.op, result)] >= options_.max_cases_per_class)
      continue;
    MinimiseAndWrite(generated, result, &outcome);
  }
  return finish();
}

bool SameFailure(const RuntimeResult& found, const RuntimeResult& result) {
  if (found.verdict == DiffVerdict::kCrash) {
    return result.verdict == DiffVerdict::kCrash && result.run_status == found.run_status;
  }
  return result.verdict == DiffVerdict::kDisagree && result.structural == found.structural;
}

bool DifftestRun::StillFails(const RuntimeResult& found, const ModelSpec& spec) {
  if (OutOfTime()) return false;
  auto bytes = BuildModel(spec);
  if (!bytes.ok() || !difftest_internal::CheckError(*bytes, "candidate").empty()) return false;
  auto expected =
      difftest_internal::OracleOutputs(runtimes_.Run(kOracleRuntime, *bytes, spec.inputs));
  if (!expected.ok()) return false;
  RuntimeResult result = difftest_internal::Judge(
      found.runtime, runtimes_.Run(found.runtime, *bytes, spec.inputs), *expected);
  return SameFailure(found, result);
}

Result<std::vector<Tensor>> DifftestRun::Evaluate(const ModelSpec& spec,
                                                  const std::vector<std::string>& names) {
  ModelSpec exposed = spec;
  exposed.outputs = names;
  ZC_ASSIGN_OR_RETURN(std::string bytes, BuildModel(exposed));
  ZC_ASSIGN_OR_RETURN(std::vector<Value> values, difftest_internal::OracleOutputs(runtimes_.Run(
                                                     kOracleRuntime, bytes, exposed.inputs)));
  std::vector<Tensor> tensors;
  for (size_t value_idx = 0; value_idx < values.size() && value_idx < names.size(); ++value_idx) {
    Tensor tensor = values[value_idx].tensor;
    tensor.name = names[value_idx];
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

void DifftestRun::MinimiseAndWrite(const GeneratedCase& generated, const RuntimeResult& found,
                                   CaseOutcome* outcome) {
  const std::string& runtime = found.runtime;
  ModelSpec spec = generated.spec;
  if (options_.minimise) {
    MinimiseHooks hooks;
    hooks.still_fails = [&](const ModelSpec& candidate) { return StillFails(found, candidate); };
    hooks.evaluate = [&](const ModelSpec& candidate, const std::vector<std::string>& names) {
      return Evaluate(candidate, names);
    };
    spec = Minimise(generated.spec, hooks).spec;
  }
  auto bytes = BuildModel(spec);
  if (!bytes.ok()) return;
  auto expected =
      difftest_internal::OracleOutputs(runtimes_.Run(kOracleRuntime, *bytes, spec.inputs));
  if (!expected.ok()) return;
  RuntimeResult result =
      difftest_internal::Judge(runtime, runtimes_.Run(runtime, *bytes, spec.inputs), *expected);
  if (!SameFailure(found, result)) return;  // flaky: not written
  const bool crash = found.verdict == DiffVerdict::kCrash;
  if (crash) {  // a crash on a fresh worker once more: not one left over by the run before
    RuntimeResult again =
        difftest_internal::Judge(runtime, runtimes_.Run(runtime, *bytes, spec.inputs), *expected);
    if (!SameFailure(found, again)) return;
  }
  int& count = written_per_class_[ClassKey(generated.op, found)];
  WrittenCase written;
  written.runtime = runtime;
  written.crash = crash;
  written.dir = options_.out_dir / "cases" /
                (ClassKey(generated.op, found) + "_" + std::to_string(count));
  written.original = generated.spec.Describe();
  written.minimised = spec.Describe();
  written.nodes = static_cast<int>(spec.nodes.size());
  written.detail = result.detail;
  Status status = difftest_internal::WriteCase(written.dir, *bytes, spec, *expected);
  if (status.ok()) {
    written.replay = ReplayCommand(runtime, *expected, written.dir);
  } else {
    written.detail = "not written: " + status.error().message();
    written.dir.clear();
  }
  ++count;
  outcome->written.push_back(std::move(written));
}

std::vector<OperatorRow> BuildRows(const std::vector<CaseOutcome>& cases) {
  std::map<std::string, OperatorRow> rows;
  for (const CaseOutcome& outcome : cases) {
    OperatorRow& row = rows[outcome.op];
    row.op = outcome.op;
    ++row.generated;
    if (outcome.check_failed) ++row.check_failed;
    if (outcome.oracle_failed) ++row.oracle_failed;
    for (const RuntimeResult& result : outcome.results) {
      OperatorRow::Cell& cell = row.per_runtime[result.runtime];
      if (!result.crashed_before.empty()) ++cell.collateral_crashes;
      switch (result.verdict) {
        case DiffVerdict::kAgree:
          ++cell.agree;
          break;
        case DiffVerdict::kDisagree:
          ++cell.disagree;
          break;
        case DiffVerdict::kUnsupported:
          ++cell.unsupported;
          if (cell.first_unsupported.empty()) cell.first_unsupported = result.detail;
          break;
        case DiffVerdict::kRunError:
          ++cell.run_error;
          if (cell.first_failure.empty()) cell.first_failure = result.detail;
          break;
        case DiffVerdict::kCrash:
          ++cell.crash;
          if (cell.first_failure.empty()) cell.first_failure = result.detail;
          break;
      }
    }
  }
  std::vector<OperatorRow> sorted;
  for (auto& [op, row] : rows) sorted.push_back(std::move(row));
  return sorted;
}

}  // namespace

Result<DifftestReport> RunDifftest(const DifftestOptions& options,
                                   const DifftestExecutors& executors,
                                   const DifftestProgress& progress) {
  SteadyClock::time_point start = SteadyClock::now();
  SteadyClock::time_point deadline =
      start + std::chrono::milliseconds(static_cast<int64_t>(options.time_budget_s * 1000));
  DifftestReport report;
  report.seed = options.generate.seed;
  // The first round is generated before any runtime starts: a bad --ops fails at once.
  ZC_ASSIGN_OR_RETURN(std::vector<GeneratedCase> round_cases, GenerateRound(options.generate, 0));
  ZC_ASSIGN_OR_RETURN(Runtimes runtimes, MakeRuntimes(options, executors, &report.backends));
  report.runtimes = runtimes.names();
  if (!options.out_dir.empty()) {
    std::error_code error;
    fs::create_directories(options.out_dir / "cases", error);
    if (error) return Error("--out " + options.out_dir.string() + ": " + error.message());
  }
  const int rounds = options.generate.cases_per_op;  // 0: until the budget
  report.planned = rounds * static_cast<int>(round_cases.size());
  auto budget_fraction = [&] {
    double spent = std::chrono::duration<double>(SteadyClock::now() - start).count();
    return options.time_budget_s > 0 ? std::min(1.0, spent / options.time_budget_s) : 1.0;
  };
  DifftestRun session(options, runtimes, deadline);
  for (int round = 0; rounds == 0 || round < rounds; ++round) {
    if (round > 0) {
      ZC_ASSIGN_OR_RETURN(round_cases, GenerateRound(options.generate, round));
    }
    for (const GeneratedCase& generated : round_cases) {
      if (SteadyClock::now() >= deadline) break;
      report.cases.push_back(session.RunCase(generated));
      ++report.run;
      if (progress) progress(report.cases.back(), report.run, report.planned, budget_fraction());
    }
    if (SteadyClock::now() >= deadline) {
      report.budget_exhausted = rounds == 0 || report.run < report.planned;
      break;
    }
  }
  report.operators = BuildRows(report.cases);
  report.coverage = SchemaCoverage();
  for (const CaseOutcome& outcome : report.cases) {
    if (outcome.check_failed) ++report.generator_bugs;
    for (const RuntimeResult& result : outcome.results) {
      if (result.verdict == DiffVerdict::kDisagree) ++report.disagreements;
      if (result.verdict == DiffVerdict::kCrash) ++report.crashes;
    }
  }
  report.duration_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - start).count();
  return report;
}

}  // namespace zooci
