# A Hugging Face style folder is reported file by file with one overall
# verdict: every file recognised (safetensors shards, JSON, tokenizer,
# template, README), and in the hostile copy each problem on its own file.
FX="$MLS_SOURCE_DIR/tests/fixtures/formats"
"$MLS_PYTHON" "$FX/make_fixtures.py" "$SCRATCH/fx" >/dev/null 2>&1
expect_exit 0 modelscan-c -p "$SCRATCH/fx/benign/hf_model" --format json -o report.json --no-progress
expect_json report.json 'd["verdict"] == "clean" and d["status"] == "complete"'
expect_json report.json 'len(d["files"]) == 11 and all(f["status"] == "scanned" for f in d["files"])'
expect_json report.json '{f["path"].split("/")[-1]: f["format"] for f in d["files"]}["model-00001-of-00002.safetensors"] == "safetensors"'
expect_json report.json '{f["path"].split("/")[-1]: f["format"] for f in d["files"]}["tokenizer_config.json"] == "json"'
expect_json report.json '{f["path"].split("/")[-1]: f["format"] for f in d["files"]}["README.md"] == "text"'
expect_exit 1 modelscan-c -p "$SCRATCH/fx/malicious/hf_model" --format json -o bad.json --no-progress
expect_json bad.json 'd["verdict"] == "findings"'
expect_json bad.json 'any(f["id"] == "MS-HF-001" and f["path"].endswith("config.json") for f in d["findings"])'
expect_json bad.json 'any(f["id"] == "MS-TMPL-001" and "rag" in f["location"] for f in d["findings"])'
# SARIF carries the format findings too
expect_exit 1 modelscan-c -p "$SCRATCH/fx/malicious/hf_model" --format sarif -o bad.sarif --no-progress
expect_json bad.sarif 'any(r["ruleId"] == "MS-TMPL-001" for r in d["runs"][0]["results"])'
