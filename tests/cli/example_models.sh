# The example models (tools/make_example_models.py: torchvision, digits, shapes_yolo) pass
# against PyTorch's outputs.
models="$ZOOCI_SOURCE_DIR/examples/models"
[[ -d "$models" ]] || fail "$models missing: run 'make examples' (make test does)"
run_zooci 0 test "$models"
expect_in "$OUT" "5 passed, 0 failed"
