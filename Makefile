# ZooCI: the two commands of the Quick start, and the pieces they are made of.
#   make demo   run the main job on the example models
#   make test   install dependencies, build, run the whole suite
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
EXAMPLES_DIR ?= examples/models

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

test: build examples
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build examples
	$(BUILD_DIR)/zooci test -v $(EXAMPLES_DIR)

bench: build examples
	bash bench/test_corpus.sh

# The checker's benchmark (vs python3-onnx and parse-only) and its fuzzer (clang, build-fuzz/).
FUZZ_SECONDS ?= 600
.PHONY: bench-check fuzz

bench-check: build examples
	BUILD_DIR=$(BUILD_DIR) bash bench/check_bench.sh

fuzz: deps
	bash bench/fuzz_check.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR)
