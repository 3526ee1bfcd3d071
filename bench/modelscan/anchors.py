#!/usr/bin/env python3
"""Runs the anchors (ModelScan, picklescan, ModelAudit, installed with pip in a
throwaway venv) and modelscan-c on every crafted malicious fixture of
tests/fixtures/pickle/gen_malicious.py and prints a Markdown table of what
each one detects.  Not part of the test suite.

usage: anchors.py [--venv /tmp/anchors-venv] [--bin build/bin/modelscan-c] [--out table.md]
"detected" = the tool's exit code says it found something (1); "missed" = it
exited clean (0) or with "nothing supported" (3); "error" = it failed (2 or
other), which in a CI gate built on that tool usually means the file passes
or the job is retried by hand.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def run(cmd, timeout=120):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode
    except subprocess.TimeoutExpired:
        return "timeout"


def verdict(rc, tool):
    if rc == 1:
        return "detected"
    if rc in (0, 3):
        return "**missed**"
    return "error (%s)" % rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default="/tmp/anchors-venv")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "modelscan-c"))
    ap.add_argument("--out")
    ap.add_argument("--benign", help="also run every tool on the files of this directory (false positives)")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="anchors-")
    subprocess.run([sys.executable, os.path.join(REPO, "tests/fixtures/pickle/gen_malicious.py"), d], check=True,
                   capture_output=True)
    manifest = json.load(open(os.path.join(d, "manifest.json")))
    vb = os.path.join(a.venv, "bin")
    tools = {
        "modelscan-c": lambda f, args: [a.bin, "--no-progress", "-q", *args, "-p", f],
        "ModelScan 0.8.8": lambda f, args: [os.path.join(vb, "modelscan"), "-p", f],
        "picklescan 1.0.5": lambda f, args: [os.path.join(vb, "picklescan"), "-p", f],
        "ModelAudit 0.2.54": lambda f, args: [os.path.join(vb, "modelaudit"), "scan", "--quiet", f],
    }
    rows, missed = [], {t: 0 for t in tools}
    for name, e in sorted(manifest.items()):
        f = os.path.join(d, name)
        cells = []
        for t, cmd in tools.items():
            rc = run(cmd(f, e["args"]))
            v = verdict(rc, t)
            if t == "modelscan-c":
                v = "detected" if rc == e["exit"] else "**wrong (%s)**" % rc
                if e["exit"] == 2:
                    v = "incomplete (2)" if rc == 2 else "**wrong (%s)**" % rc
            if v.startswith("**") or v.startswith("error"):
                missed[t] += 1
            cells.append(v)
        rows.append("| `%s` | %s | %s |" % (name, e["technique"], " | ".join(cells)))
    head = "| fixture | technique | " + " | ".join(tools) + " |\n|---|---|" + "---|" * len(tools)
    foot = "| **not detected (missed or error)** | | " + " | ".join(str(missed[t]) for t in tools) + " |"
    out = "\n".join([head] + rows + [foot]) + "\n"
    if a.benign:
        brows, fp = [], {t: 0 for t in tools}
        for name in sorted(os.listdir(a.benign)):
            f = os.path.join(a.benign, name)
            cells = []
            for t, cmd in tools.items():
                rc = run(cmd(f, []))
                v = "clean" if rc == 0 else ("**flagged**" if rc == 1 else "not supported (3)" if rc == 3 else "error (%s)" % rc)
                if rc != 0:
                    fp[t] += 1
                cells.append(v)
            brows.append("| `%s` | %s |" % (name, " | ".join(cells)))
        out += "\n| benign file | " + " | ".join(tools) + " |\n|---|" + "---|" * len(tools) + "\n"
        out += "\n".join(brows) + "\n| **not clean** | " + " | ".join(str(fp[t]) for t in tools) + " |\n"
    if a.out:
        open(a.out, "w").write(out)
    print(out)


if __name__ == "__main__":
    main()
