# Exit codes of hashsbom hash and the top level: 2 unreadable, 4 usage.
printf 'x' > ok.txt
expect_exit 2 hashsbom hash ok.txt missing.txt
expect_grep out '^2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  ok.txt$'
expect_grep err "hashsbom: cannot open 'missing.txt'"
expect_exit 4 hashsbom hash --algo md5 ok.txt
expect_grep err 'unknown hash algorithm'
expect_exit 4 hashsbom hash
expect_exit 4 hashsbom
expect_exit 4 hashsbom frobnicate
expect_exit 4 hashsbom hash --jobs 0 ok.txt
expect_exit 0 hashsbom --help
expect_grep out 'verify SBOM'
expect_exit 0 hashsbom hash --help
expect_grep out -- '--algo=ALGO'
expect_exit 0 hashsbom --version
expect_grep out 'hashsbom \(mlsecops\)'
