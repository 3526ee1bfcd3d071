# --move quarantines infected files with a JSON record each; names never collide.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
mkdir -p m/a m/b
make_eicar m/a/model.bin
make_eicar m/b/model.bin
echo clean > m/clean.txt
sum=$(sha256sum m/a/model.bin | cut -d' ' -f1)
expect_exit 1 "${AV[@]}" -r --move=q --json r.json m
expect_no_file m/a/model.bin
expect_no_file m/b/model.bin
expect_file m/clean.txt
# Workers run in parallel: which of the two gets the first name is not fixed.
expect_grep out "^m/a/model\\.bin: moved to 'q/${sum:0:16}-model\\.bin(-1)?\\.data'\$"
expect_grep out "^m/b/model\\.bin: moved to 'q/${sum:0:16}-model\\.bin(-1)?\\.data'\$"
expect_file "q/${sum:0:16}-model.bin.data"
expect_file "q/${sum:0:16}-model.bin-1.data"
for rec in "q/${sum:0:16}-model.bin.json" "q/${sum:0:16}-model.bin-1.json"; do
  expect_json "$rec" "d['schema'] == 'mlsecops-quarantine/1' and d['original_path'] in ('m/a/model.bin', 'm/b/model.bin') and d['sha256'] == '$sum' and d['detections'][0]['signature'] == 'MLSecOpsTest.EICAR.UNOFFICIAL' and d['time'].endswith('Z') and d['original_abspath'].endswith(d['original_path']) and d['quarantined_as'] == '$rec'[:-5] + '.data' and d['size'] == 68"
done
expect_json "q/${sum:0:16}-model.bin.json" "d['original_path'] != json.load(open('q/${sum:0:16}-model.bin-1.json'))['original_path']"
expect_json r.json 'all(f["details"]["action"].startswith("moved to") for f in d["findings"])'
test "$(sha256sum "q/${sum:0:16}-model.bin.data" | cut -d' ' -f1)" = "$sum" || _fail "quarantined content differs"
test "$(stat -c %a q)" = 700 || _fail "quarantine directory is not 0700"
# A second run with the same name and content gets a third name.
make_eicar m/a/model.bin
expect_exit 1 "${AV[@]}" --move q m/a/model.bin
expect_file "q/${sum:0:16}-model.bin-2.data"
expect_file "q/${sum:0:16}-model.bin-2.json"
# Hostile names are made safe in the quarantine; the record keeps the original.
make_eicar "m/../m/we ird\$(x).bin"
expect_exit 1 "${AV[@]}" --move q "m/we ird\$(x).bin"
expect_file "q/${sum:0:16}-we_ird__x_.bin.data"
# An archive member found infected moves the whole archive, with the member recorded.
"$PY" "$GEN" s >/dev/null
expect_exit 1 "${AV[@]}" --move q s/eicar/eicar.zip
expect_json "$(ls q/*-eicar.zip.json)" 'd["detections"][0]["member"] == "weights/eicar.bin"'
# A clean run moves nothing.
expect_exit 0 "${AV[@]}" --move q2 m/clean.txt
expect_no_file q2
# A quarantine inside the scanned tree is not rescanned (nor re-quarantined).
mkdir -p tree
make_eicar tree/x.bin
expect_exit 1 "${AV[@]}" -r --move tree/q tree
expect_exit 0 "${AV[@]}" -r --move tree/q tree
expect_grep out '^tree/q/.*\.data: skipped: in the quarantine directory \(--move\)$'
expect_exit 1 "${AV[@]}" -r tree
# A quarantine on another file system: the file is copied (O_EXCL, fsync), then removed.
if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d .)" ]; then
  xq=$(mktemp -d /dev/shm/avscan-q.XXXXXX)
  make_eicar cross.bin
  expect_exit 1 "${AV[@]}" --move "$xq/q" cross.bin
  expect_no_file cross.bin
  expect_file "$xq/q/${sum:0:16}-cross.bin.data"
  expect_json "$xq/q/${sum:0:16}-cross.bin.json" "d['original_path'] == 'cross.bin' and d['sha256'] == '$sum'"
  test "$(sha256sum "$xq/q/${sum:0:16}-cross.bin.data" | cut -d' ' -f1)" = "$sum" || _fail "copied content differs"
  rm -rf "$xq"
fi
