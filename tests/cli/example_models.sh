# The torchvision example models (tools/make_example_models.py) pass against PyTorch's outputs.
models="$ZOOCI_SOURCE_DIR/examples/models"
[[ -d "$models" ]] || fail "$models missing: run 'make examples' (make test does)"
run_zooci 0 test "$models"
expect_in "$OUT" "4 passed, 0 failed"
