"""Writes examples/trigger_and_inspect.ipynb from examples/trigger_and_inspect.py.

The .py file is the source: "# %%" starts a code cell, "# %% [markdown]" a markdown cell
(its lines without the leading "# ").  tests/integration/test_examples.py checks that the
notebook matches.  Usage: python3 examples/sync_notebook.py [--check]
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "trigger_and_inspect.py"
NOTEBOOK = HERE / "trigger_and_inspect.ipynb"


def cells(text):
    out = []
    kind, lines = None, []

    def flush():
        if kind is not None:
            body = "\n".join(lines).strip("\n")
            out.append((kind, body))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
            continue
        if kind == "markdown":
            line = line[2:] if line.startswith("# ") else line.lstrip("#")
        lines.append(line)
    flush()
    return out


def notebook(text):
    nb_cells = []
    for kind, body in cells(text):
        src = [ln + "\n" for ln in body.split("\n")]
        if src:
            src[-1] = src[-1].rstrip("\n")
        cell = {"cell_type": kind, "metadata": {}, "source": src}
        if kind == "code":
            cell.update({"execution_count": None, "outputs": []})
        nb_cells.append(cell)
    return {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(text):
    nb = notebook(text)
    for i, c in enumerate(nb["cells"]):
        c["id"] = "cell-%02d" % i
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    want = render(SOURCE.read_text(encoding="utf-8"))
    if "--check" in sys.argv[1:]:
        have = NOTEBOOK.read_text(encoding="utf-8") if NOTEBOOK.exists() else ""
        if have != want:
            sys.exit("sync_notebook: %s is out of date; run python3 examples/sync_notebook.py" % NOTEBOOK.name)
        sys.exit(0)
    NOTEBOOK.write_text(want, encoding="utf-8")
    print("sync_notebook: wrote", NOTEBOOK)
