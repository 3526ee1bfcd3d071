# verify refuses unsafe paths and reports structural problems; invalid SBOMs exit 2.
mkdir m && echo a > m/a.txt
a=$(sha256sum m/a.txt | cut -d' ' -f1)
bom() { # $1 = components JSON, $2 = dependencies JSON, $3 = specVersion, $4 = model path
cat > "$5" <<JSON
{"bomFormat": "CycloneDX", "specVersion": "$3", "version": 1,
 "metadata": {"component": {"type": "machine-learning-model", "name": "m", "bom-ref": "model",
   "properties": [{"name": "mlsecops:model:kind", "value": "directory"}, {"name": "mlsecops:model:path", "value": "$4"}]}},
 "components": $1, "dependencies": $2}
JSON
}
bom "[{\"type\": \"file\", \"bom-ref\": \"f1\", \"name\": \"../../etc/passwd\", \"hashes\": [{\"alg\": \"SHA-256\", \"content\": \"$a\"}]},
      {\"type\": \"file\", \"bom-ref\": \"f2\", \"name\": \"/etc/passwd\", \"hashes\": [{\"alg\": \"SHA-256\", \"content\": \"$a\"}]},
      {\"type\": \"file\", \"bom-ref\": \"f2\", \"name\": \"a.txt\", \"hashes\": [{\"alg\": \"SHA-256\", \"content\": \"$a\"}]}]" \
    '[{"ref": "model", "dependsOn": ["f1", "nope"]}, {"ref": "ghost"}]' 1.6 m hostile.json
expect_exit 1 hashsbom verify hostile.json --format json
expect_json out "sorted(set(f['id'] for f in d['findings'])) == ['HS-VERIFY-005', 'HS-VERIFY-007', 'HS-VERIFY-008', 'HS-VERIFY-009']"
expect_json out "any(f['id'] == 'HS-VERIFY-005' and '../../etc/passwd' in f['message'] for f in d['findings'])"
expect_json out "any(f['id'] == 'HS-VERIFY-005' and \"'/etc/passwd'\" in f['message'] for f in d['findings'])"
expect_json out "any(f['id'] == 'HS-VERIFY-008' and 'nope' in f['message'] for f in d['findings'])"
expect_json out "any(f['id'] == 'HS-VERIFY-008' and 'ghost' in f['message'] for f in d['findings'])"
expect_json out "[f['path'] for f in d['files']] == ['a.txt']"

# a model path that escapes the SBOM's directory
bom '[]' '[]' 1.6 ../m escape.json
expect_exit 1 hashsbom verify escape.json
expect_grep out "HS-VERIFY-005 .*model path '../m'"

# unsupported spec version
bom "[{\"type\": \"file\", \"bom-ref\": \"f\", \"name\": \"a.txt\", \"hashes\": [{\"alg\": \"SHA-256\", \"content\": \"$a\"}]}]" '[]' 1.4 m old.json
expect_exit 1 hashsbom verify old.json
expect_grep out 'HS-VERIFY-006'

# invalid SBOMs: exit 2
printf '{"bomFormat": "CycloneDX", ' > trunc.json
expect_exit 2 hashsbom verify trunc.json
expect_grep err 'invalid JSON'
echo '{"hello": 1}' > other.json
expect_exit 2 hashsbom verify other.json --format json
expect_json out "d['status'] == 'error' and d['verdict'] == 'unknown'"
expect_exit 2 hashsbom verify missing.json
python3 -c "print('[' * 100000)" > deep.json
expect_exit 2 hashsbom verify deep.json
expect_grep err 'depth'
expect_exit 4 hashsbom verify
expect_exit 4 hashsbom verify a b c
