# Every format fixture (real framework files, crafted attacks, corrupt files)
# gets the documented exit code and rule ids: benign 0, malicious 1 with the
# right rule, corrupt 2 with a reason.  Fixtures are generated here, never
# loaded.  See tests/fixtures/formats/make_fixtures.py.
FX="$MLS_SOURCE_DIR/tests/fixtures/formats"
run "$MLS_PYTHON" "$FX/make_fixtures.py" "$SCRATCH/fx"
expect_grep out 'fixtures in'
run "$MLS_PYTHON" "$FX/check_manifest.py" "$MLS_BIN/modelscan-c" "$SCRATCH/fx"
CLI_CHECKS=$((CLI_CHECKS + 1))
if [ "$RC" != 0 ]; then _fail "fixtures not as expected"; grep -v '^ok' "$SCRATCH/out" >&2; fi
expect_grep out '^ok   benign/hf_model: exit 0'
expect_grep out '^ok   malicious/keras_module_os.keras: exit 1 .*MS-KERAS-003'
expect_grep out 'of [0-9]+ fixtures as expected'
# one clear line on stderr for a corrupt file
expect_exit 2 modelscan-c -p "$SCRATCH/fx/corrupt/gguf_truncated.gguf" --no-progress
expect_lines err 1
expect_grep err "^modelscan-c: cannot scan '.*gguf_truncated.gguf': (truncated at offset [0-9]+|header claims [0-9]+ tensors and [0-9]+ keys: more than the file holds)$"
expect_exit 2 modelscan-c -p "$SCRATCH/fx/corrupt/st_overlap.safetensors" --no-progress
expect_grep err "tensor 'b' overlaps"
