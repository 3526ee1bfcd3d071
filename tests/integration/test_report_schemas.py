"""The report writers against the real schemas and parsers.

The C unit test tests/unit/test_report.c writes sample reports (a hostile one
full of control characters, markup and invalid UTF-8, an empty one, a fatal
one, a clean one) in every format into $MLS_REPORT_SAMPLES.  Here they are
validated: SARIF against ../shared/schemas/sarif/sarif-schema-2.1.0.json,
JUnit XML parsed by xml.etree, JSON parsed and checked against the
DESIGN.md envelope.
"""
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STEMS = ("hostile", "empty", "fatal", "clean", "dups")


def unit_binary() -> Path:
    build = Path(os.environ.get("MLS_BUILD_DIR", REPO / "build")).resolve()
    exe = build / "tests" / "test_report"
    if not exe.exists():
        pytest.fail(f"{exe} is not built: build the project first (or set MLS_BUILD_DIR)")
    return exe


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("report-samples")
    env = dict(os.environ, MLS_REPORT_SAMPLES=str(d))
    p = subprocess.run([str(unit_binary())], env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    for stem in STEMS:
        for ext in ("json", "sarif", "junit.xml", "txt"):
            assert (d / f"{stem}.{ext}").is_file(), f"sample {stem}.{ext} not written"
    return d


@pytest.fixture(scope="module")
def sarif_validator(schemas):
    schema_file = schemas / "sarif" / "sarif-schema-2.1.0.json"
    if not schema_file.is_file():
        pytest.skip(f"{schema_file} is absent: SARIF schema validation NOT performed")
    import jsonschema

    schema = json.loads(schema_file.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize("stem", STEMS)
def test_sarif_validates(samples, sarif_validator, stem):
    doc = json.loads((samples / f"{stem}.sarif").read_text(encoding="utf-8"))
    errors = sorted(sarif_validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:20])
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    # what Jenkins' warnings-ng needs on every result
    for res in run.get("results", []):
        assert res["level"] in ("error", "warning", "note")
        assert res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert res["message"]["text"]
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]


def test_sarif_hostile_content(samples):
    raw = (samples / "hostile.sarif").read_bytes()
    raw.decode("utf-8")  # valid UTF-8
    assert b"\x1b" not in raw and b"</" not in raw
    doc = json.loads(raw)
    run = doc["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["properties"]["status"] == "incomplete"
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert "b/model.pkl" in uris and "file:///abs/path/model.onnx" in uris
    assert all(u.isascii() and " " not in u for u in uris)
    fatal = json.loads((samples / "fatal.sarif").read_text())
    assert fatal["runs"][0]["invocations"][0]["executionSuccessful"] is False


ENVELOPE = ["schema", "tool", "started_at", "finished_at", "target", "status", "verdict", "threshold",
            "summary", "files", "findings", "errors"]


@pytest.mark.parametrize("stem", STEMS)
def test_json_envelope(samples, stem):
    raw = (samples / f"{stem}.json").read_bytes()
    d = json.loads(raw.decode("utf-8"))
    assert list(d)[:len(ENVELOPE)] == ENVELOPE
    assert d["schema"] == "mlsecops-report/1"
    assert set(d["tool"]) == {"name", "version"}
    assert d["status"] in ("complete", "incomplete", "error")
    assert d["verdict"] in ("clean", "findings", "unknown")
    if d["status"] != "complete":
        assert d["verdict"] == "unknown"
    assert set(d["summary"]["files"]) >= {"scanned", "skipped", "failed"}
    assert set(d["summary"]["findings"]) == {"critical", "high", "medium", "low", "info"}
    assert sum(d["summary"]["findings"].values()) == len(d["findings"])
    assert sum(d["summary"]["files"].values()) == len(d["files"])
    for f in d["files"]:
        assert set(f) == {"path", "size", "sha256", "format", "status", "reason"}
    for f in d["findings"]:
        assert list(f)[:7] == ["id", "rule", "severity", "path", "location", "message", "evidence"]
        assert isinstance(f["details"], dict)
    for e in d["errors"]:
        assert set(e) == {"path", "message"}
    assert d["files"] == sorted(d["files"], key=lambda f: f["path"])
    for stamp in (d["started_at"], d["finished_at"]):
        assert stamp.endswith("Z") and stamp[10] == "T"


def test_json_hostile_and_extra(samples):
    d = json.loads((samples / "hostile.json").read_text(encoding="utf-8"))
    assert d["target"].startswith("models/evil \x1b[31mred")  # escaped on the wire, intact when parsed
    assert "\ufffd" in d["target"]  # invalid UTF-8 replaced
    assert d["engine"].startswith("clamav 1.0 evil")  # the tool's extra field
    assert d["properties"]["jenkins.build_url"] == 'http://jenkins/job/x/1/?a=<b>&c="d"'


@pytest.mark.parametrize("stem", STEMS)
def test_junit_parses(samples, stem):
    raw = (samples / f"{stem}.junit.xml").read_bytes()
    root = ET.fromstring(raw)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) >= 1, "Jenkins must never see an empty suite"
    assert int(suite.get("tests")) == len(cases) == int(root.get("tests"))
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    assert int(suite.get("errors")) == sum(
        1 for c in cases if c.find("error") is not None and c.find("failure") is None)
    assert int(suite.get("skipped")) == sum(1 for c in cases if c.find("skipped") is not None)
    for c in cases:
        assert c.get("classname") == suite.get("name")
        assert c.get("name")
        f = c.find("failure")
        if f is not None:
            assert f.get("type") and f.get("message")


def test_junit_hostile_content(samples):
    root = ET.fromstring((samples / "hostile.junit.xml").read_bytes())
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["status"] == "incomplete" and props["verdict"] == "unknown"
    assert props["jenkins.build_url"] == 'http://jenkins/job/x/1/?a=<b>&c="d"'
    text = "".join(root.itertext()) + "".join(v for e in root.iter() for v in e.attrib.values())
    assert "\x1b" not in text and "\x01" not in text
    assert "</script>" in text  # escaped in the file, restored by the parser
    names = [c.get("name") for c in root.iter("testcase")]
    assert "(run)" in names and "zz/orphan.pkl" in names and "b/model.pkl" in names
    b = next(c for c in root.iter("testcase") if c.get("name") == "b/model.pkl")
    assert b.find("failure").get("type") == "MS-PICKLE-001"
    assert "MS-PICKLE-002" in b.find("system-out").text
    skipped = next(c for c in root.iter("testcase") if c.get("name") == "e/readme.txt")
    assert skipped.find("skipped").get("message") == "not a model"


def test_text_has_no_raw_escapes(samples):
    raw = (samples / "hostile.txt").read_bytes()
    assert b"\x1b" not in raw and b"\x07" not in raw and b"\xc2\x9b" not in raw
    assert raw.decode("utf-8", errors="strict")
    assert b"Result: unknown (status incomplete" in raw
