"""mlflow-register against a real MLflow server (tests/integration/conftest.py `mlflow_server`)."""
import json
import os
import re
import subprocess
import time

import pytest

from conftest import tool
from mlflow_helpers import (Inputs, Rest, auth_server, finding, make_dir_inputs, make_inputs, run_register, sha256_file,
                            unique)

CARD = "Baseline ResNet50 fine-tuned for CIFAR10"


@pytest.fixture
def mr(bins):
    return tool(bins, "mlflow-register")


@pytest.fixture
def rest(mlflow_server):
    return Rest(mlflow_server.url)


def result(path):
    return json.loads(path.read_text())


def test_register_then_rerun_creates_no_duplicate(mr, mlflow_server, rest, scratch, run_tool):
    inp = make_inputs(scratch)
    name = unique("reg")
    out = scratch / "res.json"
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "-o", out,
                     env={"BUILD_URL": "https://jenkins.example/job/intake/42/"})
    assert p.returncode == 0, p.stderr
    assert f"registered model '{name}' version 1" in p.stdout
    r = result(out)
    assert r["name"] == name and r["version"] == "1" and r["created"] is True and r["status"] == "READY"
    assert r["url"].endswith(f"/#/models/{name}/versions/1")
    mv = rest.version(name, 1)
    t = mv["tagmap"]
    assert mv["status"] == "READY"
    assert mv["description"] == CARD
    assert t["mlsecops.sha256"] == inp.sha256
    assert t["mlsecops.av.verdict"] == "clean" and t["mlsecops.av.status"] == "complete"
    assert t["mlsecops.modelscan.verdict"] == "clean" and t["mlsecops.modelscan.status"] == "complete"
    assert t["mlsecops.av.tool"] == "avscan 0.1.0" and t["mlsecops.modelscan.tool"] == "modelscan-c 0.1.0"
    assert t["mlsecops.register.tool"].startswith("mlflow-register ")
    assert t["mlsecops.sbom.sha256"] == sha256_file(inp.sbom)
    assert t["mlsecops.av.report_sha256"] == sha256_file(inp.av)
    assert t["mlsecops.build_url"] == "https://jenkins.example/job/intake/42/"
    assert t["mlsecops.gate"] == "passed" and "mlsecops.override" not in t
    assert mv["source"] == f"mlflow-artifacts:/{mv['source'].split(':/', 1)[1].split('/')[0]}/{r['run_id']}/artifacts/model"
    arts = dict(rest.artifacts(r["run_id"]))
    assert arts["model/model.bin"] == inp.model.stat().st_size
    for a in ("mlsecops/reports/av.json", "mlsecops/reports/modelscan.json", "mlsecops/sbom.cdx.json"):
        assert a in arts, arts
    assert rest.download_sha256(mv["source"], "model.bin") == inp.sha256
    # the run is finished and carries the same digest
    run = rest.get("runs/get", run_id=r["run_id"]).json()["run"]
    assert run["info"]["status"] == "FINISHED"
    assert {t["key"]: t["value"] for t in run["data"]["tags"]}["mlsecops.sha256"] == inp.sha256

    p2 = run_register(run_tool, mr, mlflow_server.url, inp, name, "-o", out, "--format", "json")
    assert p2.returncode == 0, p2.stderr
    assert json.loads(p2.stdout)["created"] is False
    r2 = result(out)
    assert r2["version"] == "1" and r2["created"] is False and r2["run_id"] == r["run_id"]
    assert len(rest.versions(name)) == 1


def test_model_card_from_file_and_tags(mr, mlflow_server, rest, scratch, run_tool):
    inp = make_inputs(scratch)
    card = scratch / "card.md"
    card.write_text("# Model card\n\nTrained on CIFAR10.\n")
    name = unique("card")
    out = scratch / "res.json"
    p = run_tool(mr, "--tracking-uri", mlflow_server.url, "--model-file", inp.model, "--model-name", name,
                 "--model-card", card, *inp.args(), "--tag", "team=vision", "--model-tag", "owner=ml-platform",
                 "-o", out)
    assert p.returncode == 0, p.stderr
    mv = rest.version(name, 1)
    assert mv["description"] == card.read_text()
    assert mv["tagmap"]["team"] == "vision"
    assert mv["tagmap"]["mlsecops.model_card.sha256"] == sha256_file(card)
    rm = rest.registered_model(name).json()["registered_model"]
    assert {t["key"]: t["value"] for t in rm["tags"]}["owner"] == "ml-platform"
    assert "mlsecops/model_card.md" in dict(rest.artifacts(result(out)["run_id"]))


