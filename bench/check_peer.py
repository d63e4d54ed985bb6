#!/usr/bin/python3
"""The peer for bench/check_bench.sh: Debian's python3-onnx on the same file sets.

Per set, timed REPEATS times after one untimed warm-up pass (page cache, schema registry):
  load:  onnx.load(path)                                   (read + parse the protobuf)
  check: onnx.checker.check_model(model, full_check=True)  (always on the loaded model:
         onnx 1.12's path form runs shape inference and, for a model with external data,
         writes the inferred model over the file)
Interpreter start and `import onnx` are outside every timing; the first check_model call (on a
tiny model, before any set) is reported separately. A model onnx.load or the checker rejects is
counted and named, and stays in the timing (its failed attempt is what the peer costs on it).
Prints one JSON line per set.

  /usr/bin/python3 bench/check_peer.py [-r REPEATS] NAME=LISTFILE...
"""

import argparse
import json
import statistics
import sys
import time

import onnx
from onnx import helper, TensorProto


def time_set(name, files, repeats):
    load_runs, check_runs = [], []
    rejected = {}  # path -> first error message
    for rep in range(-1, repeats):  # rep -1: untimed warm-up
        load_sum = check_sum = 0.0
        for path in files:
            start = time.perf_counter()
            try:
                model = onnx.load(path)
            except Exception as error:  # noqa: BLE001 - a peer failure is a result
                load_sum += time.perf_counter() - start
                rejected.setdefault(path, f"onnx.load: {type(error).__name__}: {error}")
                continue
            load_sum += time.perf_counter() - start
            start = time.perf_counter()
            try:
                onnx.checker.check_model(model, full_check=True)
            except Exception as error:  # noqa: BLE001
                rejected.setdefault(path, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
            check_sum += time.perf_counter() - start
        if rep >= 0:
            load_runs.append(load_sum * 1000)
            check_runs.append(check_sum * 1000)
    total_runs = [a + b for a, b in zip(load_runs, check_runs)]
    return {
        "set": name, "files": len(files), "repeats": repeats,
        "load_ms_min": round(min(load_runs), 3), "load_ms_median": round(statistics.median(load_runs), 3),
        "check_ms_min": round(min(check_runs), 3), "check_ms_median": round(statistics.median(check_runs), 3),
        "load_check_ms_min": round(min(total_runs), 3),
        "load_check_ms_median": round(statistics.median(total_runs), 3),
        "rejected": len(rejected),
        "rejected_examples": [{"path": p, "error": e[:300]} for p, e in sorted(rejected.items())[:10]],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--repeats", type=int, default=5)
    parser.add_argument("sets", nargs="+", metavar="NAME=LISTFILE")
    args = parser.parse_args()
    sets = []
    for spec in args.sets:
        name, _, list_file = spec.partition("=")
        if not name or not list_file:
            parser.error(f"expected NAME=LISTFILE, got {spec!r}")
        with open(list_file) as f:
            sets.append((name, [line.strip() for line in f if line.strip()]))

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])
    tiny = helper.make_model(helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y]),
                             opset_imports=[helper.make_opsetid("", 17)])
    tiny.ir_version = 8
    start = time.perf_counter()
    onnx.checker.check_model(tiny, full_check=True)
    first = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    onnx.checker.check_model(tiny, full_check=True)
    second = (time.perf_counter() - start) * 1000
    print(json.dumps({"init": "first onnx.checker.check_model", "onnx_version": onnx.__version__,
                      "first_check_ms": round(first, 3), "second_check_ms": round(second, 4)}), flush=True)
    for name, files in sets:
        print(json.dumps(time_set(name, files, args.repeats)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
