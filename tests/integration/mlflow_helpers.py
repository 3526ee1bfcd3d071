"""Helpers for mlflow-register's integration tests (a companion to conftest.py).

- make_inputs(): a model plus DESIGN.md report envelopes (avscan, modelscan-c) and a CycloneDX SBOM
- Rest: a tiny MLflow REST client (requests) to check what registration wrote
- own_server(): a private `mlflow server` (optionally with --app-name basic-auth)
- StandIn: tests/fixtures/mlflow/standin.py (429 / 503 / stall) as a context manager
"""
import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from conftest import MlflowServer  # noqa: E402

REPO = HERE.parents[1]
STANDIN = REPO / "tests" / "fixtures" / "mlflow" / "standin.py"


def sha256_file(p) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def envelope(tool, target, files, findings=(), status="complete"):
    """A report in the DESIGN.md envelope.  files: [(path, sha256)]."""
    counts = {k: 0 for k in ("critical", "high", "medium", "low", "info")}
    for f in findings:
        counts[f["severity"]] += 1
    verdict = "unknown" if status != "complete" else ("findings" if findings else "clean")
    return {
        "schema": "mlsecops-report/1",
        "tool": {"name": tool, "version": "0.1.0"},
        "started_at": "2026-11-25T00:00:00.000Z", "finished_at": "2026-11-25T00:00:01.000Z",
        "target": str(target), "status": status, "verdict": verdict,
        "summary": {"files": {"scanned": len(files), "skipped": 0, "failed": 0}, "findings": counts},
        "files": [{"path": str(p), "size": 0, "sha256": s, "format": "binary", "status": "scanned", "reason": None}
                  for p, s in files],
        "findings": list(findings), "errors": [],
    }


def finding(rule="MS-PICKLE-001", severity="high", path="model.pkl"):
    return {"id": rule, "rule": "dangerous-global", "severity": severity, "path": path,
            "location": "offset 2", "message": "imports os.system", "evidence": "os.system"}


class Inputs:
    def __init__(self, d: Path, model: Path):
        self.dir = d
        self.model = model
        self.av = d / "av.json"
        self.scan = d / "modelscan.json"
        self.sbom = d / "sbom.json"
        files = [model] if model.is_file() else sorted(p for p in model.rglob("*") if p.is_file())
        self.files = [(p, sha256_file(p)) for p in files]
        self.sha256 = self.files[0][1] if model.is_file() else None

    def write(self, av_findings=(), scan_findings=(), av_status="complete", scan_status="complete",
              sbom_digests=None, report_digests=None):
        files = self.files if report_digests is None else [(p, d) for (p, _), d in zip(self.files, report_digests)]
        self.av.write_text(json.dumps(envelope("avscan", self.model, files, av_findings, av_status)))
        self.scan.write_text(json.dumps(envelope("modelscan-c", self.model, files, scan_findings, scan_status)))
        digests = [s for _, s in self.files] if sbom_digests is None else sbom_digests
        self.sbom.write_text(json.dumps({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {"component": {"type": "machine-learning-model", "name": self.model.name,
                                       "hashes": [{"alg": "SHA-256", "content": digests[0]}]}},
            "components": [{"type": "file", "name": str(p.name), "hashes": [{"alg": "SHA-256", "content": d}]}
                           for (p, _), d in zip(self.files, digests)]}))
        return self

    def args(self):
        return ["--av-report", self.av, "--scan-report", self.scan, "--sbom", self.sbom]


def make_inputs(d: Path, size=4096, name="model.bin", data=None) -> Inputs:
    d.mkdir(parents=True, exist_ok=True)
    m = d / name
    m.write_bytes(data if data is not None else os.urandom(size))
    return Inputs(d, m).write()


def make_dir_inputs(d: Path) -> Inputs:
    root = d / "model_dir"
    (root / "sub").mkdir(parents=True)
    (root / "config.json").write_text('{"a": 1}')
    (root / "weights.bin").write_bytes(os.urandom(5000))
    (root / "sub" / "tokenizer.txt").write_text("hello\n")
    return Inputs(d, root).write()


class Rest:
    """Reads what registration wrote, straight from MLflow's REST API."""

    def __init__(self, url, auth=None):
        self.url = url.rstrip("/")
        self.s = requests.Session()
        if auth:
            self.s.auth = auth

    def get(self, endpoint, **params):
        return self.s.get(f"{self.url}/api/2.0/mlflow/{endpoint}", params=params, timeout=30)

    def post(self, endpoint, body):
        return self.s.post(f"{self.url}/api/2.0/mlflow/{endpoint}", json=body, timeout=30)

    def version(self, name, version):
        r = self.get("model-versions/get", name=name, version=str(version))
        r.raise_for_status()
        mv = r.json()["model_version"]
        mv["tagmap"] = {t["key"]: t["value"] for t in mv.get("tags", [])}
        return mv

    def versions(self, name):
        r = self.get("model-versions/search", filter=f"name='{name}'", max_results=1000)
        r.raise_for_status()
        return r.json().get("model_versions", [])

    def registered_model(self, name):
        return self.get("registered-models/get", name=name)

    def experiment(self, name):
        return self.get("experiments/get-by-name", experiment_name=name)

    def runs(self, experiment_id, flt=""):
        r = self.post("runs/search", {"experiment_ids": [experiment_id], "filter": flt, "max_results": 1000})
        r.raise_for_status()
        return r.json().get("runs", [])

    def artifacts(self, run_id, path=""):
        out = []
        r = self.get("artifacts/list", run_id=run_id, path=path)
        r.raise_for_status()
        for f in r.json().get("files", []):
            if f.get("is_dir"):
                out += self.artifacts(run_id, f["path"])
            else:
                out.append((f["path"], int(f.get("file_size", -1))))
        return out

    def download_sha256(self, source_uri, rel):
        """SHA-256 of an artifact fetched through the proxy (streamed)."""
        path = source_uri.split("mlflow-artifacts:", 1)[1].lstrip("/")
        h = hashlib.sha256()
        with self.s.get(f"{self.url}/api/2.0/mlflow-artifacts/artifacts/{path}/{rel}", stream=True,
                        timeout=300) as r:
            r.raise_for_status()
            for b in r.iter_content(1 << 20):
                h.update(b)
        return h.hexdigest()


