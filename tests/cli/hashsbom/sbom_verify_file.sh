# A single-file model (GGUF): metadata from the header, verify against the file.
F=$MLS_SOURCE_DIR/tests/fixtures/sbom
python3 "$F/make_models.py" fx
expect_exit 0 hashsbom sbom fx/tiny.gguf --name tiny --version 3 -o tiny.json
sum=$(sha256sum fx/tiny.gguf | cut -d' ' -f1)
expect_json tiny.json "d['metadata']['component']['hashes'] == [{'alg': 'SHA-256', 'content': '$sum'}]"
expect_json tiny.json "d['metadata']['component']['name'] == 'tiny' and d['metadata']['component']['version'] == '3'"
expect_json tiny.json "d['metadata']['component']['modelCard']['modelParameters']['architectureFamily'] == 'llama'"
expect_json tiny.json "{p['name']: p['value'] for p in d['metadata']['component']['modelCard']['properties']}['cdx:ai-ml:model:hyperparameter:quantization'] == 'Q4_K_M'"
expect_json tiny.json "{p['name']: p['value'] for p in d['metadata']['component']['modelCard']['properties']}['cdx:ai-ml:model:hyperparameter:context_length'] == '2048'"
expect_json tiny.json "'components' in d and not [c for c in d['components'] if c['type'] == 'file']"
expect_exit 0 hashsbom verify tiny.json fx/tiny.gguf
expect_exit 0 hashsbom verify tiny.json fx
printf 'Z' >> fx/tiny.gguf
expect_exit 1 hashsbom verify tiny.json fx/tiny.gguf
expect_grep out "HS-VERIFY-001 .*SHA-256 mismatch"
# stdout output, then verify with MODEL
expect_exit 0 hashsbom sbom fx/plain.bin --spec-version 1.7
cp out plain.json
expect_json plain.json "d['specVersion'] == '1.7' and d['serialNumber'].startswith('urn:uuid:')"
expect_exit 0 hashsbom verify plain.json fx/plain.bin
expect_exit 4 hashsbom sbom fx/plain.bin --spec-version 1.5
expect_exit 4 hashsbom sbom
expect_exit 2 hashsbom sbom does-not-exist
expect_exit 0 "$MLS_PYTHON" "$F/validate_bom.py" tiny.json plain.json
