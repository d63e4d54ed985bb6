# ZooCI: the two commands of the Quick start, and the pieces they are made of.
#   make demo   run the main job: zooci validate on the example zoo (verdicts + HTML report)
#   make test   install dependencies, build, run the whole suite
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
EXAMPLES_DIR ?= examples/models
ZOO_DIR ?= examples/zoo

.PHONY: all deps build test demo examples bench format clean

all: build

deps:
	bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

examples: deps
	/usr/bin/python3 tools/make_example_models.py $(EXAMPLES_DIR)
	/usr/bin/python3 tools/make_example_zoo.py $(ZOO_DIR)

test: build examples
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The main job: review every model of the example zoo (main branch), then a submission that
# must be declined, printing the verdicts and writing HTML reports next to the zoo.
demo: build examples
	$(BUILD_DIR)/zooci validate --fetch-lfs --html examples/zoo-report.html $(ZOO_DIR)
	git -C $(ZOO_DIR) checkout -q submission/overclaim
	code=0; $(BUILD_DIR)/zooci validate --fetch-lfs --changed-since main \
	  --html examples/zoo-submission-report.html $(ZOO_DIR) || code=$$?; \
	git -C $(ZOO_DIR) checkout -q main; \
	if [ $$code -ne 1 ]; then echo "demo: expected the overclaiming submission to be declined (exit 1), got exit $$code" >&2; exit 1; fi
	@echo "HTML reports: examples/zoo-report.html, examples/zoo-submission-report.html"

# The robot on this machine: a fake GitHub, zooci serve, two signed pull-request webhooks.
.PHONY: demo-serve bench-serve bench-serve-wrk bench-dashboard
bench-dashboard: build examples
	BUILD_DIR=$(BUILD_DIR) bash bench/dashboard_pages.sh
bench-serve-wrk: build
	BUILD_DIR=$(BUILD_DIR) bash bench/serve_wrk.sh
bench-serve: build examples
	BUILD_DIR=$(BUILD_DIR) bash bench/serve_latency.sh
demo-serve: build examples
	BUILD_DIR=$(BUILD_DIR) bash scripts/demo_serve.sh

bench: build examples
	bash bench/test_corpus.sh

# The ONNX backend corpus through zooci test --runtime opencv -j 2 against a bare OpenCV DNN loop.
.PHONY: bench-opencv
bench-opencv: build
	bash bench/opencv_corpus.sh $(BUILD_DIR)

# The per-operator conformance table of docs/conformance.md (the corpus on every runtime);
# tests/cli/conformance_table.sh fails when the committed table is not what the build produces.
.PHONY: conformance
conformance: build
	bash scripts/conformance.sh $(BUILD_DIR)/zooci --update docs/conformance.md

# Full validate of the example zoo, then a re-validate with one model changed (the cache).
.PHONY: bench-validate bench-eval bench-harness
# zooci bench's harness side by side with a minimal ONNX Runtime loop (p50, per-query overhead).
bench-harness: build examples
	bash bench/bench_harness.sh $(BUILD_DIR)

bench-validate: build examples
	BUILD_DIR=$(BUILD_DIR) bash bench/validate_cache.sh

bench-eval: build examples
	bash bench/eval_throughput.sh $(BUILD_DIR)

# zooci eval on the example object detector: images/s and the share of box decoding + matching.
.PHONY: bench-eval-detection
bench-eval-detection: build examples
	bash bench/eval_detection.sh $(BUILD_DIR)

# zooci eval on the example segmentation model: images/s and the share of the pixel comparison.
.PHONY: bench-eval-segmentation
bench-eval-segmentation: build examples
	bash bench/eval_segmentation.sh $(BUILD_DIR)

# The job store: claims/s with 8 worker threads on PostgreSQL (throwaway server) and SQLite.
# Builds only its own binary.
.PHONY: bench-store
bench-store: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target bench_store_claims
	BUILD_DIR=$(BUILD_DIR) bash bench/store_claims.sh

# The checker's benchmark (vs python3-onnx and parse-only) and its fuzzer (clang, build-fuzz/).
FUZZ_SECONDS ?= 600
.PHONY: bench-check fuzz fuzz-readme

bench-check: build examples
	BUILD_DIR=$(BUILD_DIR) bash bench/check_bench.sh

fuzz: deps
	bash bench/fuzz_check.sh $(FUZZ_SECONDS)

# The README / model-table parser and notebook reader, seeded with the real zoo's pages.
fuzz-readme: deps
	FUZZ_TARGET=readme_fuzz bash bench/fuzz_check.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR)

# zooci difftest over ONNX Runtime, OpenCV DNN and the reference, 60 s per run, twice with and
# twice without minimisation: generated-and-compared cases per second (docs/benchmarks.md).
.PHONY: bench-difftest
bench-difftest: build
	bash bench/difftest.sh $(BUILD_DIR)
