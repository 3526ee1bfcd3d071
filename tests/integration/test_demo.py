"""tests/jenkins/run-jenkinsfile (what scripts/demo runs) with the real tools and a real MLflow server.

jenkins/Jenkinsfile is evaluated by the Groovy harness in real-sh mode, like a local Jenkins build,
on the demo's sample models (tests/fixtures/samples/make_samples.py; the malicious ones are written
from raw opcode bytes and never loaded):

  benign/simple-cifar10.pt         -> exit 0, registered with alias champion (and again: same version)
  malicious/malicious-model.pt     -> exit 1, blocked at AV Scan (repository signature), not registered
  malicious/hidden-exec-model.pt   -> exit 1, AV Scan clean, blocked at Model Scan, not registered
  a missing model                  -> exit 2 (error at Prepare);  an unknown parameter -> exit 4
"""
import hashlib
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import build_dir, system_python, tool

STAGES = ["Prepare", "AV Scan", "Model Scan", "SBOM", "Register"]


@pytest.fixture(scope="module")
def models(tmp_path_factory, repo) -> Path:
    d = tmp_path_factory.mktemp("demo-models")
    subprocess.run([system_python(), str(repo / "tests/fixtures/samples/make_samples.py"), str(d)],
                   check=True, capture_output=True, timeout=300)
    return d


@pytest.fixture(scope="module")
def stamp() -> str:
    return hex(int(time.time() * 1000))[2:]


@pytest.fixture
def runner(repo, bins, mlflow_server, models, tmp_path):
    """runner(*args) -> CompletedProcess of tests/jenkins/run-jenkinsfile --workdir <tmp> args."""
    if shutil.which("groovy") is None:
        pytest.fail("groovy is not installed (scripts/install-deps installs it)")
    for t in ("avscan", "modelscan-c", "hashsbom", "mlflow-register"):
        tool(bins, t)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN",
                        "MLSECOPS_AVSCAN_ARGS", "MLSECOPS_CLAMAV_DB", "BUILD_URL")}
    bindir = str(build_dir() / "bin")
    env.update(MLS_BIN=bindir, PATH=bindir + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
               MLFLOW_TRACKING_URI=mlflow_server.url, MODELS_DIR=str(models),
               MLS_SIGNATURES=str(repo / "signatures"), NO_COLOR="1")
    if not list(Path("/var/lib/clamav").glob("*.cvd")) + list(Path("/var/lib/clamav").glob("*.cld")):
        env["MLSECOPS_AVSCAN_ARGS"] = "--no-system-db"   # the repository's signatures only
    counter = [0]

    def run(*args):
        counter[0] += 1
        work = tmp_path / f"build{counter[0]}"
        p = subprocess.run([str(repo / "tests/jenkins/run-jenkinsfile"), "--workdir", str(work), *args],
                           capture_output=True, text=True, env=env, timeout=900)
        p.workdir = work
        return p
    return run


def mlflow_get(url: str, path: str, **query):
    """GET on MLflow's REST API: (status, parsed JSON)."""
    full = url.rstrip("/") + path + "?" + urllib.parse.urlencode(query)
    try:
        with urllib.request.urlopen(full, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None


def stage_lines(out: str) -> dict:
    """{stage: SUCCESS|FAILED|SKIPPED} from the runner's "stage <name> <status> ..." lines."""
    got = {}
    for line in out.splitlines():
        for s in STAGES:
            if line.startswith(f"stage {s} "):
                got[s] = line[len(f"stage {s} "):].split()[0]
    return got


def params(path: str, name: str, **extra) -> list:
    p = {"MODEL_FILE_PATH": path, "MODEL_NAME": name, **extra}
    return [a for k, v in p.items() for a in ("--param", f"{k}={v}")]


def explain(p) -> str:
    log = (p.workdir / "build.log")
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:]) if log.exists() else "(no build.log)"
    return f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}\nbuild.log (tail):\n{tail}"


