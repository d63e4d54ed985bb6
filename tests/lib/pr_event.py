#!/usr/bin/python3
"""Writes a pull_request webhook payload shaped like GitHub's, for the robot's tests, demo and
benchmarks. The zoo repository is a local path (its clone URL); SHAs are resolved with git.

  pr_event.py OUT.json ACTION NUMBER BRANCH ZOO [HEAD_SHA]
"""
import json
import subprocess
import sys

out, action, number, branch, zoo = sys.argv[1:6]
rev = lambda ref: subprocess.check_output(["git", "-C", zoo, "rev-parse", ref], text=True).strip()
head_sha = sys.argv[6] if len(sys.argv) > 6 else rev(branch)
repo = {"id": 1, "name": "zoo", "full_name": "example/zoo", "clone_url": zoo,
        "owner": {"login": "example"}, "private": False}
side = lambda ref, sha: {"ref": ref, "sha": sha, "label": "example:" + ref, "repo": repo,
                         "user": {"login": "example"}}
payload = {"action": action, "number": int(number),
           "pull_request": {"number": int(number), "state": "open", "draft": False,
                            "html_url": "https://github.com/example/zoo/pull/" + number,
                            "title": "Add a model from " + branch,
                            "user": {"login": "contributor"},
                            "head": side(branch, head_sha), "base": side("main", rev("main"))},
           "repository": repo, "installation": {"id": 42}, "sender": {"login": "contributor"}}
with open(out, "w") as f:
    json.dump(payload, f)
