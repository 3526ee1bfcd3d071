# --format json|sarif|junit, -o, and the extra reports in one run.
. "$MLS_SOURCE_DIR/tests/cli/avscan/setup.bash"
make_samples s
expect_exit 1 "${AV[@]}" -r --format sarif -o r.sarif --json r.json --junit r.xml s/eicar s/clean
expect_lines out 0
expect_json r.sarif 'd["version"] == "2.1.0" and len(d["runs"][0]["results"]) == 6 and all(x["ruleId"] == "AV-SIG-001" and x["level"] == "error" for x in d["runs"][0]["results"])'
expect_json r.json 'd["schema"] == "mlsecops-report/1" and d["tool"]["name"] == "avscan" and d["summary"]["files"]["scanned"] == 12'
"$PY" -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse("r.xml")' || _fail "JUnit XML does not parse"
expect_grep r.xml 'MLSecOpsTest.EICAR'
expect_exit 1 "${AV[@]}" --format json s/eicar/eicar.zip
expect_grep out '"verdict": *"findings"'
expect_exit 0 "${AV[@]}" --format junit -o ok.xml s/clean/model.pt
expect_file ok.xml
# Text to a file: the clamscan-style report.
expect_exit 0 "${AV[@]}" -o r.txt s/clean/model.pt
expect_grep r.txt '^s/clean/model\.pt: OK$'
expect_grep r.txt '^----------- SCAN SUMMARY -----------$'
expect_grep r.txt '^Known viruses: [0-9]+$'
expect_grep r.txt '^Engine version: 1\.'
# Every scanned file carries its SHA-256 (the registration gate matches it to the model); --no-hash drops it.
expect_exit 0 "${AV[@]}" --json h.json s/clean/model.pt s/clean/zeros.bin
expect_json h.json "[f['sha256'] for f in d['files']] == ['$(sha256sum s/clean/model.pt | cut -d' ' -f1)', '$(sha256sum s/clean/zeros.bin | cut -d' ' -f1)']"
expect_exit 0 "${AV[@]}" --no-hash --json n.json s/clean/model.pt
expect_json n.json 'd["files"][0]["sha256"] is None'