def test_benign_model_is_registered_with_alias_and_rerun_is_idempotent(runner, mlflow_server, models, stamp):
    name = f"demo-simple-cifar10-{stamp}"
    args = params("benign/simple-cifar10.pt", name, MODEL_CARD="benign/README.md", MODEL_ALIAS="champion")
    p = runner(*args)
    assert p.returncode == 0, explain(p)
    assert stage_lines(p.stdout) == {s: "SUCCESS" for s in STAGES}, p.stdout
    assert p.stdout.rstrip().endswith("result: SUCCESS")
    assert f"REGISTERED {name} version 1 (alias champion)" in p.stdout
    assert "<b>" not in p.stdout and "&middot;" not in p.stdout      # description shown as text
    reports = p.workdir / "reports"
    for f in ("av.json", "modelscan.json", "sbom.cdx.json", "gate.json", "register.json", "av.sarif",
              "modelscan.junit.xml"):
        assert (reports / f).stat().st_size > 0, f
    reg = json.loads((reports / "register.json").read_text())
    assert reg["name"] == name and str(reg["version"]) == "1" and reg["created"] is True

    status, got = mlflow_get(mlflow_server.url, "/api/2.0/mlflow/registered-models/alias", name=name, alias="champion")
    assert status == 200, got
    mv = got["model_version"]
    sha = hashlib.sha256((models / "benign/simple-cifar10.pt").read_bytes()).hexdigest()
    assert str(mv["version"]) == "1"
    assert any(t["value"] == sha for t in mv.get("tags", [])), mv.get("tags")
    assert "simple-cifar10" in mv.get("description", "")             # the model card file

    # The same bytes again: still SUCCESS, the same version, no second one.
    p2 = runner(*args)
    assert p2.returncode == 0, explain(p2)
    reg2 = json.loads((p2.workdir / "reports/register.json").read_text())
    assert str(reg2["version"]) == "1" and reg2["created"] is False
    status, found = mlflow_get(mlflow_server.url, "/api/2.0/mlflow/model-versions/search", filter=f"name='{name}'")
    assert status == 200 and len(found.get("model_versions", [])) == 1, found


@pytest.mark.parametrize("sample,blocked_at,rule", [
    ("malicious/malicious-model.pt", "AV Scan", "AV-MLS-001"),
    ("malicious/hidden-exec-model.pt", "Model Scan", "MS-PICKLE-001"),
])
def test_malicious_model_is_blocked_and_not_registered(runner, mlflow_server, stamp, sample, blocked_at, rule):
    name = f"demo-{Path(sample).stem}-{stamp}"
    p = runner(*params(sample, name, MODEL_CARD="A checkpoint from an untrusted hub"))
    assert p.returncode == 1, explain(p)
    stages = stage_lines(p.stdout)
    i = STAGES.index(blocked_at)
    assert stages == {**{s: "SUCCESS" for s in STAGES[:i]}, blocked_at: "FAILED",
                      **{s: "SKIPPED" for s in STAGES[i + 1:]}}, p.stdout
    assert f"error: blocked at {blocked_at}: {rule} critical" in p.stdout, p.stdout
    assert f"BLOCKED at {blocked_at}: {rule}" in p.stdout                # the description, as text
    assert p.stdout.rstrip().endswith("result: FAILURE")
    assert not (p.workdir / "reports/register.json").exists()
    status, _ = mlflow_get(mlflow_server.url, "/api/2.0/mlflow/registered-models/get", name=name)
    assert status == 404, f"{name} exists in MLflow"
    if blocked_at == "Model Scan":
        # the sample exists to show what signatures miss: AV Scan must have passed it
        av = json.loads((p.workdir / "reports/av.json").read_text())
        assert av["verdict"] == "clean" and av["status"] == "complete", av


def test_error_and_usage_exit_codes(runner, stamp):
    p = runner(*params("no/such-model.pt", f"demo-missing-{stamp}"))
    assert p.returncode == 2, explain(p)
    assert "error: error at Prepare: model" in p.stdout and "not found" in p.stdout
    assert stage_lines(p.stdout)["Prepare"] == "FAILED"
    assert p.stdout.rstrip().endswith("result: FAILURE")

    p = runner("--param", "MODEL_FILE=x")
    assert p.returncode == 4 and "unknown parameter MODEL_FILE" in p.stderr, explain(p)
    p = subprocess.run([str(Path(__file__).resolve().parents[1] / "jenkins/run-jenkinsfile"), "--param", "A=B"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 4 and "--workdir is required" in p.stderr, p.stderr
