"""Shared pytest fixtures for mlsecops integration tests.

bins           dict tool-name -> Path of the built tool ($MLS_BUILD_DIR/bin, default build/bin)
repo           Path of the repository
scratch        a fresh scratch directory per test
schemas        Path of ../shared/schemas, or the test is skipped saying so
mlflow_server  a real `mlflow server` on 127.0.0.1 (SQLite store, local artifacts), one per session
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS = ("avscan", "modelscan-c", "hashsbom", "mlflow-register")


def build_dir() -> Path:
    return Path(os.environ.get("MLS_BUILD_DIR", REPO / "build")).resolve()


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def bins() -> dict:
    bindir = build_dir() / "bin"
    found = {t: bindir / t for t in TOOLS if (bindir / t).exists()}
    if not found:
        pytest.fail(f"no tools built in {bindir}: run scripts/build first (or set MLS_BUILD_DIR)")
    return found


def tool(bins: dict, name: str) -> Path:
    """The path of one tool; fails (never skips) when it was not built."""
    if name not in bins:
        pytest.fail(f"{name} was not built in {build_dir() / 'bin'}")
    return bins[name]


@pytest.fixture
def scratch(tmp_path) -> Path:
    d = tmp_path / "scratch"
    d.mkdir()
    return d


@pytest.fixture(scope="session")
def schemas() -> Path:
    d = Path(os.environ.get("MLS_SCHEMAS", REPO.parent / "shared" / "schemas"))
    if not d.is_dir():
        pytest.skip(f"schema directory {d} is absent: schema validation NOT performed")
    return d


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, proc=None) -> None:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except Exception as e:  # noqa: BLE001 - keep polling
            last = e
        time.sleep(0.3)
    raise RuntimeError(f"{url} not up after {timeout}s: {last}")


class MlflowServer:
    """A real MLflow tracking server started for tests."""

    def __init__(self, root: Path, app_name: str = None, env: dict = None):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app_name = app_name
        self.env = env or {}
        self.proc = None
        self.log = root / "mlflow-server.log"

    def start(self, timeout: float = 300):
        self.root.mkdir(parents=True, exist_ok=True)
        mlflow = Path(sys.executable).parent / "mlflow"
        cmd = [str(mlflow), "server", "--host", "127.0.0.1", "--port", str(self.port),
               "--backend-store-uri", f"sqlite:///{self.root}/mlflow.db",
               "--artifacts-destination", str(self.root / "artifacts"),
               "--serve-artifacts", "--workers", "2"]
        if self.app_name:
            cmd += ["--app-name", self.app_name]
        env = dict(os.environ)
        env.update(self.env)
        env.pop("MLFLOW_TRACKING_URI", None)
        self.proc = subprocess.Popen(cmd, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
                                     env=env, cwd=self.root, start_new_session=True)
        try:
            wait_http(self.url + "/health", timeout, self.proc)
        except Exception:
            self.stop()
            raise RuntimeError("mlflow server did not start:\n" + self.log.read_text()[-4000:])
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            import signal
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except Exception:  # noqa: BLE001
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    if os.environ.get("MLS_MLFLOW_URI"):
        # an already running server (scripts/test can share one across both builds)
        class External:
            url = os.environ["MLS_MLFLOW_URI"]
        yield External()
        return
    srv = MlflowServer(tmp_path_factory.mktemp("mlflow")).start()
    yield srv
    srv.stop()


@pytest.fixture
def run_tool():
    """run_tool(path, *args, **kw) -> CompletedProcess with text stdout/stderr, never raising."""
    def _run(exe, *args, timeout=300, env=None, cwd=None, input=None):
        e = dict(os.environ)
        e["NO_COLOR"] = "1"
        if env:
            e.update(env)
        return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, env=e, cwd=cwd, input=input)
    return _run


def venv_python() -> str:
    return sys.executable


def system_python() -> str:
    """Debian's python3 (has python3-torch)."""
    return shutil.which("python3", path="/usr/bin") or "/usr/bin/python3"