def test_directory_model(mr, mlflow_server, rest, scratch, run_tool):
    inp = make_dir_inputs(scratch)
    name = unique("dir")
    out = scratch / "res.json"
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "-o", out)
    assert p.returncode == 0, p.stderr
    r = result(out)
    arts = dict(rest.artifacts(r["run_id"]))
    for rel in ("model/config.json", "model/weights.bin", "model/sub/tokenizer.txt", "mlsecops/manifest.sha256"):
        assert rel in arts, arts
    t = rest.version(name, 1)["tagmap"]
    manifest = "".join(f"{s}  {p.relative_to(inp.model)}\n" for p, s in inp.files)
    import hashlib
    assert t["mlsecops.manifest_sha256"] == hashlib.sha256(manifest.encode()).hexdigest()
    assert t["mlsecops.model.kind"] == "directory" and t["mlsecops.model.files"] == "3"
    assert any(v.endswith("  sub/tokenizer.txt") for k, v in t.items() if k.startswith("mlsecops.file."))
    p2 = run_register(run_tool, mr, mlflow_server.url, inp, name, "-o", out)
    assert p2.returncode == 0 and result(out)["created"] is False
    assert len(rest.versions(name)) == 1


def test_alias_and_show(mr, mlflow_server, rest, scratch, run_tool):
    inp = make_inputs(scratch)
    name = unique("alias")
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "--alias", "champion")
    assert p.returncode == 0, p.stderr
    r = rest.get("registered-models/alias", name=name, alias="champion")
    assert r.status_code == 200 and r.json()["model_version"]["version"] == "1"

    s = run_tool(mr, "show", name, "--alias", "champion", "--format", "json", "--tracking-uri", mlflow_server.url)
    assert s.returncode == 0, s.stderr
    d = json.loads(s.stdout)
    assert d["version"] == "1" and d["status"] == "READY" and "champion" in d["aliases"]
    assert d["tags"]["mlsecops.sha256"] == inp.sha256
    assert {"path": "model/model.bin", "size": inp.model.stat().st_size} in d["artifacts"]
    assert d["description"] == CARD

    s = run_tool(mr, "show", name, "--tracking-uri", mlflow_server.url)
    assert s.returncode == 0, s.stderr
    assert re.search(r"^version:\s+1$", s.stdout, re.M) and "mlsecops.sha256 = " + inp.sha256 in s.stdout
    assert "model/model.bin" in s.stdout

    s = run_tool(mr, "show", name, "--version", "1", "--tracking-uri", mlflow_server.url)
    assert s.returncode == 0 and "champion" in s.stdout
    s = run_tool(mr, "show", name, "--version", "7", "--tracking-uri", mlflow_server.url)
    assert s.returncode == 2 and "version '7'" in s.stderr
    s = run_tool(mr, "show", unique("absent"), "--tracking-uri", mlflow_server.url)
    assert s.returncode == 2 and "does not exist" in s.stderr


def assert_nothing_created(rest, experiment, name):
    assert rest.experiment(experiment).status_code == 404
    assert rest.registered_model(name).status_code == 404
    assert rest.versions(name) == []


@pytest.mark.parametrize("case", ["findings", "incomplete", "wrong-model", "sbom-other"])
def test_gate_refusal_creates_nothing(mr, mlflow_server, rest, scratch, run_tool, case):
    inp = make_inputs(scratch)
    if case == "findings":
        inp.write(scan_findings=[finding()])
    elif case == "incomplete":
        inp.write(av_status="incomplete")
    elif case == "wrong-model":
        inp.write(report_digests=["0" * 64])
    else:
        inp.write(sbom_digests=["1" * 64])
    name, exp = unique("refused"), unique("exp")
    junit = scratch / "gate.xml"
    gjson = scratch / "gate.json"
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "--experiment", exp, "--junit", junit,
                     "--json", gjson)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "refused" in p.stderr
    rule = {"findings": "MR-GATE-001", "incomplete": "MR-GATE-002", "wrong-model": "MR-GATE-004",
            "sbom-other": "MR-GATE-005"}[case]
    assert rule in p.stderr
    if case == "findings":
        assert "MS-PICKLE-001" in p.stderr
    assert_nothing_created(rest, exp, name)
    g = json.loads(gjson.read_text())
    assert g["schema"] == "mlsecops-report/1" and any(f["id"] == rule for f in g["findings"])
    assert rule in junit.read_text()


