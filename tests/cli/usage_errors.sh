# Bad command lines exit 2 with a message naming the problem.
run_zooci 2 test
expect_in "$ERR" "paths is required"
run_zooci 2 test /nonexistent/model
expect_in "$ERR" "/nonexistent/model: no such file or directory"
run_zooci 2 test --tolerance y=1e-3 "$CORPUS/node/test_abs"
expect_in "$ERR" "--tolerance"
run_zooci 2 test --format xml "$CORPUS/node/test_abs"
expect_in "$ERR" "--format"
run_zooci 2 test --expect-fail /nonexistent/list "$CORPUS/node/test_abs"
expect_in "$ERR" "/nonexistent/list"
mkdir empty
run_zooci 2 test empty
expect_in "$ERR" "no .onnx model found"
run_zooci 2 no-such-command
expect_in "$ERR" "no-such-command"
run_zooci 2 validate --format xml /nonexistent
expect_in "$ERR" "--format"
run_zooci 2 validate /nonexistent/zoo
expect_in "$ERR" "/nonexistent/zoo"
