# %% [markdown]
# # Trigger the mlsecops pipeline and inspect the registered model
#
# This notebook (also runnable as `python examples/trigger_and_inspect.py`) does what the seed
# document's notebook does, then goes on: it starts the Jenkins job `ModelPipelineJob` for one
# model with `requests`, waits for the build (AV Scan, Model Scan, SBOM, Register), and reads
# what was registered from MLflow's REST API: the registered model, the new version and its
# tags (SHA-256 digests, scan verdicts, tool versions, SBOM digest, Jenkins build URL).
#
# Settings come from environment variables:
# `JENKINS_URL`, `JENKINS_JOB`, `JENKINS_USER`, `JENKINS_API_TOKEN` (a user API token),
# `JENKINS_JOB_TOKEN` (optional "Trigger builds remotely" token), `MODEL_FILE_PATH`,
# `MODEL_NAME`, `MODEL_CARD`, `MODEL_ALIAS`, `MLFLOW_TRACKING_URI` and, if your MLflow needs
# them, `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD` or `MLFLOW_TRACKING_TOKEN`.
# Set `SKIP_TRIGGER=1` (or pass `--skip-trigger`) to only inspect what MLflow already has.
# The notebook is generated from the `.py` file by `examples/sync_notebook.py`.

# %%
import argparse
import os
import sys
import time
from urllib.parse import quote

import requests


def settings(argv=None):
    """Command-line flags override the environment; unknown arguments (Jupyter's) are ignored."""
    env = os.environ.get
    p = argparse.ArgumentParser(description="Trigger the mlsecops pipeline, then show the MLflow model version.")
    p.add_argument("--jenkins-url", default=env("JENKINS_URL", "http://localhost:8080"))
    p.add_argument("--job", default=env("JENKINS_JOB", "ModelPipelineJob"))
    p.add_argument("--user", default=env("JENKINS_USER", ""))
    p.add_argument("--token", default=env("JENKINS_API_TOKEN", ""))
    p.add_argument("--job-token", default=env("JENKINS_JOB_TOKEN", ""))
    p.add_argument("--model-file", default=env("MODEL_FILE_PATH", "simple-cifar10.h5"))
    p.add_argument("--model-name", default=env("MODEL_NAME", "ResNet50_Model"))
    p.add_argument("--model-card", default=env("MODEL_CARD", "Baseline ResNet50 fine-tuned for CIFAR10"))
    p.add_argument("--alias", default=env("MODEL_ALIAS", ""))
    p.add_argument("--mlflow-url", default=env("MLFLOW_TRACKING_URI", "http://localhost:5000"))
    p.add_argument("--version", default="", help="show this version instead of the one just registered")
    p.add_argument("--skip-trigger", action="store_true", default=env("SKIP_TRIGGER", "") not in ("", "0"))
    p.add_argument("--timeout", type=float, default=float(env("TRIGGER_TIMEOUT", "1800")))
    p.add_argument("--poll", type=float, default=float(env("TRIGGER_POLL", "3")))
    args, _unknown = p.parse_known_args(argv)
    return args


cfg = settings(sys.argv[1:] if __name__ == "__main__" else [])

# %% [markdown]
# ## 1. Trigger the pipeline
#
# `POST job/NAME/buildWithParameters` answers `201 Created` with a `Location` header: the queue
# item. Its `api/json` gets an `executable` (the build) once an executor takes it; the build's
# `api/json` says `building: false` and the `result` when it is done. Requests authenticated
# with an API token need no CSRF crumb.

# %%
def jenkins_session(cfg):
    s = requests.Session()
    if cfg.user:
        s.auth = (cfg.user, cfg.token)
    return s


