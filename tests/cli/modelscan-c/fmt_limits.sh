# Limits make a file incomplete (exit 2), never clean: decompression ratio
# and size, nesting depth, archive members; a bomb is also a finding.
FX="$MLS_SOURCE_DIR/tests/fixtures/formats"
"$MLS_PYTHON" "$FX/make_fixtures.py" "$SCRATCH/fx" >/dev/null 2>&1
M="$SCRATCH/fx/malicious"
B="$SCRATCH/fx/benign"
expect_exit 1 modelscan-c -p "$M/zip_bomb.zip" --format json -o bomb.json --no-progress
expect_json bomb.json 'd["status"] == "incomplete" and any(f["id"] == "MS-ARCH-003" for f in d["findings"])'
expect_exit 1 modelscan-c -p "$M/zip_bomb.zip" --max-ratio 0 --max-decompressed 10M --format json -o size.json --no-progress
expect_json size.json 'any(f["id"] == "MS-ARCH-003" for f in d["findings"])'
# the nested pickle sits three archives deep: depth 1 stops before it
expect_exit 2 modelscan-c -p "$M/zip_nested_pickle.zip" --max-depth 1 --format json -o depth.json --no-progress
expect_json depth.json 'd["status"] == "incomplete" and "depth" in d["files"][0]["reason"]'
expect_exit 2 modelscan-c -p "$B/bundle.zip" --max-members 1 --format json -o members.json --no-progress
expect_json members.json 'd["status"] == "incomplete"'
# a JSON limit below the safetensors header size
expect_exit 2 modelscan-c -p "$B/model.safetensors" --max-json 16 --no-progress
# encrypted member: cannot be vouched for
expect_exit 1 modelscan-c -p "$M/zip_encrypted.zip" --format json -o enc.json --no-progress
expect_json enc.json 'd["status"] == "incomplete" and any(f["id"] == "MS-ARCH-004" for f in d["findings"])'
