# Containers recognised by content: torch zip tricks, legacy torch, .npy/.npz, joblib compressed.
python3 "$MLS_SOURCE_DIR/tests/fixtures/pickle/gen_malicious.py" mal >/dev/null
expect_exit 1 modelscan-c -p mal/torch_zip_duplicate.pt -r json -o dup.json
expect_json dup.json 'any(f["id"] == "MS-TORCH-001" for f in d["findings"]) and any(f["evidence"] == "os.system" for f in d["findings"])'
expect_exit 1 modelscan-c -p mal/torch_zip_local_mismatch.pt
expect_grep out 'os\.system'
expect_exit 1 modelscan-c -p mal/torch_zip_hidden_local.pt -r json -o mm.json
expect_json mm.json 'any(f["id"] == "MS-TORCH-002" for f in d["findings"]) and any(f["evidence"] == "os.system" and "h/hidden.pkl" in f["location"] for f in d["findings"])'
expect_exit 1 modelscan-c -p mal/torch_zip_bad_crc.pt -r json -o crc.json
expect_json crc.json 'any(f["id"] == "MS-TORCH-004" for f in d["findings"]) and any(f["evidence"] == "os.system" for f in d["findings"])'
expect_exit 1 modelscan-c -p mal/torch_zip_weird_top.bin -r json -o top.json
expect_json top.json 'd["files"][0]["format"] == "pytorch-zip"'
expect_exit 1 modelscan-c -p mal/torch_legacy_evil.pt -r json -o leg.json
expect_json leg.json 'd["files"][0]["format"] == "pytorch-legacy" and "stream 4" in d["findings"][0]["location"]'
expect_exit 1 modelscan-c -p mal/object_array.npy
expect_exit 1 modelscan-c -p mal/object_member.npz -r json -o npz.json
expect_json npz.json 'any(f["location"].startswith("b.npy") and f["evidence"] == "os.system" for f in d["findings"])'
for c in zlib gzip.joblib.gz bz2.joblib.bz2 xz.joblib.xz lzma.joblib.lzma; do
  f=$(ls mal/joblib_evil_${c%%.*}* | head -1)
  expect_exit 1 modelscan-c -p "$f"
  expect_grep out 'os\.system'
done
