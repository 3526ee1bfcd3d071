# Multi-gigabyte safetensors and GGUF files are scanned in time that depends
# on the header, not the size (sparse files: header, then truncate).
FX="$MLS_SOURCE_DIR/tests/fixtures/formats"
run "$MLS_PYTHON" "$FX/make_fixtures.py" "$SCRATCH/big" --only-bench 8589934592
expect_grep out 'big-8589934592.safetensors'
for f in "$SCRATCH"/big/big-8589934592.safetensors "$SCRATCH"/big/big-8589934592.gguf; do
  start=$(date +%s%N)
  expect_exit 0 modelscan-c -p "$f" --no-hash --format json -o r.json --no-progress
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  CLI_CHECKS=$((CLI_CHECKS + 1))
  [ "$ms" -lt 2000 ] || _fail "$f took $ms ms (header-only scan should be instant)"
  expect_json r.json 'd["files"][0]["size"] > 8500000000 and d["verdict"] == "clean"'
done
