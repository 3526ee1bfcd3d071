#!/usr/bin/env bash
# Checks what can be checked of docker/ without a Docker engine (none runs here):
#  - docker/docker-compose.yml is valid for Debian's docker-compose (`config`), with and
#    without the postgres profile, and has the services, ports, volumes and health checks
#    the seed and docs promise;
#  - every image is pinned (no ':latest', no untagged FROM/image), MLflow is pinned;
#  - the Jenkins image builds the tools with scripts/install-deps and the README's CMake
#    install, and installs runtime packages with `install-deps --runtime`;
#  - every file the Dockerfiles COPY exists, the scripts they run exist and parse;
#  - casc.yaml is YAML with the 'mlsecops' library and the 'ModelPipelineJob' job;
#  - plugins.txt lists the plugins the Jenkinsfile and library use.
# Prints "N passed, N failed" last; exit 1 if anything failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
has() { grep -Eq -- "$2" "$1"; }

compose=docker/docker-compose.yml
jdf=docker/jenkins/Dockerfile
mdf=docker/mlflow/Dockerfile
casc=docker/jenkins/casc.yaml
plugins=docker/jenkins/plugins.txt
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# ---- docker-compose config ----
if command -v docker-compose >/dev/null; then
  export JENKINS_ADMIN_PASSWORD=test-only
  if docker-compose -f "$compose" config >"$out/config.yml" 2>"$out/err"; then
    ok "docker-compose config"
  else
    bad "docker-compose config: $(head -c 600 "$out/err")"
  fi
  if docker-compose -f "$compose" --profile postgres config --services >"$out/services" 2>"$out/err"; then
    ok "docker-compose --profile postgres config"
    check "postgres profile adds postgres and minio" grep -qx postgres "$out/services"
    check "postgres profile adds minio" grep -qx minio "$out/services"
  else
    bad "docker-compose --profile postgres config: $(head -c 600 "$out/err")"
  fi
  if JENKINS_ADMIN_PASSWORD= docker-compose -f "$compose" config >/dev/null 2>&1; then
    bad "compose must refuse to start without JENKINS_ADMIN_PASSWORD"
  else
    ok "compose requires JENKINS_ADMIN_PASSWORD"
  fi
else
  bad "docker-compose not installed (Debian package docker-compose; scripts/install-deps installs it)"
fi

# ---- the resolved compose file: services, ports, volumes, health checks ----
if [ -s "$out/config.yml" ]; then
  /usr/bin/python3 - "$out/config.yml" >"$out/compose-checks" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
s = c["services"]
def ports(svc):
    out = set()
    for p in s[svc].get("ports", []):
        out.add(str(p["published"] if isinstance(p, dict) else p).split(":")[0])
    return out
def mounts(svc):
    out = {}
    for v in s[svc].get("volumes", []):
        if isinstance(v, dict):
            out[v["target"]] = v.get("source")
        else:
            parts = v.split(":")
            out[parts[1]] = parts[0]
    return out
checks = [
    ("jenkins-mlsecops publishes 8080 and 50000", {"8080", "50000"} <= ports("jenkins-mlsecops")),
    ("mlflow-server publishes 5000", "5000" in ports("mlflow-server")),
    ("models volume at /downloads/models", "/downloads/models" in mounts("jenkins-mlsecops")),
    ("ClamAV databases in a volume", "/var/lib/clamav" in mounts("jenkins-mlsecops")),
    ("jenkins_home volume", "/var/jenkins_home" in mounts("jenkins-mlsecops")),
    ("MLflow data and artifacts volumes", {"/mlflow/data", "/mlflow/artifacts"} <= set(mounts("mlflow-server"))),
    ("jenkins health check", "healthcheck" in s["jenkins-mlsecops"]),
    ("mlflow health check on /health", "/health" in str(s["mlflow-server"].get("healthcheck", {}).get("test"))),
    ("MLFLOW_TRACKING_URI points at mlflow-server",
     s["jenkins-mlsecops"]["environment"].get("MLFLOW_TRACKING_URI") == "http://mlflow-server:5000"),
    ("jenkins waits for a healthy MLflow",
     s["jenkins-mlsecops"].get("depends_on", {}).get("mlflow-server", {}).get("condition") == "service_healthy"),
    ("only jenkins-mlsecops and mlflow-server run without a profile",
     sorted(n for n, v in s.items() if not v.get("profiles")) == ["jenkins-mlsecops", "mlflow-server"]),
    ("postgres, minio, minio-bucket are in the postgres profile",
     all(s[n].get("profiles") == ["postgres"] for n in ("postgres", "minio", "minio-bucket"))),
    ("SQLite is the default backend store",
     s["mlflow-server"]["environment"]["MLFLOW_BACKEND_STORE_URI"].startswith("sqlite:")),
]
for name, okay in checks:
    print(("ok " if okay else "bad ") + name)
