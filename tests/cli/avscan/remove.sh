# --remove deletes infected files (the seed job's clamscan --remove) and nothing else.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
make_samples s
expect_exit 1 "${AV[@]}" -r --remove --json r.json s/eicar s/clean
for f in eicar.com eicar.zip eicar.tar eicar.tar.gz eicar.7z nested.zip; do
  expect_no_file "s/eicar/$f"
  expect_grep out "^s/eicar/$f: Removed\\.\$"
done
expect_file s/clean/model.pt
expect_file s/clean/state_dict.pkl
expect_json r.json 'all(f["details"]["action"] == "removed" for f in d["findings"])'
expect_exit 0 "${AV[@]}" -r --remove s/clean s/eicar
expect_grep out '^Infected files: 0$'
expect_exit 1 "${AV[@]}" --remove=yes s/pickles/OsSystem.p0.pkl
expect_no_file s/pickles/OsSystem.p0.pkl
expect_exit 1 "${AV[@]}" --remove=no s/pickles/OsSystem.p2.pkl
expect_file s/pickles/OsSystem.p2.pkl
