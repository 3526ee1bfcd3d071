# modelscan-c command line: help, version, usage errors, missing paths, nothing supported.
expect_exit 0 modelscan-c --help
expect_grep out '--reporting-format'
expect_grep out '--strict'
expect_grep out '--policy'
expect_grep out '--max-opcodes'
expect_exit 0 modelscan-c --version
expect_grep out 'modelscan-c'
expect_exit 4 modelscan-c
expect_grep err 'no path'
expect_exit 4 modelscan-c --no-such-flag x
expect_exit 4 modelscan-c -r xml x
expect_exit 4 modelscan-c --jobs 0 x
expect_exit 4 modelscan-c --max-opcodes lots x
expect_exit 2 modelscan-c -p does-not-exist.pkl
expect_grep err "cannot open 'does-not-exist.pkl'"
mkdir empty
expect_exit 3 modelscan-c -p empty
printf 'just some notes\n' > notes.txt
expect_exit 3 modelscan-c -p notes.txt
head -c 3000 /dev/zero | tr '\0' '\252' > blob.bin
expect_exit 3 modelscan-c -p blob.bin
expect_exit 3 modelscan-c -p blob.bin --show-skipped -r json -o skipped.json
expect_json skipped.json 'd["files"][0]["status"] == "skipped" and d["files"][0]["path"] == "blob.bin"'
expect_exit 3 modelscan-c -p blob.bin -r json -o hidden.json
expect_json hidden.json 'd["files"] == [] and d["properties"]["skipped_unsupported_files"] == "1"'