PY
  while read -r status name; do
    if [ "$status" = ok ]; then ok "compose: $name"; else bad "compose: $name"; fi
  done <"$out/compose-checks"
fi

# ---- pinned versions ----
images=$( (grep -hE '^\s*image:' "$compose" | sed 's/.*image: *//'; grep -hE '^(FROM|ARG [A-Z_]*IMAGE=)' "$jdf" "$mdf" |
          sed -E 's/^FROM +//; s/^ARG [A-Z_]*IMAGE=//; s/ +AS .*//') | grep -v '^\${' | sort -u)
for img in $images; do
  case "$img" in
    mlsecops/*) continue ;;  # built here
    *:latest|*:lts|*:lts-jdk*) bad "image not pinned: $img" ;;
    *:*) ok "image pinned: $img" ;;
    *) bad "image without a tag: $img" ;;
  esac
done
check "jenkins base is a numbered LTS tag" has "$jdf" '^ARG JENKINS_IMAGE=jenkins/jenkins:[0-9]+\.[0-9]+\.[0-9]+-lts-jdk[0-9]+$'
check "no ':latest' anywhere in docker/" bash -c "! grep -rn ':latest' docker/"
check "mlflow pinned" has "$mdf" '^ARG MLFLOW_VERSION=[0-9]+\.[0-9]+\.[0-9]+$'
check "mlflow installed at the pinned version" has "$mdf" 'mlflow==\$\{MLFLOW_VERSION\}'
check "every pip package pinned" bash -c "! grep -E 'pip install' $mdf | grep -Eo '\"[a-z0-9_-]+\"' | grep -q ."
mlflow_pin=$(sed -n 's/^ARG MLFLOW_VERSION=//p' "$mdf")
check "compose image tag matches the MLflow pin" grep -q "image: mlsecops/mlflow:$mlflow_pin" "$compose"

# ---- the Jenkins image builds the tools like the README ----
check "jenkins image runs scripts/install-deps" has "$jdf" '^RUN scripts/install-deps'
check "runtime stage uses install-deps --runtime" has "$jdf" 'install-deps --runtime'
check "tools built without tests" has "$jdf" 'cmake -S \. -B build .*-DMLS_BUILD_TESTS=OFF'
check "cmake --build" has "$jdf" 'cmake --build build'
check "cmake --install to /usr/local" has "$jdf" 'cmake --install build --prefix /usr/local'
check "plugins via jenkins-plugin-cli" has "$jdf" 'jenkins-plugin-cli --plugin-file'
check "setup wizard off, CasC config set" has "$jdf" 'CASC_JENKINS_CONFIG=/var/jenkins_conf'
check "jenkins runs as the jenkins user" bash -c "grep -E '^USER ' $jdf | tail -n 1 | grep -qx 'USER jenkins'"
check "mlflow runs as a non-root user" bash -c "grep -E '^USER ' $mdf | tail -n 1 | grep -qx 'USER mlflow'"
check "mlflow HEALTHCHECK on /health" has "$mdf" '^HEALTHCHECK .*' 
check "mlflow image health check uses /health" grep -q "/health" "$mdf"
check "mlflow serves artifacts" grep -q -- '--serve-artifacts' docker/mlflow/entrypoint.sh
check "mlflow backend store from MLFLOW_BACKEND_STORE_URI" grep -q -- '--backend-store-uri "\$MLFLOW_BACKEND_STORE_URI"' docker/mlflow/entrypoint.sh
check "freshclam runs at container start" grep -q '^  if ! freshclam ' docker/jenkins/entrypoint.sh
check "the entrypoint ends by running Jenkins" bash -c "tail -n 1 docker/jenkins/entrypoint.sh | grep -q 'exec /usr/local/bin/jenkins.sh'"

# ---- files the Dockerfiles COPY exist; scripts they run exist and parse ----
for df in "$jdf" "$mdf"; do
  grep -E '^COPY ' "$df" | grep -v -- '--from=' | sed -E 's/^COPY( --[a-z]+=[^ ]+)* +//' |
    awk '{ for (i = 1; i < NF; i++) print $i }' | while read -r src; do
      if [ -e "$src" ]; then echo "ok $df: COPY $src"; else echo "bad $df: COPY $src does not exist"; fi
    done
done >"$out/copies"
while read -r status rest; do
  if [ "$status" = ok ]; then ok "$rest"; else bad "$rest"; fi
done <"$out/copies"
for s in scripts/install-deps docker/jenkins/entrypoint.sh docker/mlflow/entrypoint.sh scripts/trigger-pipeline; do
  check "$s is executable" test -x "$s"
done
check "jenkins entrypoint parses (sh -n)" sh -n docker/jenkins/entrypoint.sh
check "mlflow entrypoint parses (sh -n)" sh -n docker/mlflow/entrypoint.sh
if command -v shellcheck >/dev/null; then
  check "shellcheck entrypoints" shellcheck docker/jenkins/entrypoint.sh docker/mlflow/entrypoint.sh
fi

# ---- Configuration as Code ----
/usr/bin/python3 - "$casc" docker/jenkins/casc-mlflow-credentials.yaml >"$out/casc-checks" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
libs = c["unclassified"]["globalLibraries"]["libraries"]
lib = libs[0] if libs else {}
job = c["jobs"][0]["script"]
cred = yaml.safe_load(open(sys.argv[2]))["credentials"]["system"]["domainCredentials"][0]["credentials"][0]
checks = [
    ("library named mlsecops", lib.get("name") == "mlsecops"),
    ("library from jenkins/shared-library/", lib.get("retriever", {}).get("modernSCM", {}).get("libraryPath") == "jenkins/shared-library/"),
    ("library retrieved with git", "git" in lib.get("retriever", {}).get("modernSCM", {}).get("scm", {})),
    ("job ModelPipelineJob", "pipelineJob('ModelPipelineJob')" in job),
    ("job runs jenkins/Jenkinsfile", "scriptPath('jenkins/Jenkinsfile')" in job),
    ("job has a remote trigger token", "authenticationToken(" in job),
    ("job-dsl script kept line by line", job.count("\n") > 10),
    ("Safe HTML markup formatter", "rawHtml" in c["jenkins"].get("markupFormatter", {})),
    ("no anonymous access", c["jenkins"]["authorizationStrategy"]["loggedInUsersCanDoAnything"]["allowAnonymousRead"] is False),
    ("credential id mlflow-credentials", cred["usernamePassword"]["id"] == "mlflow-credentials"),
]
for name, okay in checks:
    print(("ok " if okay else "bad ") + name)
PY
while read -r status name; do
  if [ "$status" = ok ]; then ok "casc: $name"; else bad "casc: $name"; fi
done <"$out/casc-checks"
# the job-dsl parameters are the Jenkinsfile's parameters, in order
dsl_params=$(grep -oE "(string|text|choice)Param\('[A-Z_]+'" "$casc" | sed -E "s/.*\('//; s/'//" | tr '\n' ' ')
jf_params=$(grep -oE "(string|text|choice)\(name: '[A-Z_]+'" jenkins/Jenkinsfile | sed -E "s/.*'([A-Z_]+)'/\1/" | tr '\n' ' ')
check "job-dsl parameters match the Jenkinsfile ($jf_params)" test "$dsl_params" = "$jf_params"

# ---- plugins ----
for p in workflow-aggregator pipeline-groovy-lib pipeline-utility-steps git credentials credentials-binding \
         configuration-as-code job-dsl junit warnings-ng antisamy-markup-formatter; do
  check "plugins.txt has $p" grep -Eq "^$p(:.*)?$" "$plugins"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
