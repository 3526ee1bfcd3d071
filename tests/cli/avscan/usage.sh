# Usage errors exit 4; --help and --version exit 0.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
expect_exit 0 avscan --help
expect_grep out '^Usage: avscan \[OPTIONS\] PATH\.\.\.'
expect_grep out -- '--max-filesize'
expect_grep out -- '--move=DIR'
expect_exit 0 avscan --version
expect_grep out 'avscan'
expect_exit 4 avscan
expect_grep err 'no PATH'
expect_exit 4 avscan --no-such-flag x
expect_exit 4 avscan --jobs 0 x
expect_exit 4 avscan --max-filesize lots x
expect_exit 4 avscan --format yaml x
expect_exit 4 avscan --recursive=maybe x
expect_exit 4 "${AV[@]}" --remove --move q x
expect_grep err 'cannot be used together'
