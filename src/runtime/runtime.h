// runtime: running models. Two layers:
//  - Backend / Session: an inference runtime adapter, used only inside worker processes
//    (OrtBackend for ONNX Runtime, OpenCvBackend for OpenCV DNN; FakeBackend in src/testing for
//    tests). The worker executable picks one with --backend.
//  - Executor: what the rest of ZooCI calls to run a model on data sets. SandboxExecutor keeps a
//    pool of long-lived zooci-worker processes under resource limits and turns a crash, a timeout
//    or an out-of-memory into a reported outcome instead of an outage of the caller.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onnx/onnx_io.h"

namespace zooci {

enum class GraphOptimization { kDisabled = 0, kBasic = 1, kExtended = 2, kAll = 99 };

// Runtime session options. 0 threads = let the runtime choose.
struct SessionConfig {
  int intra_op_threads = 0;
  int inter_op_threads = 0;
  GraphOptimization optimization = GraphOptimization::kAll;
};

// ---- Backend (in the worker process) ------------------------------------------------------------

struct SessionDescription {
  std::string device;    // "CPUExecutionProvider", "DNN_BACKEND_OPENCV on DNN_TARGET_CPU"
  std::string settings;  // the SessionConfig as this runtime applies it
};

// A run with fixed inputs, converted to the runtime's form once: what a benchmark repeats.
class PreparedRun {
 public:
  virtual ~PreparedRun() = default;
  // Runs once and discards the outputs. Safe to call from several threads at once when the
  // session's Run is (ONNX Runtime's is).
  virtual Status Run() = 0;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual const std::vector<ValueInfo>& inputs() const = 0;
  virtual const std::vector<ValueInfo>& outputs() const = 0;
  // Runs once. `inputs` carry the model input name each binds to in Value::name. Returns every
  // model output, in model order, named.
  virtual Result<std::vector<Value>> Run(const std::vector<Value>& inputs) = 0;
  // Converts `inputs` once for repeated runs. The default calls Run(inputs) each time.
  virtual Result<std::unique_ptr<PreparedRun>> Prepare(std::vector<Value> inputs);
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;     // "onnxruntime"
  virtual std::string version() const = 0;  // "1.30.0", asked from the loaded library
  virtual Result<std::unique_ptr<Session>> Load(const fs::path& model_path,
                                                const SessionConfig& config) = 0;
  // How a session loaded with `config` runs, in this runtime's own terms, for benchmark reports:
  // the device ("CPUExecutionProvider") and the settings that apply ("intra-op 1, inter-op
  // runtime default; graph optimization all"), saying which of `config`'s do not.
  virtual SessionDescription DescribeSession(const SessionConfig& config) const = 0;
};

// The ONNX Runtime backend (CPU execution provider). Defined in the zooci_ort_backend library,
// which only the worker executable links. ONNX Runtime's telemetry is off in the process from
// then on: nothing is written to $HOME or $TMPDIR and nothing is sent. To do that it sets
// ORT_DISABLE_TELEMETRY=1 in the process environment (setenv), so call it before starting threads
// that read the environment.
std::unique_ptr<Backend> MakeOrtBackend();

// The OpenCV DNN backend ("opencv-dnn": OpenCV's own ONNX importer and CPU kernels, DNN_BACKEND_
// OPENCV on DNN_TARGET_CPU). Defined in the zooci_opencv_backend library, which only the worker
// executable links. A model OpenCV cannot import or run is an error of one line with OpenCV's
// reason (the node, operator, attribute or type it names). SessionConfig::intra_op_threads sets
// OpenCV's process-wide thread count; inter_op_threads and optimization do not apply.
std::unique_ptr<Backend> MakeOpenCvBackend();

// ZooCI's reference interpreter ("reference", reference/reference.h): every operator written out
// plainly in double, the oracle the other runtimes are compared with; slow. Defined in the
// zooci_reference_backend library, which only the worker executable links. An operator it lacks
// is refused at load ("reference: operator Foo (opset 13) not implemented"). SessionConfig does
// not apply.
std::unique_ptr<Backend> MakeReferenceBackend();

// An out-of-memory inside a backend is reported with this prefix so the sandbox can classify it.
inline constexpr const char* kOutOfMemoryPrefix = "out of memory: ";

// Serves requests from `in_fd` and answers on `out_fd` until `in_fd` closes. Returns the process
// exit code. The body of every worker executable.
int RunWorkerLoop(Backend& backend, int in_fd, int out_fd);

// ---- Executor (in the calling process)
// -----------------------------------------------------------

// A value to feed, as the serialized proto it came from (TensorProto, SequenceProto or
// OptionalProto according to `kind`), bound to model input `name`.
struct WireValue {
  std::string name;
  ValueKind kind = ValueKind::kTensor;
  std::string bytes;
};

struct RunDataSet {
  std::string name;
  std::vector<WireValue> inputs;
};

// How a benchmark request runs (in the worker): warm-up runs, then queries issued back to back
// by `concurrency` threads over the data sets in turn, until both minimums are met or a maximum
// is reached. Each query is one Run.
struct BenchPlan {
  int warmup_runs = 5;
  int64_t min_duration_ms = 5000;
  int64_t min_queries = 100;
  int64_t max_duration_ms = 60000;  // hard stop, even below the minimums (the result is invalid)
  int64_t max_queries = 0;          // 0: no cap
  int concurrency = 1;
};

struct BenchMeasurement {
  std::vector<int64_t> warmup_ns;   // each warm-up run, in order
  std::vector<int64_t> latency_ns;  // each measured query, in completion order
  int64_t measured_wall_ns = 0;     // from the first measured query's start to the last's end
  // Peak resident memory of the worker: from the request's start through session creation, and
  // during warm-up and measured runs (the peak is reset in between; Linux clear_refs).
  uint64_t rss_after_load_bytes = 0;
  uint64_t rss_peak_runs_bytes = 0;
  bool rss_split = false;  // false when the kernel refused the reset: runs peak includes load
  SessionDescription session;  // Backend::DescribeSession for the request's config
};

struct RunRequest {
  fs::path model_path;
  SessionConfig session;
  std::vector<RunDataSet> data_sets;
  // When set, the data sets are the inputs of a benchmark and no outputs come back.
  std::optional<BenchPlan> bench;
};

enum class RunStatus { kOk, kError, kCrash, kTimeout, kOutOfMemory };
std::string RunStatusName(RunStatus status);  // "ok", "error", "crash", "timeout", "out-of-memory"

struct DataSetOutcome {
  std::string name;
  RunStatus status = RunStatus::kOk;  // kOk or kError (a model error on this data set)
  std::string error;
  std::vector<Value> outputs;  // every model output, named, in model order
  int64_t run_ns = 0;
};

struct RunOutcome {
  // kOk: the session was created and every data set ran (each with its own status).
  // Otherwise nothing after the failure ran and `message` says why.
  RunStatus status = RunStatus::kOk;
  std::string message;
  int64_t session_create_ns = 0;
  std::vector<DataSetOutcome> data_sets;
  BenchMeasurement bench;  // filled for benchmark requests
};

// ---- Worker jobs
// Work that must happen inside the sandbox but is more than runs on given inputs (eval decodes
// and preprocesses images next to the model). A job is registered by name in the worker
// executable; it gets the loaded Session (cached across requests for the same model file and
// options) and parameters as JSON text plus binary blobs, and answers the same way.
struct JobRequest {
  std::string job;  // a registered name, e.g. "eval-classification"
  fs::path model_path;
  SessionConfig session;
  std::string params_json;
  std::vector<std::string> blobs;
};

struct JobResult {
  std::string result_json;
  std::vector<std::string> blobs;
};

struct JobOutcome {
  RunStatus status = RunStatus::kOk;  // kError: the job's own error (e.g. an undecodable image)
  std::string message;
  int64_t session_create_ns = 0;  // 0 when the session came from the worker's cache
  JobResult result;
};

using JobHandler = std::function<Result<JobResult>(Session& session, const JobRequest& request)>;
// Registers a job in this process (the worker, or a test using the in-process executor).
void RegisterJob(const std::string& name, JobHandler handler);

class Executor {
 public:
  virtual ~Executor() = default;
  // Thread-safe; runs the job to an outcome with the same isolation as Run. Never throws.
  virtual JobOutcome RunJob(const JobRequest& request) = 0;
  // Thread-safe; runs the request to an outcome. Never throws.
  virtual RunOutcome Run(const RunRequest& request) = 0;
  // "onnxruntime 1.30.0" of the backend that runs the models.
  virtual Result<std::string> BackendDescription() = 0;
};

struct SandboxConfig {
  fs::path worker_executable;       // zooci-worker (or a test fake speaking the protocol)
  int workers = 1;                  // pool size = maximum concurrent runs
  int64_t timeout_ms = 300000;      // wall time per request, session creation included
  uint64_t memory_limit_bytes = 0;  // address-space limit per worker (RLIMIT_AS); 0 = none
  fs::path log_dir;                 // workers' stderr goes to files here (empty: inherit)
  // The runtime the workers load, passed as `--backend NAME` (one of RuntimeNames()).
  std::string backend = "ort";
  // Requests a worker may hold at once: above 1, the next request waits in the worker's stdin
  // while it runs the current one (it then never waits for the caller between requests). A
  // request queued behind one that kills the worker is sent again to its replacement. Callers
  // need more threads than workers to make use of it; a queued request waits for the one ahead
  // even when another worker becomes free, so long runs (benchmarks) should keep 1.
  int requests_per_worker = 1;
};

// The runtimes zooci-worker can load, by the name `--backend` takes ("ort", "opencv"), the default
// first. The worker's table of backends (worker_main.cpp) has one entry per name.
const std::vector<std::string>& RuntimeNames();

// Pool of worker processes; a worker that crashes, times out or runs out of memory is killed and
// replaced before its slot is reused.
Result<std::unique_ptr<Executor>> MakeSandboxExecutor(const SandboxConfig& config);

// Runs requests in this process with `backend`: for tests and measurements only (no isolation).
std::unique_ptr<Executor> MakeInProcessExecutor(std::unique_ptr<Backend> backend);

// Default location of zooci-worker: beside the running executable.
Result<fs::path> DefaultWorkerExecutable();

// What identifies the running executable's build and `worker`'s ("zooci=<id>,worker=<id>"):
// their GNU build-ids, else their sizes and modification times. Result caches key on it, since
// the version number stays the same across builds that compute different results.
std::string BuildIdentity(const fs::path& worker);

}  // namespace zooci
