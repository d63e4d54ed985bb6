# A runtime is one backend file plus its registration (docs/design.md, "Adding a runtime
# backend"): no runtime's headers or API outside src/runtime/ (and the reference interpreter's
# own module), so pipeline/, eval/, bench/, testrun/, report/, service/ and cli/ stay
# backend-agnostic. This fails when a runtime's code leaks into them.
src="$ZOOCI_SOURCE_DIR/src"
[[ -d "$src/runtime" && -d "$src/pipeline" ]] || fail "no source tree at $src"
pattern='#include\s*[<"](onnxruntime|opencv2/dnn|reference/reference\.h)|(?<!")\b(Ort::|OrtApi|cv::dnn::)'
code=0
hits="$(grep -rnP --include='*.cpp' --include='*.h' "$pattern" "$src")" || code=$?
[[ $code -le 1 ]] || fail "grep failed ($code)"
leaks="$(grep -v -e "^$src/runtime/" -e "^$src/reference/" <<<"$hits" || true)"
[[ -z "$leaks" ]] || fail "runtime-specific code outside src/runtime/: $leaks"
# The check itself finds a leak (a test that cannot fail is a defect).
mkdir -p "$SCRATCH/src/pipeline"
echo '#include <onnxruntime_cxx_api.h>' > "$SCRATCH/src/pipeline/leak.cpp"
echo 'void F() { cv::dnn::Net net; }' > "$SCRATCH/src/pipeline/leak2.cpp"
found="$(grep -rlP "$pattern" "$SCRATCH/src" | wc -l)"
[[ "$found" == 2 ]] || fail "the boundary check missed a planted leak ($found of 2)"
# The backends themselves are where the check says they are.
grep -q 'Ort::' "$src/runtime/ort_backend.cpp" || fail "ort_backend.cpp moved: update this test"
grep -q 'cv::dnn::' "$src/runtime/opencv_backend.cpp" || fail "opencv_backend.cpp moved: update this test"
