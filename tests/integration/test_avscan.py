"""avscan against the real libclamav and ClamAV's own clamscan.

Samples come from tests/fixtures/av/gen_samples.py (generated now, never
loaded).  Every test loads only this repo's signatures plus the test-only
EICAR signature (signatures/test): no download, no system database.
"""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import tool

REPO = Path(__file__).resolve().parents[2]
SIGS = REPO / "signatures"
GEN = REPO / "tests" / "fixtures" / "av" / "gen_samples.py"


def avscan_cmd(bins):
    return [str(tool(bins, "avscan")), "--no-system-db", "--signatures", str(SIGS), "-d", str(SIGS / "test"),
            "--max-db-age", "0"]


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("av-samples")
    subprocess.run([sys.executable, str(GEN), str(d)], check=True)
    return d


def shipped_signature_names():
    names = []
    for f in sorted(SIGS.glob("*.ndb")):
        names += [l.split(":", 1)[0] for l in f.read_text().splitlines() if l and not l.startswith("#")]
    for f in sorted(SIGS.glob("*.ldb")):
        names += [l.split(";", 1)[0] for l in f.read_text().splitlines() if l and not l.startswith("#")]
    return names


def run_json(bins, *args, cwd=None):
    p = subprocess.run(avscan_cmd(bins) + ["--format", "json", *map(str, args)], capture_output=True, text=True,
                       timeout=600, cwd=cwd)
    return p, json.loads(p.stdout)


def test_every_shipped_signature_detects_its_sample(bins, samples):
    p, rep = run_json(bins, "-r", samples / "pickles")
    assert p.returncode == 1, p.stderr
    found = {f["evidence"].removesuffix(".UNOFFICIAL") for f in rep["findings"]}
    names = shipped_signature_names()
    assert len(names) >= 30
    missing = [n for n in names if n not in found]
    assert not missing, f"signatures without a detecting sample: {missing}"
    expected = json.loads((samples / "expected.json").read_text())
    by_file = {}
    for f in rep["findings"]:
        by_file.setdefault(Path(f["path"]).name, set()).add(f["evidence"].removesuffix(".UNOFFICIAL"))
    for rel, sig in expected.items():
        if rel.startswith("pickles/"):
            assert sig in by_file.get(Path(rel).name, set()), rel


def test_signatures_have_docs():
    readme = (SIGS / "README.md").read_text()
    for n in shipped_signature_names():
        assert n in readme, f"{n} is not documented in signatures/README.md"


def test_clean_samples_are_clean(bins, samples):
    p, rep = run_json(bins, "-r", samples / "clean")
    assert p.returncode == 0, p.stdout + p.stderr
    assert rep["status"] == "complete" and rep["verdict"] == "clean" and not rep["findings"]


def clamscan_infected(paths, dbs):
    cmd = ["clamscan", "--no-summary", "-r", "--infected", "--max-filesize=2000M", "--max-scansize=2000M"]
    for d in dbs:
        cmd.append(f"--database={d}")
    p = subprocess.run(cmd + [str(x) for x in paths], capture_output=True, text=True, timeout=600)
    assert p.returncode in (0, 1), p.stderr
    out = {}
    for line in p.stdout.splitlines():
        m = re.match(r"^(.*): (\S+) FOUND$", line)
        if m:
            out.setdefault(m.group(1), set()).add(m.group(2))
    return out


@pytest.mark.skipif(shutil.which("clamscan") is None, reason="clamscan (Debian package clamav) is not installed")
def test_same_verdicts_as_clamscan(bins, samples):
    """The same databases give the same infected files in clamscan and avscan."""
    targets = [samples / "pickles", samples / "clean", samples / "eicar"]
    ours = subprocess.run(avscan_cmd(bins) + ["-r", "--infected", "--no-summary", "--jobs", "2"]
                          + [str(t) for t in targets], capture_output=True, text=True, timeout=600)
    assert ours.returncode == 1, ours.stderr
    mine = {}
    for line in ours.stdout.splitlines():
        m = re.match(r"^(.*): (\S+) FOUND$", line)
        assert m, line
        mine.setdefault(m.group(1), set()).add(m.group(2))
    theirs = clamscan_infected(targets, [SIGS, SIGS / "test"])
    assert set(mine) == set(theirs)
    # clamscan stops at the first signature; it is always one of ours.
    for path, sigs in theirs.items():
        assert sigs <= mine[path], path


def test_report_envelope_and_engine(bins, samples):
    p, rep = run_json(bins, "-r", samples / "eicar")
    assert p.returncode == 1
    for k in ("schema", "tool", "started_at", "finished_at", "target", "status", "verdict", "summary", "files",
              "findings", "errors"):
        assert k in rep
    assert rep["schema"] == "mlsecops-report/1"
    assert rep["tool"]["name"] == "avscan"
    eng = rep["engine"]
    assert eng["name"] == "libclamav" and re.match(r"^\d+\.\d+", eng["version"])
    assert eng["signatures"] == sum(d["signatures"] for d in eng["databases"])
    assert rep["properties"]["engine_version"] == eng["version"]
    members = {Path(f["path"]).name: f.get("location") for f in rep["findings"]}
    assert members["nested.zip"] == "member inner.zip!deep/eicar.txt"
    assert members["eicar.7z"] == "member eicar.bin"
    for f in rep["findings"]:
        assert f["id"] == "AV-SIG-001" and f["severity"] == "critical"
        assert f["details"]["signature"] == f["evidence"]


def test_move_then_rescan_quarantine(bins, samples, tmp_path):
    """Quarantined data keeps its detection (the record is not the only trace)."""
    work = tmp_path / "w"
    shutil.copytree(samples / "eicar", work)
    q = tmp_path / "q"
    p = subprocess.run(avscan_cmd(bins) + ["-r", f"--move={q}", str(work)], capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    assert not any(work.iterdir())
    records = sorted(q.glob("*.json"))
    assert len(records) == 6 and len(list(q.glob("*.data"))) == 6
    for r in records:
        d = json.loads(r.read_text())
        assert Path(d["quarantined_as"]).name == r.name.replace(".json", ".data")
        assert len(d["sha256"]) == 64
    p2 = subprocess.run(avscan_cmd(bins) + ["-r", "--infected", "--no-summary", str(q)], capture_output=True,
                        text=True)
    assert p2.returncode == 1
    assert len(p2.stdout.splitlines()) == 6


@pytest.mark.skipif(shutil.which("sigtool") is None, reason="sigtool (Debian package clamav) is not installed")
def test_sigtool_confirms_each_pickle_signature(samples):
    """ClamAV's sigtool --test-sigs matches each .ndb signature against its raw sample, and no
    signature matches the clean pickle."""
    expected = json.loads((samples / "expected.json").read_text())
    db = SIGS / "mlsecops-pickle.ndb"

    def matches(sample):
        p = subprocess.run(["sigtool", "--test-sigs", str(db), str(sample)], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr
        hits, name = set(), None
        for line in p.stdout.splitlines():
            if line.startswith("VIRUS NAME: "):
                name = line[len("VIRUS NAME: "):].strip()
            elif line.startswith("MATCH: ** YES") and name:
                hits.add(name)
        return hits

    checked = 0
    for rel, sig in expected.items():
        if rel.startswith("pickles/") and rel.endswith(".pkl"):
            assert sig in matches(samples / rel), rel
            checked += 1
    assert checked >= 40
    assert not matches(samples / "clean" / "state_dict.pkl")
