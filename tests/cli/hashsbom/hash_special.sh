# A path that cannot be hashed (a FIFO, a device) is named on stderr and makes the exit code 2;
# the other paths are still hashed.
printf 'abc' > ok.bin
mkfifo fifo
expect_exit 2 hashsbom hash ok.bin fifo /dev/null
expect_grep out '^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  ok.bin$'
expect_grep err "^hashsbom: not hashed: fifo: FIFO"
expect_grep err "^hashsbom: not hashed: /dev/null: character device"
mkdir d && printf 'abc' > d/a && mkfifo d/p
expect_exit 2 hashsbom hash d
expect_grep err "^hashsbom: not hashed: d/p: FIFO"