def test_threshold_decides(mr, mlflow_server, rest, scratch, run_tool):
    inp = make_inputs(scratch)
    inp.write(scan_findings=[finding(severity="low")])
    name = unique("low")
    p = run_register(run_tool, mr, mlflow_server.url, inp, name)
    assert p.returncode == 0, p.stderr
    assert rest.version(name, 1)["tagmap"]["mlsecops.modelscan.findings"].startswith("critical=0 high=0 medium=0 low=1")
    name2, exp = unique("low"), unique("exp")
    p = run_register(run_tool, mr, mlflow_server.url, inp, name2, "--fail-on", "low", "--experiment", exp)
    assert p.returncode == 1
    assert_nothing_created(rest, exp, name2)


def test_missing_report_is_an_error_unless_allowed(mr, mlflow_server, rest, scratch, run_tool):
    inp = make_inputs(scratch)
    name, exp = unique("missing"), unique("exp")
    base = ["--tracking-uri", mlflow_server.url, "--model-file", inp.model, "--model-name", name,
            "--experiment", exp, "--model-card", CARD]
    p = run_tool(mr, *base, "--av-report", inp.av, "--sbom", inp.sbom)
    assert p.returncode == 2 and "MR-GATE-003" in p.stderr
    p = run_tool(mr, *base, "--av-report", inp.av, "--scan-report", scratch / "nope.json", "--sbom", inp.sbom)
    assert p.returncode == 2 and "does not exist" in p.stderr
    broken = scratch / "broken.json"
    broken.write_text("{not json")
    p = run_tool(mr, *base, "--av-report", broken, "--scan-report", inp.scan, "--sbom", inp.sbom)
    assert p.returncode == 2 and "MR-GATE-006" in p.stderr
    assert_nothing_created(rest, exp, name)
    p = run_tool(mr, *base, "--allow-missing-reports")  # no --reason
    assert p.returncode == 4
    # the seed's four flags work when the operator accepts missing reports explicitly
    p = run_tool(mr, *base, "--allow-missing-reports", "--reason", "seed job without scans",
                 env={"BUILD_USER_ID": "carol"})
    assert p.returncode == 0, p.stderr
    t = rest.version(name, 1)["tagmap"]
    assert t["mlsecops.gate"] == "overridden" and t["mlsecops.override"] == "missing_reports"
    assert t["mlsecops.av.status"] == "missing" and t["mlsecops.sbom.status"] == "missing"
    assert t["mlsecops.override.by"] == "carol"


def test_override_recorded(mr, mlflow_server, rest, scratch, run_tool):
    inp = make_inputs(scratch)
    inp.write(scan_findings=[finding("MS-PICKLE-001", "critical", "model.bin")], av_status="incomplete")
    name = unique("override")
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "--allow-findings")
    assert p.returncode == 4  # --reason is required
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "--allow-findings", "--reason", "vendor fix pending")
    assert p.returncode == 1, p.stderr  # the incomplete AV scan is still refused
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "--allow-findings", "--allow-incomplete",
                     "--reason", "known false positive, ticket SEC-123", env={"BUILD_USER_ID": "alice"})
    assert p.returncode == 0, p.stderr
    assert "override" in p.stderr
    t = rest.version(name, 1)["tagmap"]
    assert t["mlsecops.gate"] == "overridden"
    assert t["mlsecops.override"] == "findings,incomplete"
    assert t["mlsecops.override.by"] == "alice"
    assert t["mlsecops.override.reason"] == "known false positive, ticket SEC-123"
    assert "MS-PICKLE-001 (critical)" in t["mlsecops.override.modelscan.findings"]
    assert "MR-GATE-001" in t["mlsecops.override.issues"] and "MR-GATE-002" in t["mlsecops.override.issues"]
    assert t["mlsecops.modelscan.verdict"] == "findings" and t["mlsecops.av.status"] == "incomplete"


