# --version names ZooCI, the runtimes the worker loads (ONNX Runtime, OpenCV DNN, the reference
# interpreter, whose version is ZooCI's), ONNX and protobuf.
run_zooci 0 --version
expect_in "$OUT" "zooci 0.1.0"
expect_in "$OUT" "onnxruntime 1.30.0"
expect_in "$OUT" "opencv-dnn 4.6.0"
expect_in "$OUT" "reference 0.1.0"
expect_in "$OUT" "onnx 1.12"
expect_in "$OUT" "protobuf 3."
