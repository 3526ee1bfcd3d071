# Whatever a limit stopped is reported "not scanned" (exit 2), never OK.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
make_samples s
head -c 65536 /dev/urandom > big.bin
expect_exit 2 "${AV[@]}" --max-filesize 1K --json r.json big.bin
expect_grep out '^big\.bin: not scanned: 65536 bytes is larger than --max-filesize \(1024\)$'
expect_no_grep out 'OK$'
expect_grep err "'big.bin' not scanned"
expect_json r.json 'd["status"] == "incomplete" and d["verdict"] == "unknown" and d["files"][0]["status"] == "incomplete"'
# A member over the file size limit (the archive itself is small).  libclamav
# alone inflates the first 96 KiB of such a zip member and calls it clean.
"$PY" -c 'import zipfile; z = zipfile.ZipFile("member.zip", "w", zipfile.ZIP_DEFLATED); z.writestr("weights.bin", bytes(300000)); z.close()'
expect_exit 2 "${AV[@]}" --max-filesize 100K --json m.json member.zip
expect_grep out '^member\.zip: not scanned: member weights\.bin \(300000 bytes\) is larger than --max-filesize \(102400\)$'
expect_json m.json 'd["files"][0]["status"] == "incomplete"'
head -c 300000 /dev/zero | gzip > z.gz
expect_exit 2 "${AV[@]}" --max-filesize 100K z.gz
expect_grep out '^z\.gz: not scanned: a file or member is larger than --max-filesize$'
# Too much data in total.
expect_exit 2 "${AV[@]}" --max-scansize 100K member.zip
expect_grep out 'not scanned: --max-scansize was reached'
# Nesting deeper than --max-recursion.
expect_exit 2 "${AV[@]}" --max-recursion 1 s/eicar/nested.zip
expect_grep out 'not scanned: archives are nested deeper than --max-recursion'
# More members than --max-files.
"$PY" -c 'import zipfile; z = zipfile.ZipFile("many.zip", "w"); [z.writestr(f"m{i}.txt", b"x" * 10) for i in range(5)]; z.close()'
expect_exit 2 "${AV[@]}" --max-files 2 many.zip
expect_grep out 'not scanned: the archive has more members than --max-files'
# Within the limits the same files are fine.
expect_exit 0 "${AV[@]}" member.zip many.zip
# An infection is still reported (exit 1) even when something else hit a limit.
expect_exit 1 "${AV[@]}" --max-filesize 1K big.bin s/eicar/eicar.com
expect_grep out 'eicar\.com: MLSecOpsTest\.EICAR\.UNOFFICIAL FOUND'
expect_grep out 'big\.bin: not scanned'
# libclamav cannot scan 2 GiB or more: a sparse 3 GiB file is not scanned, never OK.
truncate -s 3G huge.bin
expect_exit 2 "${AV[@]}" --max-filesize 4G huge.bin
expect_grep out "huge\.bin: not scanned: 3221225472 bytes is more than libclamav can scan"
# Random weights that happen to contain a zip local header: libclamav announces
# a huge "member" it then ignores; that must not make the file "not scanned".
"$PY" - <<'PY'
import os, struct
hdr = b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0, 0x12345678, 0xF0000000, 0xF0000000, 8, 0) + b"weights0"
open("weights.bin", "wb").write(os.urandom(8192) + hdr + os.urandom(8192))
PY
expect_exit 0 "${AV[@]}" weights.bin
expect_grep out '^weights\.bin: OK$'
