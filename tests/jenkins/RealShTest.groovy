import jenkinstest.RunResult
import jenkinstest.TestSupport

// The harness's real-sh mode (what E2eTest uses), checked with stand-in tools written
// to a temp dir: these are NOT the mlsecops tools and say nothing about them. They
// check that commands really run through /bin/sh in the workspace with the pipeline's
// environment (MLS_BIN, credentials bound only around Register), that quoting holds
// in a real shell, and that reports written by a process are read back from disk.
class RealShTest extends TestSupport {
    File bin
    File models

    static final String STUB = '''#!/bin/sh
# stand-in tool for the harness test: writes the report files it is asked for
tool=$(basename "$0")
json=; out=; sarif=; junit=; last=; model=
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json=$2; shift ;;
    -o) out=$2; shift ;;
    --sarif) sarif=$2; shift ;;
    --junit) junit=$2; shift ;;
    --model-file) model=$2; shift ;;
    *) last=$1 ;;
  esac
  shift
done
[ -n "$model" ] && last=$model
verdict=clean; code=0; findings='[]'
case "$last" in *.pkl) if [ "$tool" = modelscan-c ]; then verdict=findings; code=1
  findings='[{"id":"STUB-001","severity":"critical","path":"stub","message":"stand-in finding"}]'; fi ;; esac
[ -n "$json" ] && printf '{"verdict":"%s","status":"complete","findings":%s}\\n' "$verdict" "$findings" > "$json"
[ -n "$sarif" ] && echo '{}' > "$sarif"
[ -n "$junit" ] && echo '<testsuites/>' > "$junit"
if [ -n "$out" ]; then
  if [ "$tool" = mlflow-register ]; then
    printf '{"name":"stub","version":"9","user":"%s","workspace":"%s"}\\n' "$MLFLOW_TRACKING_USERNAME" "$PWD" > "$out"
  else
    echo '{}' > "$out"
  fi
fi
printf '%s\\n' "$last" > "reports/$tool.arg"
exit $code
'''

    void setUp() {
        super.setUp()
        bin = new File(ws, 'stub-bin')
        bin.mkdirs()
        for (String t : ['avscan', 'modelscan-c', 'hashsbom', 'mlflow-register']) {
            File f = new File(bin, t)
            f.text = STUB
            f.setExecutable(true)
        }
        models = new File(ws, 'models')
        models.mkdirs()
        steps.realSh = true
        steps.env.MLS_BIN = bin.path
        steps.env.MODELS_DIR = models.path
        steps.env.PATH = '/usr/bin:/bin'
        steps.credentials['mlflow-credentials'] = ['e2e-user', 'pw']
    }

    void testRealShellRunsTheJenkinsfile() {
        String name = "we'ird \$HOME `name`.safetensors"
        new File(models, name).text = 'x'
        harness.load(new File(repo, 'jenkins/Jenkinsfile'))
        RunResult r = harness.run([MODEL_FILE_PATH: name, MODEL_NAME: 'stub'])
        assert r.result == 'SUCCESS': r.toString() + '\n' + steps.log.join('\n')
        assert new File(ws, 'reports/avscan.arg').text.trim() == models.path + '/' + name
        assert new File(ws, 'reports/mlflow-register.arg').text.trim() == models.path + '/' + name
        String reg = new File(ws, 'reports/register.json').text
        assert reg.contains('"user":"e2e-user"') && reg.contains('"workspace":"' + ws.canonicalPath + '"')
        assert steps.env.MLFLOW_TRACKING_USERNAME == null
        assert steps.currentBuild.description.contains('stub version 9')
    }

    void testRealShellBlock() {
        new File(models, 'm.pkl').text = 'x'
        harness.load(new File(repo, 'jenkins/Jenkinsfile'))
        RunResult r = harness.run([MODEL_FILE_PATH: 'm.pkl', MODEL_NAME: 'stub'])
        assert r.failedStage == 'Model Scan'
        assert r.error == 'blocked at Model Scan: STUB-001 critical stub: stand-in finding'
        assert !new File(ws, 'reports/register.json').exists()
    }

    void testMissingToolIsAnError() {
        new File(bin, 'hashsbom').delete()
        new File(models, 'm.safetensors').text = 'x'
        harness.load(new File(repo, 'jenkins/Jenkinsfile'))
        RunResult r = harness.run([MODEL_FILE_PATH: 'm.safetensors', MODEL_NAME: 'stub'])
        assert r.failedStage == 'SBOM'
        assert r.error == 'error at SBOM: hashsbom exited 127 (command not found)'
    }
}
