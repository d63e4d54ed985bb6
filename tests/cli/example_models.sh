# The example models (tools/make_example_models.py: torchvision, digits, shapes_yolo, shapes_seg)
# pass against PyTorch's outputs. The expected set is spelled out so that a model the generator
# stops producing fails here instead of shrinking the count silently.
models="$ZOOCI_SOURCE_DIR/examples/models"
[[ -d "$models" ]] || fail "$models missing: run 'make examples' (make test does)"
expected="digits_cnn mobilenet_v2 resnet18 shapes_seg shapes_yolo squeezenet1_1"
actual=$(cd "$models" && ls -d */ | tr -d / | sort | tr '\n' ' ' | sed 's/ $//')
[[ "$actual" == "$expected" ]] || fail "example models: expected '$expected', found '$actual'"
run_zooci 0 test "$models"
expect_in "$OUT" "6 passed, 0 failed"
