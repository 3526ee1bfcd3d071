"""scripts/trigger-pipeline against a stand-in Jenkins (Jenkins cannot run here).

The stand-in follows Jenkins' documented remote access API: POST
job/NAME/buildWithParameters -> 201 with Location: <root>/queue/item/N/; the queue
item's api/json has no "executable" until the build starts (then executable.number
and executable.url), or "cancelled": true; the build's api/json has building,
result and description; artifacts are under <build>/artifact/<path>.  Requests
without the right basic credentials get 401, as Jenkins answers them.
"""
import base64
import json
import os
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "trigger-pipeline"
USER, TOKEN = "alice", 'api"tok\\en'

REGISTERED = ('<b>REGISTERED</b> <a href="http://mlflow-server:5000/#/models/resnet/versions/4">resnet version 4</a>'
              ' (alias candidate)<br>AV Scan: clean &middot; Model Scan: clean &middot; SBOM: ok &middot; Register: ok')
BLOCKED = ('<b>BLOCKED</b> at Model Scan: MS-PICKLE-001 critical model.pkl: GLOBAL posix.system &quot;x&quot;'
           '<br>AV Scan: clean &middot; Model Scan: blocked (1 critical)')
ERROR = '<b>ERROR</b> at AV Scan: avscan exited 2 (could not finish)<br>AV Scan: error (exit 2)'


class Jenkins:
    """State of the stand-in: scenario, the requests it saw, poll counters."""

    def __init__(self, scenario):
        self.scenario = dict(scenario)
        self.requests = []
        self.params = None
        self.queue_polls = 0
        self.build_polls = 0
        self.server = None

    @property
    def root(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _authorized(self):
            want = "Basic " + base64.b64encode(("%s:%s" % (USER, TOKEN)).encode()).decode()
            return self.headers.get("Authorization") == want

        def _send(self, code, body=b"", ctype="application/json;charset=utf-8", headers=None):
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, obj):
            text = json.dumps(obj)
            if state.scenario.get("escape_html"):
                text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            self._send(200, text.encode())

        def _unauthorized(self):
            self._send(401, b"<html>Unauthorized</html>", "text/html",
                       {"WWW-Authenticate": 'Basic realm="Jenkins"'})

        def do_POST(self):
            state.requests.append(("POST", self.path))
            if not self._authorized():
                return self._unauthorized()
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            path = urllib.parse.urlparse(self.path).path
            if path != state.scenario.get("job_path", "/job/ModelPipelineJob") + "/buildWithParameters":
                return self._send(404, b"Not found", "text/html")
            state.params = {k: v[0] for k, v in form.items()}
            self._send(201, b"", "text/plain", {"Location": state.root + "/queue/item/17/"})

        def do_GET(self):
            state.requests.append(("GET", self.path))
            if not self._authorized():
                return self._unauthorized()
            path = urllib.parse.urlparse(self.path).path
            job = state.scenario.get("job_path", "/job/ModelPipelineJob")
            build = state.root + job + "/5/"
            if path == "/queue/item/17/api/json":
                state.queue_polls += 1
                item = {"_class": "hudson.model.Queue$WaitingItem", "id": 17, "why": "In the quiet period"}
                if state.scenario.get("cancel"):
                    item = {"_class": "hudson.model.Queue$LeftItem", "id": 17, "cancelled": True}
                elif not state.scenario.get("never_starts") and state.queue_polls >= 2:
                    item = {"_class": "hudson.model.Queue$LeftItem", "id": 17, "cancelled": False, "why": None,
                            "executable": {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun",
                                           "number": 5, "url": build}}
                return self._json(item)
            if path == job + "/5/api/json":
                state.build_polls += 1
                building = state.build_polls < 3 or state.scenario.get("never_finishes", False)
                return self._json({"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun",
                                   "building": building,
                                   "result": None if building else state.scenario["result"],
                                   "description": None if building else state.scenario.get("description")})
            if path == job + "/5/artifact/reports/register.json" and "register" in state.scenario:
                # written by mlflow-register (yajl), which escapes '/' as '\/'
                text = json.dumps(state.scenario["register"], indent=2).replace("/", "\\/")
                return self._send(200, text.encode())
            self._send(404, b"Not found", "text/html")

    return Handler


