# hashsbom hash prints exactly what sha256sum prints (GNU escaping included),
# sha256sum --check accepts it, and the manifest digest follows docs/hashsbom.md.
mkdir -p d/sub
printf 'hello\n' > d/a.txt
printf 'x' > 'd/name with space.bin'
printf 'n' > "d/new"$'\n'"line"
printf 'b' > 'd/back\slash'
head -c 300000 /dev/urandom > d/sub/big.bin
: > d/empty

expect_exit 0 hashsbom hash d/a.txt 'd/name with space.bin' "d/new"$'\n'"line" 'd/back\slash' d/empty
sha256sum d/a.txt 'd/name with space.bin' "d/new"$'\n'"line" 'd/back\slash' d/empty > want
CLI_CHECKS=$((CLI_CHECKS + 1)); cmp -s out want || { _fail "output differs from sha256sum"; diff out want >&2; }

expect_exit 0 hashsbom hash -o sums d
expect_exit 0 sha256sum --check --strict sums
expect_grep out 'd/name with space.bin: OK'
expect_lines sums 6

# directory walk order and the manifest digest: sha256 over the sorted "<hex>  <rel>" lines
(cd d && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum) > lines
want_manifest=$(sha256sum < lines | cut -d' ' -f1)
expect_exit 0 hashsbom hash --json d
expect_json out "d['manifests'][0]['sha256'] == '$want_manifest' and d['manifests'][0]['files'] == 6"
expect_json out "len(d['files']) == 6 and all(len(f['sha256']) == 64 for f in d['files'])"
expect_exit 0 hashsbom hash d
expect_grep err "manifest sha256 $want_manifest for 'd' \(6 files\)"

# sha512, and --jobs gives the same bytes
expect_exit 0 hashsbom hash --algo sha512 d/a.txt d/sub/big.bin
sha512sum d/a.txt d/sub/big.bin > want512
CLI_CHECKS=$((CLI_CHECKS + 1)); cmp -s out want512 || _fail "sha512 output differs from sha512sum"
expect_exit 0 hashsbom hash --jobs 1 d
cp out j1
expect_exit 0 hashsbom hash --jobs 4 d
CLI_CHECKS=$((CLI_CHECKS + 1)); cmp -s out j1 || _fail "--jobs changes the output"
