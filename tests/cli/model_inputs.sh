# A model directory, a model file with --data, and a model-zoo .tar.gz all run.
run_zooci 0 test "$CORPUS/node/test_abs"
expect_in "$OUT" "1 passed, 0 failed"
run_zooci 0 test "$CORPUS/node/test_abs/model.onnx" --data "$CORPUS/node/test_abs"
expect_in "$OUT" "1 passed, 0 failed"
cp -r "$CORPUS/node/test_add" add
tar czf add.tar.gz add
run_zooci 0 test -v add.tar.gz
expect_in "$OUT" "PASS add ("