def test_large_upload_is_streamed(mr, mlflow_server, rest, scratch, run_tool):
    big = scratch / "big.bin"
    chunk = os.urandom(1 << 20)
    with open(big, "wb") as f:
        for i in range(300):
            f.write(chunk[:-8] + i.to_bytes(8, "little"))
    inp = Inputs(scratch, big).write()
    name = unique("big")
    out = scratch / "res.json"
    args = ["--tracking-uri", mlflow_server.url, "--model-file", big, "--model-name", name, "--model-card", CARD,
            *inp.args(), "--verify-download", "-o", out, "-v"]
    p = subprocess.run(["/usr/bin/time", "-v", str(mr), *map(str, args)], capture_output=True, text=True,
                       timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    limit = 200_000 if "asan" in str(mr) else 64_000
    assert rss_kb < limit, f"RSS {rss_kb} kB for a 300 MiB upload: not streamed"
    assert "verified model/big.bin by download" in p.stderr
    r = result(out)
    mv = rest.version(name, r["version"])
    assert rest.download_sha256(mv["source"], "big.bin") == inp.sha256
    assert dict(rest.artifacts(r["run_id"]))["model/big.bin"] == 300 << 20


def test_concurrent_registration_ends_with_one_version(mr, mlflow_server, rest, scratch, run_tool):
    inp = make_inputs(scratch, size=2 << 20)
    name = unique("conc")
    procs = []
    for i in range(4):
        out = scratch / f"res{i}.json"
        args = ["--tracking-uri", mlflow_server.url, "--model-file", inp.model, "--model-name", name,
                "--model-card", CARD, *inp.args(), "-o", out]
        procs.append((subprocess.Popen([str(mr), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True), out))
    versions = set()
    for p, out in procs:
        so, se = p.communicate(timeout=600)
        assert p.returncode == 0, se
        versions.add(result(out)["version"])
    live = [v for v in rest.versions(name) if v["status"] != "FAILED_REGISTRATION"]
    assert len(live) == 1, live
    assert versions == {live[0]["version"]}
    assert sum(1 for p, out in procs if result(out)["created"]) <= 1 or len(versions) == 1


def test_usage_errors(mr, mlflow_server, run_tool, scratch):
    assert run_tool(mr, "--help").returncode == 0
    assert "--model-card" in run_tool(mr, "--help").stdout
    assert run_tool(mr, "--version").returncode == 0
    assert run_tool(mr, "--model-name", "x", "--tracking-uri", mlflow_server.url).returncode == 4
    assert run_tool(mr, "--bogus").returncode == 4
    p = run_tool(mr, "--model-file", "x", "--model-name", "x", env={"MLFLOW_TRACKING_URI": ""})
    assert p.returncode == 4 and "MLFLOW_TRACKING_URI" in p.stderr
    p = run_tool(mr, "--model-file", "x", "--model-name", "x", "--tracking-uri", "file:///tmp/mlruns")
    assert p.returncode == 4
    assert run_tool(mr, "show", "--tracking-uri", mlflow_server.url).returncode == 4
    assert run_tool(mr, "show", "a", "--version", "1", "--alias", "b", "--tracking-uri",
                    mlflow_server.url).returncode == 4
    p = run_tool(mr, "--tracking-uri", mlflow_server.url, "--model-file", scratch / "absent.bin",
                 "--model-name", "x", "--allow-missing-reports", "--reason", "r")
    assert p.returncode == 2 and "absent.bin" in p.stderr


# ---------------------------------------------------------------- basic auth

@pytest.fixture(scope="module")
def auth_srv(tmp_path_factory):
    srv = auth_server(tmp_path_factory.mktemp("mlflow-auth"))
    yield srv
    srv.stop()


def test_basic_auth(mr, auth_srv, scratch, run_tool):
    admin_pw = "s3cret-Admin-pw"
    inp = make_inputs(scratch)
    name = unique("auth")
    admin = Rest(auth_srv.url, auth=("admin", admin_pw))
    # correct credentials
    env = {"MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": admin_pw}
    p = run_register(run_tool, mr, auth_srv.url, inp, name, env=env)
    assert p.returncode == 0, p.stderr
    assert admin.version(name, 1)["tagmap"]["mlsecops.sha256"] == inp.sha256
    s = run_tool(mr, "show", name, "--tracking-uri", auth_srv.url, env=env)
    assert s.returncode == 0 and "READY" in s.stdout

    # wrong password: clear message, exit 2, the password never printed
    bad = {"MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": "wrong-Pa55word"}
    t0 = time.time()
    p = run_register(run_tool, mr, auth_srv.url, inp, unique("auth"), env=bad)
    assert p.returncode == 2
    assert "authentication failed" in p.stderr and "MLFLOW_TRACKING_PASSWORD" in p.stderr
    assert "wrong-Pa55word" not in p.stderr + p.stdout and admin_pw not in p.stderr + p.stdout
    assert time.time() - t0 < 30
    # no credentials at all
    p = run_register(run_tool, mr, auth_srv.url, inp, unique("auth"))
    assert p.returncode == 2 and "authentication failed" in p.stderr

    # a user without permission to write
    r = admin.post("users/create", {"username": "reader", "password": "Reader-pw-12345"})
    assert r.status_code == 200, r.text
    reader = {"MLFLOW_TRACKING_USERNAME": "reader", "MLFLOW_TRACKING_PASSWORD": "Reader-pw-12345"}
    # READ is enough to find the version already registered for these bytes
    p = run_register(run_tool, mr, auth_srv.url, inp, name, env=reader)
    assert p.returncode == 0, p.stderr
    assert "already registered" in p.stdout
    # new bytes into the admin's experiment and registered model need EDIT: refused by the server
    other = make_inputs(scratch / "other")
    p = run_register(run_tool, mr, auth_srv.url, other, name, env=reader)
    assert p.returncode == 2, p.stderr
    assert "permission denied" in p.stderr and "HTTP 403" in p.stderr
    assert "Reader-pw-12345" not in p.stderr + p.stdout
    assert len(admin.versions(name)) == 1


def test_finished_run_without_version_is_reused(mr, mlflow_server, rest, scratch, run_tool):
    """An attempt that uploaded everything but died before creating the version."""
    inp = make_inputs(scratch)
    name, exp = unique("halfway"), unique("exp")
    out = scratch / "res.json"
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "--experiment", exp, "-o", out)
    assert p.returncode == 0, p.stderr
    run_id = result(out)["run_id"]
    r = rest.s.delete(f"{rest.url}/api/2.0/mlflow/model-versions/delete", json={"name": name, "version": "1"})
    assert r.status_code == 200, r.text
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "--experiment", exp, "-o", out, "-v")
    assert p.returncode == 0, p.stderr
    assert f"resuming run {run_id}" in p.stderr
    assert "not uploading them again" in p.stderr
    r = result(out)
    assert r["run_id"] == run_id and r["created"] is True
    live = rest.versions(name)
    assert [v["version"] for v in live] == [r["version"]]
    exp_id = rest.experiment(exp).json()["experiment"]["experiment_id"]
    assert len(rest.runs(exp_id)) == 1


