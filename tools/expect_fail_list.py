#!/usr/bin/python3
"""Writes an expect-fail list from a `zooci test -o REPORT.json` run over the ONNX backend corpus.

    tools/expect_fail_list.py REPORT.json HEADER.txt > data/expect-fail/onnx-backend-<runtime>.txt

Every case that did not pass becomes '<case path> <reason>', the reason being the one-line message
ZooCI reported (the runtime's own words for a refusal). Cases are grouped: refused at import, failed
while running, ran with outputs that differ from the reference. HEADER.txt goes on top: comment lines, and
hand-written entries (cases whose outcome varies from run to run), which the groups then leave
out. The result is data to review before committing, not a verdict: look at every new reason.
"""
import json
import sys

GROUPS = [
    ("import", "the runtime refuses to import the model"),
    ("run", "the model imports, but running it fails"),
    ("output", "the model runs, but its outputs differ from the reference"),
]


def reason_of(case):
    message = case["message"]
    # Per data set messages start with the data set's name; one data set is enough to say why.
    for data_set in case["data_sets"]:
        if data_set["status"] != "pass" and data_set["message"]:
            message = data_set["message"]
            break
    for prefix in ("opencv-dnn: ", "onnxruntime: ", "reference: "):
        message = message.replace(prefix, "")
    return " ".join(message.split())


def group_of(case, reason):
    if case["status"] == "fail":
        return "output"
    if reason.startswith("import: ") or not case["data_sets"]:
        return "import"
    return "run"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    report = json.load(open(sys.argv[1]))
    header = open(sys.argv[2]).read().rstrip("\n")
    listed = {line.split()[0] for line in header.splitlines()
              if line.strip() and not line.lstrip().startswith("#")}
    grouped = {name: [] for name, _ in GROUPS}
    for case in sorted(report["cases"], key=lambda c: c["id"]):
        if case["status"] == "pass" or case["id"] in listed:
            continue
        reason = reason_of(case)
        grouped[group_of(case, reason)].append((case["id"], reason))
    width = max((len(case_id) for entries in grouped.values() for case_id, _ in entries), default=0)
    lines = [header, ""]
    for name, title in GROUPS:
        entries = grouped[name]
        if not entries:
            continue
        lines.append("# %s: %s (%d)" % (name, title, len(entries)))
        lines += ["%-*s  %s" % (width, case_id, reason) for case_id, reason in entries]
        lines.append("")
    sys.stdout.write("\n".join(lines))


if __name__ == "__main__":
    main()
