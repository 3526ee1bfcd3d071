# -o writes atomically to a regular file, and through a symlink or into a FIFO
# without replacing them (a rename would turn /dev/stdout into a plain file).
printf 'x' > f.bin
echo old > target
ln -s target link
expect_exit 0 hashsbom hash f.bin -o link
CLI_CHECKS=$((CLI_CHECKS + 1)); [ -L link ] || _fail "the symlink was replaced"
expect_grep target '^2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  f.bin$'
mkfifo fifo
cat fifo > from-fifo &
reader=$!
expect_exit 0 hashsbom sbom f.bin -o fifo
wait "$reader"
CLI_CHECKS=$((CLI_CHECKS + 1)); [ -p fifo ] || _fail "the FIFO was replaced"
expect_json from-fifo "d['bomFormat'] == 'CycloneDX'"
expect_exit 0 hashsbom hash f.bin -o plain.txt
expect_lines plain.txt 1
mkdir outdir
expect_exit 2 hashsbom hash f.bin -o outdir