@pytest.fixture
def jenkins(request):
    state = Jenkins(getattr(request, "param", {"result": "SUCCESS"}))
    state.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    t = threading.Thread(target=state.server.serve_forever, daemon=True)
    t.start()
    yield state
    state.server.shutdown()
    state.server.server_close()


def trigger(jenkins, *args, token=TOKEN, timeout=60):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JENKINS_")}
    env.update({"JENKINS_URL": jenkins.root + "/", "JENKINS_USER": USER, "JENKINS_API_TOKEN": token})
    cmd = [str(SCRIPT), "--poll", "0.1"] + list(args)
    if not any(a.startswith("--model-file") for a in args):
        cmd += ["--model-file", "resnet50.h5", "--model-name", "resnet"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def scenario(**kw):
    return pytest.mark.parametrize("jenkins", [kw], indirect=True)


@scenario(result="SUCCESS", description=REGISTERED,
          register={"name": "resnet", "version": "4", "run_id": "r1", "status": "READY",
                    "url": "http://mlflow-server:5000/#/models/resnet/versions/4"})
def test_success_prints_build_and_version(jenkins):
    card = "Baseline ResNet50 & co\nline two: 100% \"quoted\" @file"
    r = trigger(jenkins, "--model-file", "dir with space/m.h5", "--model-name", "resnet", "--model-card", card,
                "--alias", "candidate", "--fail-on", "high", "--job-token", "s3cret job")
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == "build: %s/job/ModelPipelineJob/5/" % jenkins.root
    assert out[1] == "result: SUCCESS"
    assert out[2] == "summary: REGISTERED resnet version 4 (alias candidate)"
    assert out[3] == "  AV Scan: clean | Model Scan: clean | SBOM: ok | Register: ok"
    assert out[-1] == "mlflow: resnet version 4 http://mlflow-server:5000/#/models/resnet/versions/4"
    assert jenkins.params == {"MODEL_FILE_PATH": "dir with space/m.h5", "MODEL_NAME": "resnet",
                              "MODEL_CARD": card, "MODEL_ALIAS": "candidate", "FAIL_ON": "high",
                              "token": "s3cret job"}
    assert "queued %s/queue/item/17/" % jenkins.root in r.stderr
    assert TOKEN not in r.stdout + r.stderr


@scenario(result="SUCCESS", description=REGISTERED, escape_html=True)
def test_version_from_description_when_no_artifact(jenkins):
    r = trigger(jenkins)
    assert r.returncode == 0, r.stderr
    assert "summary: REGISTERED resnet version 4 (alias candidate)" in r.stdout
    assert r.stdout.splitlines()[-1] == "mlflow: resnet version 4 http://mlflow-server:5000/#/models/resnet/versions/4"
    assert jenkins.params == {"MODEL_FILE_PATH": "resnet50.h5", "MODEL_NAME": "resnet"}


@scenario(result="FAILURE", description=BLOCKED)
def test_blocked_model_exits_1(jenkins):
    r = trigger(jenkins)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "result: FAILURE" in r.stdout
    assert 'summary: BLOCKED at Model Scan: MS-PICKLE-001 critical model.pkl: GLOBAL posix.system "x"' in r.stdout
    assert "mlflow:" not in r.stdout
    assert not any("artifact" in p for _, p in jenkins.requests)


@scenario(result="FAILURE", description=ERROR)
def test_pipeline_error_exits_2(jenkins):
    r = trigger(jenkins)
    assert r.returncode == 2
    assert "summary: ERROR at AV Scan: avscan exited 2 (could not finish)" in r.stdout


@pytest.mark.parametrize("jenkins", [{"result": "ABORTED"}, {"result": "UNSTABLE", "description": REGISTERED}],
                         indirect=True)
def test_aborted_or_unstable_exits_2(jenkins):
    r = trigger(jenkins)
    assert r.returncode == 2
    assert "result: %s" % jenkins.scenario["result"] in r.stdout


@scenario(result="SUCCESS")
def test_wrong_token_is_reported(jenkins):
    r = trigger(jenkins, token="wrong")
    assert r.returncode == 2
    assert "HTTP 401" in r.stderr and "--token" in r.stderr
    assert jenkins.params is None


@scenario(result="SUCCESS", never_starts=True)
def test_timeout_while_queued(jenkins):
    t0 = time.monotonic()
    r = trigger(jenkins, "--timeout", "2", "--model-file", "m", "--model-name", "n")
    assert r.returncode == 2
    assert "timed out after 2s waiting for the build to start" in r.stderr
    assert time.monotonic() - t0 < 20
    assert jenkins.queue_polls >= 2


@scenario(result="SUCCESS", never_finishes=True)
def test_timeout_while_building_prints_build(jenkins):
    r = trigger(jenkins, "--timeout", "2", "--model-file", "m", "--model-name", "n")
    assert r.returncode == 2
    assert "waiting for the build to finish" in r.stderr
    assert "build: %s/job/ModelPipelineJob/5/" % jenkins.root in r.stdout


@scenario(result="SUCCESS", cancel=True)
def test_cancelled_queue_item(jenkins):
    r = trigger(jenkins)
    assert r.returncode == 2
    assert "cancelled" in r.stderr


@scenario(result="SUCCESS", description=REGISTERED, job_path="/job/ml%20team/job/Model%2BGate")
def test_job_in_folder(jenkins):
    r = trigger(jenkins, "--job", "ml team/Model+Gate", "--model-file", "m", "--model-name", "n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("build: %s/job/ml%%20team/job/Model%%2BGate/5/" % jenkins.root)


@scenario(result="SUCCESS")
def test_unknown_job_is_404(jenkins):
    r = trigger(jenkins, "--job", "Nope", "--model-file", "m", "--model-name", "n")
    assert r.returncode == 2
    assert "no job 'Nope'" in r.stderr


def test_no_server():
    env = dict(os.environ, JENKINS_URL="http://127.0.0.1:9", JENKINS_USER=USER, JENKINS_API_TOKEN=TOKEN)
    r = subprocess.run([str(SCRIPT), "--model-file", "m", "--model-name", "n"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "cannot reach Jenkins" in r.stderr


@pytest.mark.parametrize("args,message", [
    ([], "--model-file is required"),
    (["--model-file", "m"], "--model-name is required"),
    (["--model-file", "m", "--model-name", "n", "--fail-on", "severe"], "--fail-on must be"),
    (["--model-file", "m", "--model-name", "n", "--timeout", "soon"], "--timeout must be"),
    (["--bogus"], "unknown option '--bogus'"),
    (["--model-file"], "requires an argument"),
])
def test_usage_errors_exit_4(args, message):
    r = subprocess.run([str(SCRIPT)] + args, capture_output=True, text=True, timeout=30)
    assert r.returncode == 4
    assert message in r.stderr


def test_help_lists_every_flag():
    r = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    for flag in ["--url", "--job", "--user", "--token", "--job-token", "--model-file", "--model-name",
                 "--model-card", "--alias", "--fail-on", "--timeout", "--poll", "--no-wait", "--quiet", "--version"]:
        assert flag in r.stdout


@scenario(result="SUCCESS", never_starts=True)
def test_no_wait_prints_queue_item(jenkins):
    r = trigger(jenkins, "--no-wait", "-q", "--model-file", "m", "--model-name", "n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "queue: %s/queue/item/17/\n" % jenkins.root
    assert r.stderr == ""
    assert jenkins.queue_polls == 0