# ---------------------------------------------------------------- TLS

@pytest.fixture(scope="module")
def tls_srv(tmp_path_factory):
    from mlflow_helpers import TlsServer
    srv = TlsServer(tmp_path_factory.mktemp("mlflow-tls"))
    yield srv
    srv.stop()


def test_tls_verified_by_default(mr, tls_srv, scratch, run_tool):
    inp = make_inputs(scratch)
    name = unique("tls")
    clean = {"MLFLOW_TRACKING_SERVER_CERT_PATH": "", "MLFLOW_TRACKING_INSECURE_TLS": ""}
    p = run_register(run_tool, mr, tls_srv.url, inp, name, "--retries", "0", env=clean)
    assert p.returncode == 2
    assert "SSL certificate problem" in p.stderr and "MLFLOW_TRACKING_SERVER_CERT_PATH" in p.stderr
    p = run_register(run_tool, mr, tls_srv.url, inp, name, "-o", scratch / "res.json",
                     env={"MLFLOW_TRACKING_SERVER_CERT_PATH": str(tls_srv.ca)})
    assert p.returncode == 0, p.stderr
    assert result(scratch / "res.json")["created"] is True
    p = run_register(run_tool, mr, tls_srv.url, inp, name, env={**clean, "MLFLOW_TRACKING_INSECURE_TLS": "true"})
    assert p.returncode == 0 and "already registered" in p.stdout