def own_server(root: Path, app_name=None, env=None, port=None) -> MlflowServer:
    srv = MlflowServer(root, app_name=app_name, env=env)
    if port:
        srv.port = port
        srv.url = f"http://127.0.0.1:{port}"
    return srv.start(timeout=180)


def auth_server(root: Path, admin_password="s3cret-Admin-pw") -> MlflowServer:
    """`mlflow server --app-name basic-auth` with its own user store; admin/admin_password."""
    root.mkdir(parents=True, exist_ok=True)
    ini = root / "basic_auth.ini"
    ini.write_text(f"""[mlflow]
default_permission = READ
database_uri = sqlite:///{root}/basic_auth.db
admin_username = admin
admin_password = {admin_password}
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
grant_default_workspace_access = true
""")
    return own_server(root, app_name="basic-auth",
                      env={"MLFLOW_AUTH_CONFIG_PATH": str(ini), "MLFLOW_AUTH_ADMIN_PASSWORD": admin_password,
                           "MLFLOW_FLASK_SERVER_SECRET_KEY": "test-secret-key-0123456789"})


class StandIn:
    def __init__(self, mode, upstream="", count=2, retry_after="1", stats=None):
        self.args = [sys.executable, str(STANDIN), "--mode", mode, "--count", str(count),
                     "--retry-after", str(retry_after)]
        if upstream:
            self.args += ["--upstream", upstream]
        if stats:
            self.args += ["--stats", str(stats)]
        self.stats = stats

    def __enter__(self):
        self.p = subprocess.Popen(self.args, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline().split()
        assert line and line[0] == "PORT", "stand-in did not start"
        self.url = f"http://127.0.0.1:{line[1]}"
        return self

    def __exit__(self, *exc):
        self.p.kill()
        self.p.wait(timeout=10)

    def read_stats(self):
        return json.loads(Path(self.stats).read_text()) if self.stats and Path(self.stats).exists() else {}


def run_register(run_tool, exe, url, inputs: Inputs, name, *extra, env=None, timeout=600):
    args = ["--tracking-uri", url, "--model-file", inputs.model, "--model-name", name,
            "--model-card", "Baseline ResNet50 fine-tuned for CIFAR10", *inputs.args(), *extra]
    return run_tool(exe, *args, env=env, timeout=timeout)


def wait_for(pred, timeout=60, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


class TlsServer:
    """A real `mlflow server` behind uvicorn's TLS, with a throw-away CA (openssl CLI)."""

    def __init__(self, root: Path):
        from conftest import free_port, wait_http  # noqa: F401
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.ca = root / "ca.pem"
        r = str(root)
        for cmd in (
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{r}/ca.key", "-out", str(self.ca),
             "-days", "2", "-subj", "/CN=mlsecops test CA"],
            ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{r}/srv.key", "-out", f"{r}/srv.csr",
             "-subj", "/CN=127.0.0.1"],
        ):
            subprocess.run(cmd, check=True, capture_output=True)
        (root / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        subprocess.run(["openssl", "x509", "-req", "-in", f"{r}/srv.csr", "-CA", str(self.ca), "-CAkey", f"{r}/ca.key",
                        "-CAcreateserial", "-out", f"{r}/srv.pem", "-days", "2", "-extfile", f"{r}/ext.cnf"],
                       check=True, capture_output=True)
        mlflow = Path(sys.executable).parent / "mlflow"
        env = dict(os.environ)
        env.pop("MLFLOW_TRACKING_URI", None)
        self.proc = subprocess.Popen(
            [str(mlflow), "server", "--host", "127.0.0.1", "--port", str(self.port),
             "--backend-store-uri", f"sqlite:///{r}/mlflow.db", "--artifacts-destination", f"{r}/artifacts",
             "--serve-artifacts", "--workers", "1",
             "--uvicorn-opts", f"--ssl-keyfile {r}/srv.key --ssl-certfile {r}/srv.pem"],
            stdout=open(root / "server.log", "ab"), stderr=subprocess.STDOUT, env=env, cwd=r, start_new_session=True)
        import ssl
        import urllib.request
        ctx = ssl.create_default_context(cafile=str(self.ca))
        end = time.time() + 180
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("TLS mlflow server exited:\n" + (root / "server.log").read_text()[-3000:])
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2, context=ctx) as resp:
                    if resp.status == 200:
                        return
            except Exception:  # noqa: BLE001 - keep polling
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("TLS mlflow server did not start")

    def stop(self):
        import signal
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
