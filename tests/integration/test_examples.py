"""examples/trigger_and_inspect.{py,ipynb}: the notebook matches the script, and the script
reads a model version back from a real MLflow server (registered here with the mlflow
client), alone (--skip-trigger) and after triggering a stand-in Jenkins (test_trigger's)."""
import os
import subprocess
import sys
import threading
import uuid
from http.server import ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "examples" / "trigger_and_inspect.py"
NOTEBOOK = REPO / "examples" / "trigger_and_inspect.ipynb"

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_trigger  # noqa: E402  (the stand-in Jenkins)


def code_sections(py_text):
    """The code cells of the .py source: text between "# %%" markers that are not markdown."""
    sections, kind, lines = [], None, []
    for line in py_text.splitlines() + ["# %% end"]:
        if line.startswith("# %%"):
            if kind == "code":
                sections.append("\n".join(lines).strip("\n"))
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    return sections


def test_notebook_is_valid_and_matches_the_script():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nbformat.validate(nb)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code == code_sections(SCRIPT.read_text())
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert any("buildWithParameters" in c for c in code)
    assert any("registered-models/get" in c for c in code)
    r = subprocess.run([sys.executable, str(REPO / "examples" / "sync_notebook.py"), "--check"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.fixture
def registered(mlflow_server, scratch):
    """A registered model with two versions (tags on the second, alias 'candidate' on it)."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)
    name = "examples-" + uuid.uuid4().hex[:8]
    exp = client.create_experiment("examples-" + uuid.uuid4().hex[:8])
    run = client.create_run(exp)
    client.create_registered_model(name, description="Baseline ResNet50\nfine-tuned for CIFAR10")
    source = "runs:/%s/model" % run.info.run_id
    client.create_model_version(name, source, run_id=run.info.run_id)
    mv = client.create_model_version(name, source, run_id=run.info.run_id,
                                     tags={"mlsecops.sha256": "ab" * 32, "mlsecops.modelscan.verdict": "clean"})
    client.set_model_version_tag(name, mv.version, "mlsecops.build_url", "http://jenkins/job/ModelPipelineJob/5/")
    client.set_registered_model_alias(name, "candidate", mv.version)
    return name, str(mv.version)


def run_example(mlflow_url, *args, env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "JENKINS_", "MODEL_"))}
    e["MLFLOW_TRACKING_URI"] = mlflow_url
    e.update(env or {})
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=e, timeout=120)


def test_shows_version_and_tags(mlflow_server, registered):
    name, version = registered
    r = run_example(mlflow_server.url, "--skip-trigger", env={"MODEL_NAME": name})
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "registered model: " + name
    assert "  description: Baseline ResNet50 | fine-tuned for CIFAR10" in lines
    assert "  alias: candidate -> version %s" % version in lines
    assert "version %s" % version in lines
    assert "    mlsecops.sha256 = " + "ab" * 32 in lines
    assert "    mlsecops.modelscan.verdict = clean" in lines
    assert "    mlsecops.build_url = http://jenkins/job/ModelPipelineJob/5/" in lines
    assert "queued:" not in r.stdout


def test_explicit_version_and_alias(mlflow_server, registered):
    name, version = registered
    r = run_example(mlflow_server.url, "--model-name", name, "--version", "1", env={"SKIP_TRIGGER": "1"})
    assert r.returncode == 0, r.stderr
    assert "version 1" in r.stdout.splitlines()
    assert "mlsecops.sha256" not in r.stdout
    r = run_example(mlflow_server.url, "--skip-trigger", "--model-name", name, "--alias", "candidate")
    assert "version %s" % version in r.stdout.splitlines()


def test_model_not_registered(mlflow_server):
    r = run_example(mlflow_server.url, "--skip-trigger", "--model-name", "never-registered-" + uuid.uuid4().hex)
    assert r.returncode == 1
    assert "not in MLflow (nothing was registered)" in r.stdout


def start_jenkins(scenario):
    state = test_trigger.Jenkins(scenario)
    state.server = ThreadingHTTPServer(("127.0.0.1", 0), test_trigger.make_handler(state))
    threading.Thread(target=state.server.serve_forever, daemon=True).start()
    return state


def test_trigger_then_inspect(mlflow_server, registered):
    name, version = registered
    jenkins = start_jenkins({"result": "SUCCESS", "description": test_trigger.REGISTERED,
                             "register": {"name": name, "version": version}})
    try:
        r = run_example(mlflow_server.url, "--poll", "0.1", env={
            "JENKINS_URL": jenkins.root, "JENKINS_USER": test_trigger.USER, "JENKINS_API_TOKEN": test_trigger.TOKEN,
            "MODEL_FILE_PATH": "resnet50.h5", "MODEL_NAME": name, "MODEL_CARD": "card"})
    finally:
        jenkins.server.shutdown()
        jenkins.server.server_close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "queued: %s/queue/item/17/" % jenkins.root in r.stdout
    assert "result: SUCCESS" in r.stdout
    assert "version %s" % version in r.stdout.splitlines()
    assert jenkins.params == {"MODEL_FILE_PATH": "resnet50.h5", "MODEL_NAME": name, "MODEL_CARD": "card"}


def test_trigger_blocked_exits_1(mlflow_server):
    jenkins = start_jenkins({"result": "FAILURE", "description": test_trigger.BLOCKED})
    try:
        r = run_example(mlflow_server.url, "--poll", "0.1", "--model-name", "blocked-" + uuid.uuid4().hex, env={
            "JENKINS_URL": jenkins.root, "JENKINS_USER": test_trigger.USER, "JENKINS_API_TOKEN": test_trigger.TOKEN})
    finally:
        jenkins.server.shutdown()
        jenkins.server.server_close()
    assert r.returncode == 1, r.stdout + r.stderr
    assert "result: FAILURE" in r.stdout
    assert "not in MLflow" in r.stdout
