# Every long option a tool's --help prints is mentioned in the README or the tool's docs page.
for t in avscan modelscan-c hashsbom mlflow-register; do
  [ -x "$MLS_BIN/$t" ] || continue
  expect_exit 0 "$t" --help
  for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' "$SCRATCH/out" | sort -u); do
    CLI_CHECKS=$((CLI_CHECKS + 1))
    grep -q -- "$opt" "$MLS_SOURCE_DIR/README.md" "$MLS_SOURCE_DIR/docs/$t.md" 2>/dev/null \
      || _fail "$t: option $opt from --help is not documented in README.md or docs/$t.md"
  done
  expect_exit 0 "$t" --version
  expect_grep out "^$t \(mlsecops\) [0-9]+\.[0-9]+\.[0-9]+"
  expect_exit 4 "$t" --no-such-option
  expect_grep err "^$t: unknown option"
done
