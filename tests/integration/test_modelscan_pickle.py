"""modelscan-c pickle engine against files written by the real libraries.

Benign files come from numpy, joblib, scikit-learn, dill, cloudpickle (this
venv) and Debian's python3-torch (/usr/bin/python3): every one must scan
clean at the default threshold.  Malicious files are written as raw opcodes
by tests/fixtures/pickle/gen_malicious.py (never by pickling a callable,
never loaded): every one must give its documented exit code and rule.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import system_python, tool

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "pickle"


def scan(bins, *args, timeout=300):
    p = subprocess.run([str(tool(bins, "modelscan-c")), "--no-progress", "--format", "json", *map(str, args)],
                       capture_output=True, text=True, timeout=timeout, env=dict(os.environ, NO_COLOR="1"))
    try:
        report = json.loads(p.stdout) if p.stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    return p.returncode, report, p.stderr


@pytest.fixture(scope="module")
def benign_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("benign")
    subprocess.run([sys.executable, str(FIX / "gen_benign.py"), str(d)], check=True, capture_output=True)
    return d


@pytest.fixture(scope="module")
def torch_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("torch")
    py = system_python()
    probe = subprocess.run([py, "-c", "import torch"], capture_output=True)
    if probe.returncode != 0:
        pytest.fail("Debian's python3-torch is needed for the PyTorch fixtures (apt-get install python3-torch)")
    subprocess.run([py, str(FIX / "gen_torch.py"), str(d)], check=True, capture_output=True)
    return d


@pytest.fixture(scope="module")
def malicious_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("malicious")
    subprocess.run([sys.executable, str(FIX / "gen_malicious.py"), str(d)], check=True, capture_output=True)
    return d


def test_benign_library_files_are_clean(bins, benign_dir):
    files = sorted(p for p in benign_dir.iterdir() if p.is_file())
    assert len(files) >= 30
    bad = []
    for f in files:
        rc, rep, err = scan(bins, f)
        if rc != 0 or rep is None or rep["status"] != "complete":
            bad.append((f.name, rc, rep and rep["files"], rep and rep["findings"], err))
    assert not bad, bad


def test_benign_directory_in_one_run(bins, benign_dir):
    rc, rep, _ = scan(bins, "-p", benign_dir, "--jobs", "2")
    assert rc == 0, rep and [f for f in rep["findings"] if f["severity"] not in ("low", "info")]
    formats = {f["format"] for f in rep["files"]}
    assert {"pickle", "joblib", "numpy", "npz"} <= formats
    assert all(len(f["sha256"]) == 64 for f in rep["files"])


def test_benign_torch_files_are_clean(bins, torch_dir):
    files = sorted(p for p in torch_dir.iterdir() if p.is_file())
    assert len(files) >= 8
    seen = {}
    for f in files:
        rc, rep, err = scan(bins, f)
        assert rc == 0, (f.name, rep and rep["findings"], rep and rep["files"], err)
        seen[f.name] = rep["files"][0]["format"]
    assert seen["state_dict.pt"] == "pytorch-zip"
    assert seen["legacy.pt"] == "pytorch-legacy"
    assert seen["legacy_tensors.bin"] == "pytorch-legacy"
    assert seen["legacy_p4.pt"] == "pytorch-legacy"
    assert seen["torchscript.pt"] == "pytorch-zip"
    assert seen["weights_no_ext"] == "pytorch-zip"


def test_torchscript_code_is_reported(bins, torch_dir):
    rc, rep, _ = scan(bins, torch_dir / "torchscript.pt")
    assert rc == 0
    assert any(f["id"] == "MS-TORCH-003" and f["severity"] == "low" for f in rep["findings"])


def test_torch_zip_renamed_and_retopped(bins, torch_dir, tmp_path):
    """A real checkpoint whose top folder and data.pkl case were changed is still recognised and scanned."""
    import zipfile
    src = zipfile.ZipFile(torch_dir / "state_dict.pt")
    out = tmp_path / "renamed.weights"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for i in src.infolist():
            name = i.filename.split("/", 1)[1]
            z.writestr("Some Folder/" + (name.upper() if name == "data.pkl" else name), src.read(i))
    rc, rep, _ = scan(bins, out)
    assert rc == 0 and rep["files"][0]["format"] == "pytorch-zip"


@pytest.fixture(scope="module")
def manifest(malicious_dir):
    return json.loads((malicious_dir / "manifest.json").read_text())


def test_every_malicious_fixture(bins, malicious_dir, manifest):
    assert len(manifest) >= 79
    bad = []
    for name, e in sorted(manifest.items()):
        rc, rep, err = scan(bins, *e["args"], malicious_dir / name)
        ok = rc == e["exit"] and rep is not None
        if ok and e["rule"]:
            ok = any(f["id"] == e["rule"] and (not e["evidence"] or e["evidence"] in (f["evidence"] or ""))
                     for f in rep["findings"])
        if not ok:
            bad.append((name, e["technique"], rc, rep and rep["findings"][:3], err[:200]))
    assert not bad, bad


def test_findings_name_file_member_offset_global_and_why(bins, malicious_dir):
    rc, rep, _ = scan(bins, malicious_dir / "torch_zip_evil.pt")
    assert rc == 1
    f = [f for f in rep["findings"] if f["evidence"] == "os.system"][0]
    assert f["path"].endswith("torch_zip_evil.pt")
    assert f["location"].startswith("archive/data.pkl, offset ")
    assert "os.system" in f["message"] and "shell" in f["message"]


def test_embedded_pickle_location(bins, malicious_dir):
    rc, rep, _ = scan(bins, malicious_dir / "embedded_loads.pkl")
    assert rc == 1
    inner = [f for f in rep["findings"] if f["evidence"] == "os.system"]
    assert inner and "embedded@" in inner[0]["location"]


def test_malicious_in_real_directory_is_found(bins, benign_dir, malicious_dir, tmp_path):
    d = tmp_path / "model"
    shutil.copytree(benign_dir, d)
    shutil.copy(malicious_dir / "joblib_evil_zlib.joblib", d / "zz.joblib")
    rc, rep, _ = scan(bins, "-p", d)
    assert rc == 1
    assert [f["path"] for f in rep["findings"] if f["severity"] == "critical"] == [str(d / "zz.joblib")]


def test_sarif_and_junit_outputs(bins, malicious_dir, tmp_path):
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    rc, rep, _ = scan(bins, malicious_dir / "inst.pkl", "--sarif", sarif, "--junit", junit)
    assert rc == 1
    s = json.loads(sarif.read_text())
    res = s["runs"][0]["results"]
    assert res and res[0]["ruleId"] == "MS-PICKLE-001" and res[0]["level"] == "error"
    assert "<testsuite" in junit.read_text()
