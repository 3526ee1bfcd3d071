# The shipped signatures detect their generated samples; clean samples stay clean.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
make_samples s
expect_exit 1 "${AV[@]}" -r --json r.json s/pickles
expect_json r.json '''all(any(f["path"].endswith("/" + k.split("/", 1)[1]) and f["evidence"].startswith(v + ".UNOFFICIAL") for f in d["findings"]) for k, v in json.load(open("s/expected.json")).items() if k.startswith("pickles/"))'''
expect_json r.json 'all(f["id"] == "AV-MLS-001" and f["severity"] == "critical" for f in d["findings"])'
expect_json r.json 'd["status"] == "complete" and d["verdict"] == "findings"'
expect_grep out '^s/pickles/OsSystem\.p0\.pkl: MLSecOps\.Pickle\.OsSystem\.Global\.UNOFFICIAL FOUND$'
expect_grep out '^s/pickles/torch-posix-system\.pt: MLSecOps\.Pickle\.PosixSystem\.Global\.UNOFFICIAL FOUND$'
expect_json r.json 'any(f["path"] == "s/pickles/torch-posix-system.pt" and f["location"] == "member archive/data.pkl" for f in d["findings"])'
expect_json r.json 'any(f["path"] == "s/pickles/lambda.keras" and f["location"] == "member config.json" for f in d["findings"])'
# Clean samples: a state_dict pickle, a PyTorch zip, a Keras config, random and zero data.
expect_exit 0 "${AV[@]}" -r --json c.json s/clean
expect_json c.json 'd["verdict"] == "clean" and d["status"] == "complete" and not d["findings"] and d["summary"]["files"]["scanned"] == 6'
expect_grep out '^s/clean/model\.pt: OK$'
expect_grep out '^Infected files: 0$'
# Each signature file loads in ClamAV's own scanner too.
expect_exit 0 clamscan --no-summary -d "$SIGS" s/clean/state_dict.pkl
expect_exit 1 clamscan --no-summary -d "$SIGS" s/pickles/PosixSystem.p2.pkl