def trigger(cfg):
    """Starts the job and waits for its build; returns the build's JSON (url, result, description)."""
    s = jenkins_session(cfg)
    job_path = "".join("/job/" + quote(part, safe="") for part in cfg.job.split("/") if part)
    params = {"MODEL_FILE_PATH": cfg.model_file, "MODEL_NAME": cfg.model_name, "MODEL_CARD": cfg.model_card}
    if cfg.alias:
        params["MODEL_ALIAS"] = cfg.alias
    if cfg.job_token:
        params["token"] = cfg.job_token
    r = s.post(cfg.jenkins_url.rstrip("/") + job_path + "/buildWithParameters", data=params, timeout=30)
    if r.status_code != 201:
        raise SystemExit(f"Jenkins answered HTTP {r.status_code} to buildWithParameters")
    queue_item = r.headers["Location"].rstrip("/") + "/"
    print("queued:", queue_item)
    deadline = time.monotonic() + cfg.timeout
    build_url = None
    while build_url is None:
        item = s.get(queue_item + "api/json", timeout=30).json()
        if item.get("cancelled"):
            raise SystemExit("the queued build was cancelled")
        build_url = (item.get("executable") or {}).get("url")
        if build_url is None:
            if time.monotonic() > deadline:
                raise SystemExit("timed out waiting for the build to start")
            time.sleep(cfg.poll)
    print("build:", build_url)
    while True:
        build = s.get(build_url + "api/json", params={"tree": "building,result,description,url"}, timeout=30).json()
        if not build.get("building"):
            break
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the build to finish")
        time.sleep(cfg.poll)
    build["url"] = build_url
    print("result:", build.get("result"))
    print("summary:", build.get("description"))
    reg = s.get(build_url + "artifact/reports/register.json", timeout=30)
    build["register"] = reg.json() if reg.status_code == 200 else None
    return build


build = None
if not cfg.skip_trigger:
    build = trigger(cfg)

# %% [markdown]
# ## 2. Read the registered model from MLflow
#
# MLflow REST API 2.0: `registered-models/get`, `registered-models/alias` (a version by alias),
# `model-versions/get` and `model-versions/search`. Tags carry what the pipeline checked.

# %%
def mlflow_get(cfg, endpoint, **params):
    """GET /api/2.0/mlflow/<endpoint>; returns the JSON body, or None for RESOURCE_DOES_NOT_EXIST."""
    headers = {}
    auth = None
    if os.environ.get("MLFLOW_TRACKING_TOKEN"):
        headers["Authorization"] = "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"]
    elif os.environ.get("MLFLOW_TRACKING_USERNAME"):
        auth = (os.environ["MLFLOW_TRACKING_USERNAME"], os.environ.get("MLFLOW_TRACKING_PASSWORD", ""))
    r = requests.get(cfg.mlflow_url.rstrip("/") + "/api/2.0/mlflow/" + endpoint, params=params,
                     headers=headers, auth=auth, timeout=30)
    if r.status_code == 404:
        return None
    r.raise_for_status()
    return r.json()


def pick_version(cfg, build):
    """The version to show: --version, the one the build registered, the alias, else the newest."""
    if cfg.version:
        return str(cfg.version)
    if build and build.get("register") and build["register"].get("version"):
        return str(build["register"]["version"])
    if cfg.alias:
        found = mlflow_get(cfg, "registered-models/alias", name=cfg.model_name, alias=cfg.alias)
        if found:
            return str(found["model_version"]["version"])
    found = mlflow_get(cfg, "model-versions/search", filter=f"name='{cfg.model_name}'")
    versions = [int(v["version"]) for v in (found or {}).get("model_versions", [])]
    return str(max(versions)) if versions else None


def show(cfg, build):
    model = mlflow_get(cfg, "registered-models/get", name=cfg.model_name)
    if model is None:
        print(f"registered model {cfg.model_name!r}: not in MLflow (nothing was registered)")
        return 1
    model = model["registered_model"]
    print("registered model:", model["name"])
    if model.get("description"):
        print("  description:", model["description"].strip().replace("\n", " | "))
    for a in model.get("aliases", []):
        print(f"  alias: {a['alias']} -> version {a['version']}")
    version = pick_version(cfg, build)
    if version is None:
        print("  no versions")
        return 1
    mv = mlflow_get(cfg, "model-versions/get", name=cfg.model_name, version=version)["model_version"]
    print(f"version {mv['version']}")
    for key in ("status", "run_id", "source", "description"):
        if mv.get(key):
            print(f"  {key}: {str(mv[key]).strip()}")
    print("  tags:")
    for tag in sorted(mv.get("tags", []), key=lambda t: t["key"]):
        print(f"    {tag['key']} = {tag.get('value', '')}")
    return 0


status = show(cfg, build)

# %%
# As a script: exit 0 when the model is registered, 1 when the pipeline blocked it, 2 otherwise.
if build is not None and build.get("result") != "SUCCESS":
    status = 1 if str(build.get("description") or "").replace("<b>", "").startswith("BLOCKED") else 2
if __name__ == "__main__" and "ipykernel" not in sys.modules:
    sys.exit(status)
