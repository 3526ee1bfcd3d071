"""mlflow-register under faults: no server, a server killed mid-upload, a stalled server, 429 and 503.

A real MLflow is used everywhere it can produce the condition; the stand-in
(tests/fixtures/mlflow/standin.py) only gives 429 + Retry-After, a 503 burst and a stall.
"""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import free_port, tool
from mlflow_helpers import Rest, StandIn, make_inputs, own_server, run_register, unique, wait_for


@pytest.fixture
def mr(bins):
    return tool(bins, "mlflow-register")


def test_server_not_running_fails_fast(mr, scratch, run_tool):
    inp = make_inputs(scratch)
    url = f"http://127.0.0.1:{free_port()}"
    t0 = time.time()
    p = run_register(run_tool, mr, url, inp, unique("down"), "--retries", "2")
    took = time.time() - t0
    assert p.returncode == 2
    assert "cannot reach" in p.stderr and "127.0.0.1" in p.stderr
    assert took < 10, took
    s = run_tool(mr, "show", "x", "--tracking-uri", url, "--retries", "0")
    assert s.returncode == 2 and "cannot reach" in s.stderr


def test_stalled_server_times_out_then_rerun_completes(mr, mlflow_server, scratch, run_tool):
    inp = make_inputs(scratch)
    name = unique("stall")
    with StandIn("stall") as s:
        t0 = time.time()
        p = run_register(run_tool, mr, s.url, inp, name, "--timeout", "1", "--retries", "1")
        took = time.time() - t0
    assert p.returncode == 2
    assert "timed out" in p.stderr.lower() or "timeout" in p.stderr.lower(), p.stderr
    assert took < 15, took
    p = run_register(run_tool, mr, mlflow_server.url, inp, name)
    assert p.returncode == 0, p.stderr
    assert len(Rest(mlflow_server.url).versions(name)) == 1


def test_429_retry_after_is_honoured(mr, mlflow_server, scratch, run_tool):
    inp = make_inputs(scratch)
    name = unique("r429")
    stats = scratch / "stats.json"
    with StandIn("429", upstream=mlflow_server.url, count=2, retry_after="2", stats=stats) as s:
        t0 = time.time()
        p = run_register(run_tool, mr, s.url, inp, name, "--retries", "3", "-o", scratch / "res.json")
        took = time.time() - t0
        st = s.read_stats()
    assert p.returncode == 0, p.stderr
    assert st["faults"] == 2 and st["forwarded"] > 5
    assert p.stderr.count("HTTP 429; retrying in 2.0 s") == 2, p.stderr
    assert took >= 4.0  # two Retry-After: 2 waits
    assert json.loads((scratch / "res.json").read_text())["created"] is True
    assert len(Rest(mlflow_server.url).versions(name)) == 1


def test_503_burst(mr, mlflow_server, scratch, run_tool):
    inp = make_inputs(scratch)
    name = unique("r503")
    with StandIn("503", upstream=mlflow_server.url, count=3, stats=scratch / "s.json") as s:
        p = run_register(run_tool, mr, s.url, inp, name, "--retries", "4")
    assert p.returncode == 0, p.stderr
    assert p.stderr.count("HTTP 503; retrying") == 3
    assert len(Rest(mlflow_server.url).versions(name)) == 1
    # a burst longer than the retries: a clear error, exit 2, nothing half-done that a re-run cannot finish
    name2 = unique("r503")
    with StandIn("503", upstream=mlflow_server.url, count=100) as s:
        p = run_register(run_tool, mr, s.url, inp, name2, "--retries", "1")
    assert p.returncode == 2
    assert "HTTP 503" in p.stderr and "TEMPORARILY_UNAVAILABLE" in p.stderr


@pytest.fixture
def killable(tmp_path_factory):
    srv = own_server(tmp_path_factory.mktemp("mlflow-kill"))
    yield srv
    srv.stop()


def test_server_killed_mid_upload_then_rerun_finishes(mr, killable, scratch, run_tool):
    big = scratch / "big.bin"
    block = os.urandom(1 << 20)
    with open(big, "wb") as f:
        for i in range(400):
            f.write(block[:-4] + i.to_bytes(4, "little"))
    from mlflow_helpers import Inputs
    inp = Inputs(scratch, big).write()
    name, exp = unique("killed"), unique("exp")
    rest = Rest(killable.url)
    args = ["--tracking-uri", killable.url, "--model-file", big, "--model-name", name, "--experiment", exp,
            "--model-card", "card", *inp.args(), "--retries", "1", "-v"]
    p = subprocess.Popen([str(mr), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run_started():
        r = rest.experiment(exp)
        if r.status_code != 200:
            return None
        return rest.runs(r.json()["experiment"]["experiment_id"]) or None
    assert wait_for(run_started, timeout=60, step=0.05), "the run never appeared"
    os.killpg(killable.proc.pid, signal.SIGKILL)  # mid-upload: the run exists, the model is on its way
    killable.proc.wait(timeout=30)
    so, se = p.communicate(timeout=120)
    assert p.returncode == 2, se
    assert "cannot reach" in se or "upload" in se
    assert "registered model" not in so

    killable.proc = None
    killable.start(timeout=180)  # same port, same database, same artifacts
    rest = Rest(killable.url)
    exp_id = rest.experiment(exp).json()["experiment"]["experiment_id"]
    assert len(rest.runs(exp_id)) == 1
    p2 = run_tool(mr, *args, "-o", scratch / "res.json", timeout=600)
    assert p2.returncode == 0, p2.stderr
    assert "resuming run" in p2.stderr
    assert len(rest.runs(exp_id)) == 1  # the interrupted run was reused
    vs = rest.versions(name)
    assert len(vs) == 1 and vs[0]["status"] == "READY"
    assert rest.download_sha256(vs[0]["source"], "big.bin") == inp.sha256
