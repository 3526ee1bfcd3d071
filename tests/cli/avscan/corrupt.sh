# libclamav passes corrupt archives as clean; avscan reads them back and says so.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
"$PY" - <<'PY'
import zipfile
z = zipfile.ZipFile("crc.zip", "w", zipfile.ZIP_STORED)
z.writestr("archive/data.pkl", b"B" * 5000)
z.close()
d = bytearray(open("crc.zip", "rb").read())
d[d.index(b"BBBB") + 100] = 0x43
open("crc.zip", "wb").write(d)
z = zipfile.ZipFile("ok.zip", "w", zipfile.ZIP_DEFLATED)
z.writestr("archive/data.pkl", bytes(range(256)) * 64)
z.close()
open("truncated.zip", "wb").write(open("ok.zip", "rb").read()[:100])
PY
head -c 300 /dev/urandom | gzip > g.gz && head -c 20 g.gz > truncated.gz
expect_exit 2 "${AV[@]}" --json r.json crc.zip
expect_grep out '^crc\.zip: not scanned completely: corrupt archive: .*CRC'
expect_json r.json 'd["files"][0]["status"] == "failed" and "corrupt archive" in d["files"][0]["reason"]'
expect_exit 2 "${AV[@]}" truncated.zip
expect_grep out '^truncated\.zip: not scanned completely: corrupt archive'
expect_exit 2 "${AV[@]}" truncated.gz
expect_grep out '^truncated\.gz: not scanned completely'
expect_exit 0 "${AV[@]}" ok.zip g.gz
expect_grep out '^ok\.zip: OK$'
# What libclamav alone says about the same file (why the check exists).
expect_exit 0 "${AV[@]}" --no-archive-check crc.zip
