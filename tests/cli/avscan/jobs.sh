# One thread, two and four give the same verdicts on a directory of ~50 files.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
make_samples s
mkdir d
cp s/pickles/*.p0.pkl s/pickles/*.p4.pkl s/pickles/*.pt d/ 2>/dev/null
cp s/eicar/* d/
for i in $(seq 1 20); do head -c $((i * 3000)) /dev/urandom > "d/clean$i.bin"; done
n=$(ls d | wc -l)
[ "$n" -ge 50 ] || _fail "only $n files"
for j in 1 2 4; do
  expect_exit 1 "${AV[@]}" -r --jobs $j --json r$j.json --no-summary d
  cp out out$j
done
for j in 2 4; do
  cmp -s out1 out$j || _fail "text output with --jobs $j differs from --jobs 1"
  expect_json r$j.json "[(f['path'], f['status'], f.get('reason')) for f in d['files']] == [(f['path'], f['status'], f.get('reason')) for f in json.load(open('r1.json'))['files']] and [(f['path'], f['evidence'], f.get('location')) for f in d['findings']] == [(f['path'], f['evidence'], f.get('location')) for f in json.load(open('r1.json'))['findings']]"
done
expect_json r1.json "d['summary']['files']['scanned'] == $n"
