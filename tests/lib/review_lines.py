#!/usr/bin/python3
"""Print a `zooci validate --format json` report as the lines of an expectations file.

Usage: review_lines.py REPORT.json [--steps artifacts,integrity,...] [--skip-steps artifacts]

One "## <folder> <VERDICT>" line per reviewed folder, then one line per declining or unverified
reason of the selected steps: "- <level> <step> <location> | <message>", the location relative to
the folder when it lies inside it. Zoo-level reasons (every level; step "zoo") follow "## zoo" (the
overall verdict). Warnings of
the folders are left out. Used by tests/cli/validate_real_zoo.sh to compare a review with
tests/real-zoo/*.expected, whose "  evidence:" and "#" lines are for people and ignored.
"""
import argparse
import json


def location(reason, folder):
    where = reason["file"]
    if folder and where.startswith(folder + "/"):
        where = where[len(folder) + 1:]
    elif folder and where == folder:
        where = "."
    if reason["line"]:
        where += ":%d" % reason["line"]
    return where or "."


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--steps", default="")
    parser.add_argument("--skip-steps", default="")
    args = parser.parse_args()
    steps = set(filter(None, args.steps.split(",")))
    skip = set(filter(None, args.skip_steps.split(",")))
    report = json.load(open(args.report))
    for model in report["models"]:
        print("## %s %s" % (model["folder"], model["verdict"]))
        for step in model["steps"]:
            if (steps and step["name"] not in steps) or step["name"] in skip:
                continue
            for reason in step["reasons"]:
                if reason["level"] == "warning":
                    continue
                print("- %s %s %s | %s" % (reason["level"], step["name"],
                                           location(reason, model["folder"]), reason["message"]))
    print("## zoo %s" % report["verdict"])
    if (steps and "zoo" not in steps) or "zoo" in skip:
        return
    for reason in report["zoo_reasons"]:
        print("- %s zoo %s | %s" % (reason["level"], location(reason, ""), reason["message"]))


if __name__ == "__main__":
    main()
