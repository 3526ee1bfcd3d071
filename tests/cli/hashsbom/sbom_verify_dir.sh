# A directory model: sbom, verify clean, then each kind of tampering caught precisely.
F=$MLS_SOURCE_DIR/tests/fixtures/sbom
"$MLS_PYTHON" "$F/make_models.py" fx || python3 "$F/make_models.py" fx
fresh() { rm -rf m && cp -r fx/hf m && hashsbom sbom m -o m/sbom.json 2>/dev/null; }

fresh
expect_file m/sbom.json
expect_json m/sbom.json "d['metadata']['component']['type'] == 'machine-learning-model'"
expect_json m/sbom.json "sorted(c['name'] for c in d['components'] if c['type'] == 'file') == ['config.json', 'model.safetensors', 'name with space.txt', 'tokenizer.json']"
expect_json m/sbom.json "{p['name']: p['value'] for p in d['metadata']['component']['properties']}['mlsecops:model:path'] == '.'"
expect_exit 0 hashsbom verify m/sbom.json
expect_grep out 'Result: clean'
expect_exit 0 hashsbom verify --format json m/sbom.json
expect_json out "d['verdict'] == 'clean' and d['summary']['files']['scanned'] == 4"

# one byte changed
printf 'X' | dd of=m/model.safetensors bs=1 seek=20 conv=notrunc 2>/dev/null
expect_exit 1 hashsbom verify m/sbom.json --json r.json --sarif r.sarif --junit r.xml
expect_grep out "HS-VERIFY-001 .*'model.safetensors': SHA-256 mismatch: the BOM records [0-9a-f]{64}, the file has [0-9a-f]{64}"
expect_grep out 'HS-VERIFY-010'
expect_json r.json "sorted(f['id'] for f in d['findings']) == ['HS-VERIFY-001', 'HS-VERIFY-010']"
expect_json r.sarif "d['version'] == '2.1.0'"
expect_grep r.xml '<testsuite'

# a file added
fresh; echo extra > m/extra.txt
expect_exit 1 hashsbom verify m/sbom.json
expect_grep out "HS-VERIFY-003 .*'extra.txt' is in the model directory but not listed in the BOM"

# a file removed
fresh; rm m/tokenizer.json
expect_exit 1 hashsbom verify m/sbom.json
expect_grep out "HS-VERIFY-002 .*'tokenizer.json' is listed in the BOM but missing"

# a file renamed
fresh; mv m/config.json m/config2.json
expect_exit 1 hashsbom verify m/sbom.json
expect_grep out "HS-VERIFY-004 .*'config.json' was renamed to 'config2.json'"
expect_no_grep out 'HS-VERIFY-00[23]'

# the SBOM beside the directory, and MODEL given explicitly elsewhere
rm -rf m && cp -r fx/hf m && hashsbom sbom m -o side.json 2>/dev/null
expect_json side.json "{p['name']: p['value'] for p in d['metadata']['component']['properties']}['mlsecops:model:path'] == 'm'"
expect_exit 0 hashsbom verify side.json
mv m moved
expect_exit 1 hashsbom verify side.json
expect_grep out 'HS-VERIFY-002'
expect_exit 0 hashsbom verify side.json moved
expect_exit 0 "$MLS_PYTHON" "$F/validate_bom.py" side.json
