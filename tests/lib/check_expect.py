#!/usr/bin/python3
"""Compares `zooci check --format json` output with a mutation case's expect.json.

  check_expect.py plan CASE_DIR
      prints "EXIT<TAB>PROFILE<TAB>MISSED<TAB>KNOWN_GAP": the exit code zooci must give (1 when
      the expected severity is error, else 0), the --profile to pass, 1 when onnx.checker misses
      the case, and the known-gap note ("-" when none)
  check_expect.py verify CASE_DIR REPORT_JSON EXIT_CODE
      exit 0 when the report matches: the expected rule is reported, always with the expected
      severity; no other diagnostic is an error; every other warning/info is listed in "also",
      and every rule in "also" is reported (so the lists stay tight); the exit code fits
  check_expect.py clean REPORT_JSON
      exit 0 when the report has no diagnostic at all (the unmutated bases)

Mismatches are printed on stdout, one diagnostic a line.
"""
import json
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def diagnostics(report_path):
    report = load(report_path)
    models = report["models"]
    if len(models) != 1:
        raise SystemExit(f"expected one model in the report, got {len(models)}")
    return models[0]["diagnostics"]


def show(diags):
    return "\n".join(f"    {d['rule']} {d['severity']} {d.get('name', '')}: {d.get('message', '')}"
                     for d in diags) or "    (no diagnostics)"


def plan(case_dir):
    e = load(f"{case_dir}/expect.json")
    code = 1 if e["severity"] == "error" else 0
    gap = " ".join(e.get("known_gap", "-").split()) or "-"
    print(f"{code}\t{e.get('profile', 'default')}\t{int(e['onnx_checker_misses'])}\t{gap}")


def verify(case_dir, report_path, exit_code):
    e = load(f"{case_dir}/expect.json")
    rule, severity, also = e["rule"], e["severity"], set(e.get("also", []))
    diags = diagnostics(report_path)
    problems = []
    hits = [d for d in diags if d["rule"] == rule]
    if not hits:
        problems.append(f"{rule} ({severity}) not reported")
    elif any(d["severity"] != severity for d in hits):
        problems.append(f"{rule} reported with severity "
                        f"{sorted({d['severity'] for d in hits})}, expected {severity}")
    for d in diags:
        if d["rule"] == rule:
            continue
        if d["severity"] == "error":
            problems.append(f"unexpected error {d['rule']}")
        elif d["rule"] not in also:
            problems.append(f"unexpected {d['severity']} {d['rule']} (not in \"also\")")
    stale = also - {d["rule"] for d in diags}
    if stale:
        problems.append(f"\"also\" lists {sorted(stale)}, not reported")
    want_exit = 1 if severity == "error" else 0
    if int(exit_code) != want_exit:
        problems.append(f"exit code {exit_code}, expected {want_exit}")
    if problems:
        print("; ".join(problems))
        print(show(diags))
        return 1
    return 0


def clean(report_path):
    diags = diagnostics(report_path)
    if diags:
        print(show(diags))
        return 1
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "plan":
        plan(argv[2])
        return 0
    if len(argv) == 5 and argv[1] == "verify":
        return verify(argv[2], argv[3], argv[4])
    if len(argv) == 3 and argv[1] == "clean":
        return clean(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
