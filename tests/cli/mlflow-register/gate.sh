# mlflow-register --check: the gate alone (no server contacted), exit 0 / 1 / 2.
"$MLS_PYTHON" - <<'PY'
import hashlib, json, os
open("model.bin", "wb").write(os.urandom(4096))
sha = hashlib.sha256(open("model.bin", "rb").read()).hexdigest()
def rep(tool, findings=(), status="complete", digest=sha):
    c = {k: 0 for k in ("critical", "high", "medium", "low", "info")}
    for f in findings: c[f["severity"]] += 1
    return {"schema": "mlsecops-report/1", "tool": {"name": tool, "version": "0.1.0"}, "target": "model.bin",
            "status": status, "verdict": "findings" if findings else "clean",
            "summary": {"files": {"scanned": 1, "skipped": 0, "failed": 0}, "findings": c},
            "files": [{"path": "model.bin", "size": 4096, "sha256": digest}], "findings": list(findings), "errors": []}
bad = [{"id": "MS-PICKLE-001", "rule": "dangerous-global", "severity": "critical", "path": "model.bin",
        "location": "offset 2", "message": "os.system", "evidence": "os.system"}]
json.dump(rep("avscan"), open("av.json", "w"))
json.dump(rep("modelscan-c"), open("scan.json", "w"))
json.dump(rep("modelscan-c", bad), open("scan-bad.json", "w"))
json.dump(rep("avscan", status="incomplete"), open("av-inc.json", "w"))
json.dump(rep("avscan", digest="0" * 64), open("av-other.json", "w"))
json.dump({"bomFormat": "CycloneDX", "specVersion": "1.6",
           "metadata": {"component": {"hashes": [{"alg": "SHA-256", "content": sha}]}}}, open("sbom.json", "w"))
PY
# the tracking URI points nowhere: --check must not need it
U="--tracking-uri http://127.0.0.1:9"
expect_exit 0 mlflow-register $U --check --model-file model.bin --model-name m --av-report av.json --scan-report scan.json --sbom sbom.json
expect_grep out '^gate passed: mlsecops.sha256 [0-9a-f]{64}$'
expect_exit 1 mlflow-register $U --check --model-file model.bin --model-name m --av-report av.json --scan-report scan-bad.json --sbom sbom.json --junit gate.xml --sarif gate.sarif --json gate.json
expect_grep err 'refused: model scan report .* MS-PICKLE-001 \(critical\) model.bin'
expect_grep err 'nothing was sent to MLflow'
expect_json gate.json 'd["schema"] == "mlsecops-report/1" and d["findings"][0]["id"] == "MR-GATE-001"'
expect_grep gate.xml 'MR-GATE-001'
expect_json gate.sarif 'd["runs"][0]["results"][0]["ruleId"] == "MR-GATE-001"'
expect_exit 0 mlflow-register $U --check --model-file model.bin --model-name m --av-report av.json --scan-report scan-bad.json --sbom sbom.json --fail-on critical --allow-findings --reason 'accepted risk'
expect_grep err 'override: MR-GATE-001'
expect_exit 1 mlflow-register $U --check --model-file model.bin --model-name m --av-report av-inc.json --scan-report scan.json --sbom sbom.json
expect_grep err 'MR-GATE-002'
expect_exit 1 mlflow-register $U --check --model-file model.bin --model-name m --av-report av-other.json --scan-report scan.json --sbom sbom.json
expect_grep err 'MR-GATE-004'
expect_exit 2 mlflow-register $U --check --model-file model.bin --model-name m --scan-report scan.json --sbom sbom.json
expect_grep err 'MR-GATE-003'
expect_exit 2 mlflow-register $U --check --model-file model.bin --model-name m --av-report scan.json --scan-report /nonexistent.json --sbom sbom.json
expect_exit 2 mlflow-register $U --check --model-file model.bin --model-name m --av-report model.bin --scan-report scan.json --sbom sbom.json
expect_grep err 'MR-GATE-006'
expect_exit 0 mlflow-register $U --check --model-file model.bin --model-name m --allow-missing-reports --reason 'seed job'
expect_exit 2 mlflow-register $U --check --model-file absent.bin --model-name m --allow-missing-reports --reason r
expect_grep err "cannot open 'absent.bin'"
