# Hostile card / eval / requirements inputs make sbom fail closed (exit 2) with a message.
F=$MLS_SOURCE_DIR/tests/fixtures/sbom
printf 'weights' > model.bin

head -c 2000000 /dev/zero | tr '\0' 'a' > huge.md
expect_exit 2 hashsbom sbom model.bin --model-card huge.md --max-input-size 1M
expect_grep err 'limit'

python3 -c "print('{\"a\":' * 500 + '1' + '}' * 500)" > deep.json
expect_exit 2 hashsbom sbom model.bin --eval deep.json
expect_grep err 'evaluation file.*depth'
expect_exit 2 hashsbom sbom model.bin --model-card deep.json
expect_grep err "model card 'deep.json'.*depth"

printf '{"name": "bad \xff\xfe utf8"}' > badutf8.json
expect_exit 2 hashsbom sbom model.bin --model-card badutf8.json
expect_grep err 'model card'
printf -- '---\nname: "bad \xff"\n---\n' > badutf8.md
expect_exit 2 hashsbom sbom model.bin --model-card badutf8.md
expect_grep err 'UTF-8'
head -c 4096 /dev/urandom > garbage.bin
expect_exit 2 hashsbom sbom model.bin --model-card garbage.bin

echo 'not json at all' > eval.txt
expect_exit 2 hashsbom sbom model.bin --eval eval.txt
expect_grep err 'invalid JSON'
echo '"a string"' > scalar.json
expect_exit 2 hashsbom sbom model.bin --eval scalar.json

python3 -c "
print('---')
for i in range(200): print('  ' * i + 'k%d:' % i)
print('---')" > deepyaml.md
expect_exit 2 hashsbom sbom model.bin --model-card deepyaml.md
expect_grep err 'too deep'
printf -- '---\na: &anchor 1\n---\n' > anchor.md
expect_exit 2 hashsbom sbom model.bin --model-card anchor.md
expect_grep err 'not supported'

expect_exit 2 hashsbom sbom model.bin --requirements "$F/requirements/loop_a.txt"
expect_grep err 'include loop'
printf -- '-r self.txt\n' > self.txt
expect_exit 2 hashsbom sbom model.bin --requirements self.txt
expect_grep err 'include loop'
printf 'a==1\nb==2 --hash=sha256:zz\n./local/pkg\n' > odd.txt
expect_exit 0 hashsbom sbom model.bin --requirements odd.txt -o odd.json
expect_grep err "invalid --hash value"
expect_grep err "path or URL without a package name"
expect_json odd.json "sorted(c['name'] for c in d['components']) == ['a', 'b']"

echo '{"tool": {}}' > notreport.json
expect_exit 2 hashsbom sbom model.bin --scan-report notreport.json
expect_grep err 'tool.name'
expect_exit 2 hashsbom sbom model.bin --scan-report missing.json
expect_exit 0 "$MLS_PYTHON" "$F/validate_bom.py" odd.json
