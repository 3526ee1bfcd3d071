# modelscan-c exit codes and reports on crafted pickles (written as raw opcodes, never loaded).
python3 "$MLS_SOURCE_DIR/tests/fixtures/pickle/gen_malicious.py" mal >/dev/null
python3 - <<'PY'
import pickle
pickle.dump({"a": [1, 2, 3], "b": (1.5, None)}, open("clean.pkl", "wb"), protocol=4)
PY
expect_exit 0 modelscan-c -p clean.pkl
expect_grep out 'clean'
expect_exit 1 modelscan-c -p mal/p4_stack_global.pkl
expect_grep out 'MS-PICKLE-001'
expect_grep out 'os\.system'
# ModelScan's flags: -r json -o FILE
expect_exit 1 modelscan-c -p mal/p0_global_string.pkl -r json -o r.json
expect_json r.json 'd["schema"] == "mlsecops-report/1" and d["verdict"] == "findings" and d["findings"][0]["evidence"] == "os.system"'
expect_json r.json 'd["files"][0]["format"] == "pickle" and len(d["files"][0]["sha256"]) == 64'
expect_json r.json 'd["findings"][0]["location"] == "offset 0" and d["findings"][0]["severity"] == "critical"'
# member + offset in a torch zip
expect_exit 1 modelscan-c --format json -o z.json mal/torch_zip_evil.pt
expect_json z.json 'any(f["location"].startswith("archive/data.pkl, offset ") for f in d["findings"])'
# broken benign stream: incomplete, exit 2, never clean
expect_exit 2 modelscan-c -p mal/broken_benign.pkl --format json -o b.json
expect_json b.json 'd["status"] == "incomplete" and d["verdict"] == "unknown" and "without STOP" in d["files"][0]["reason"]'
# dangerous import before the break: exit 1
expect_exit 1 modelscan-c -p mal/broken_after_import.pkl
# trailing bytes are medium: --fail-on high lets them pass
expect_exit 1 modelscan-c -p mal/trailing_garbage.pkl
expect_exit 0 modelscan-c -p mal/trailing_garbage.pkl --fail-on high
# extra reports in the same run
expect_exit 1 modelscan-c mal/inst.pkl --json x.json --sarif x.sarif --junit x.xml -o main.txt
expect_file x.json
expect_file x.sarif
expect_file x.xml
expect_grep main.txt 'MS-PICKLE-001'
expect_json x.sarif 'd["runs"][0]["results"][0]["ruleId"] == "MS-PICKLE-001"'
expect_grep x.xml '<testsuite'
expect_exit 1 modelscan-c -p mal/inst.pkl -r console
expect_grep out 'CRITICAL +MS-PICKLE-001'
# several paths at once; the worst outcome wins
expect_exit 1 modelscan-c clean.pkl mal/broken_benign.pkl mal/inst.pkl
expect_exit 2 modelscan-c clean.pkl mal/broken_benign.pkl