# ---------------------------------------------------------------- the real pipeline

def _pipeline(bins, run_tool, repo, d, model):
    """avscan, modelscan-c and hashsbom on model, as the Jenkins stages run them."""
    av, ms, sb = d / "av.json", d / "modelscan.json", d / "sbom.json"
    run_tool(tool(bins, "avscan"), "--no-system-db", "-d", repo / "signatures", "--json", av, model)
    run_tool(tool(bins, "modelscan-c"), "--json", ms, model)
    p = run_tool(tool(bins, "hashsbom"), "sbom", model, "-o", sb)
    assert p.returncode == 0, p.stderr
    assert av.exists() and ms.exists()
    return ["--av-report", av, "--scan-report", ms, "--sbom", sb]


def test_real_pipeline_reports(mr, bins, repo, mlflow_server, rest, scratch, run_tool):
    import pickle
    clean = scratch / "clean.pkl"
    clean.write_bytes(pickle.dumps({"weights": [0.5, 1.5]}, protocol=4))
    name = unique("pipeline")
    (scratch / "clean").mkdir()
    args = _pipeline(bins, run_tool, repo, scratch / "clean", clean)
    p = run_tool(mr, "--tracking-uri", mlflow_server.url, "--model-file", clean, "--model-name", name,
                 "--model-card", CARD, *args)
    assert p.returncode == 0, p.stderr
    t = rest.version(name, 1)["tagmap"]
    assert t["mlsecops.av.tool"].startswith("avscan ") and t["mlsecops.modelscan.tool"].startswith("modelscan-c ")
    assert t["mlsecops.av.verdict"] == "clean" and t["mlsecops.modelscan.verdict"] == "clean"
    assert t["mlsecops.sbom.status"] == "present"

    class Reduce:  # a pickle that would call os.system when loaded; it is only written, never loaded
        def __reduce__(self):
            return (os.system, ("true",))
    evil = scratch / "evil.pkl"
    evil.write_bytes(pickle.dumps(Reduce(), protocol=4))
    (scratch / "evil").mkdir()
    args = _pipeline(bins, run_tool, repo, scratch / "evil", evil)
    name2, exp = unique("pipeline"), unique("exp")
    p = run_tool(mr, "--tracking-uri", mlflow_server.url, "--model-file", evil, "--model-name", name2,
                 "--experiment", exp, "--model-card", CARD, *args)
    assert p.returncode == 1, p.stderr
    assert "MS-PICKLE" in p.stderr and "MR-GATE-001" in p.stderr
    assert_nothing_created(rest, exp, name2)


def test_directory_with_many_files_resumed(mr, mlflow_server, rest, scratch, run_tool):
    """More than 100 tags: runs/create takes them all, a resumed run re-logs them in batches of 100."""
    from mlflow_helpers import Inputs
    root = scratch / "many"
    root.mkdir()
    for i in range(120):
        (root / f"shard-{i:03d}.bin").write_bytes(os.urandom(64))
    inp = Inputs(scratch, root).write()
    name = unique("many")
    out = scratch / "res.json"
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "-o", out)
    assert p.returncode == 0, p.stderr
    t = rest.version(name, 1)["tagmap"]
    assert t["mlsecops.model.files"] == "120" and "mlsecops.file.100" in t and "mlsecops.file.101" not in t
    assert len([a for a, _ in rest.artifacts(result(out)["run_id"]) if a.startswith("model/")]) == 120
    r = rest.s.delete(f"{rest.url}/api/2.0/mlflow/model-versions/delete", json={"name": name, "version": "1"})
    assert r.status_code == 200
    p = run_register(run_tool, mr, mlflow_server.url, inp, name, "-o", out)
    assert p.returncode == 0, p.stderr
    assert "resuming run" in p.stderr and result(out)["version"] == "2"
