# No usable signatures: exit 2 with a message saying how to get some.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
echo hello > clean.txt
mkdir empty
expect_exit 2 avscan -d empty --no-signatures clean.txt
expect_grep err "no signatures in 'empty'"
expect_grep err "freshclam"
expect_grep err -- "-d/--database"
expect_no_grep out 'OK'
expect_exit 2 avscan -d does-not-exist clean.txt
expect_grep err "cannot open database 'does-not-exist'"
expect_exit 2 avscan --no-system-db --no-signatures clean.txt
expect_grep err 'no usable signatures'
# An explicit --signatures that does not exist is an error, not a silent skip.
expect_exit 2 avscan --no-system-db --signatures nowhere clean.txt
expect_grep err "nowhere"
# The JSON report still says what happened (status error, verdict unknown).
expect_exit 2 avscan -d empty --no-signatures --json r.json clean.txt
expect_json r.json 'd["status"] == "error" and d["verdict"] == "unknown" and "freshclam" in d["errors"][0]["message"]'
# The default system directory: only checkable when it holds no database here.
if ! ls /var/lib/clamav/*.cvd /var/lib/clamav/*.cld >/dev/null 2>&1; then
  expect_exit 2 avscan --signatures "$SIGS" clean.txt
  expect_grep err "no ClamAV databases in '/var/lib/clamav'"
  expect_grep err "freshclam"
fi
