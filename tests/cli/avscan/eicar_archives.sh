# EICAR (test-only signature) is found alone and inside zip, tar, tar.gz, 7z
# and a zip in a zip, with the member path in the report.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
make_samples s
expect_exit 1 "${AV[@]}" -r --json r.json s/eicar
for f in eicar.com eicar.zip eicar.tar eicar.tar.gz eicar.7z nested.zip; do
  expect_grep out "^s/eicar/$f: MLSecOpsTest\.EICAR\.UNOFFICIAL FOUND\$"
done
expect_grep out '^Infected files: 6$'
expect_json r.json '{f["path"]: f.get("location") for f in d["findings"]} == {"s/eicar/eicar.com": None, "s/eicar/eicar.zip": "member weights/eicar.bin", "s/eicar/eicar.tar": "member model/eicar.bin", "s/eicar/eicar.tar.gz": "member model/eicar.bin", "s/eicar/eicar.7z": "member eicar.bin", "s/eicar/nested.zip": "member inner.zip!deep/eicar.txt"}'
expect_json r.json 'all(f["id"] == "AV-SIG-001" and f["details"]["signature"] == "MLSecOpsTest.EICAR.UNOFFICIAL" for f in d["findings"])'
expect_json r.json 'd["engine"]["version"] and d["engine"]["signatures"] >= 37 and d["properties"]["engine"] == "libclamav"'
expect_json r.json 'any(db["name"] == "eicar.ndb" and db["signatures"] == 1 for db in d["engine"]["databases"])'
# --infected prints only the infected files (clamscan's -i).
echo clean > s/eicar/clean.txt
expect_exit 1 "${AV[@]}" -r --infected --no-summary s/eicar
expect_lines out 6
expect_no_grep out 'OK$'
expect_exit 1 "${AV[@]}" -i --no-summary s/eicar/eicar.zip s/eicar/clean.txt
expect_lines out 1
# Without -r a directory's subdirectories are not entered (clamscan's behaviour).
mkdir -p top/sub && cp s/eicar/eicar.com top/sub/
expect_exit 0 "${AV[@]}" top
expect_grep out '^top/sub: skipped: directory not scanned \(use -r/--recursive\)$'
expect_exit 1 "${AV[@]}" --recursive top
