# Directories: every file recognised by content, parallel scanning, symlinks out of the root.
python3 "$MLS_SOURCE_DIR/tests/fixtures/pickle/gen_malicious.py" mal >/dev/null
mkdir -p models/sub outside
python3 - <<'PY'
import pickle
for i in range(20):
    pickle.dump({"i": i}, open("models/sub/clean_%02d.weights" % i, "wb"), protocol=2)
open("models/README.md", "w").write("# model\n")
PY
expect_exit 0 modelscan-c -p models --jobs 4
expect_exit 0 modelscan-c models -r json -o all.json --jobs 1
expect_json all.json 'len([f for f in d["files"] if f["format"] == "pickle" and f["status"] == "scanned"]) == 20'
cp mal/evil_noext models/sub/zz_payload
expect_exit 1 modelscan-c -p models --jobs 3 -r json -o found.json
expect_json found.json '[f["path"] for f in d["findings"]] == ["models/sub/zz_payload"]'
rm models/sub/zz_payload
cp mal/p4_stack_global.pkl outside/evil.pkl
ln -s ../../outside/evil.pkl models/sub/link.pkl
expect_exit 2 modelscan-c -p models -r json -o link.json
expect_json link.json 'any(f["status"] == "incomplete" and f["path"].endswith("link.pkl") for f in d["files"])'
