# --strict and --policy: unknown globals are low by default, high with --strict; a policy file extends the built-in one.
python3 - <<'PY'
open("custom.pkl", "wb").write(b"\x80\x02cmycompany.models\nNet\n)\x81}b.")
open("policy.json", "w").write('{"deny": [{"module": "mycompany", "names": "*", "severity": "high", "why": "internal"}]}')
open("allow.json", "w").write('{"allow": [{"module": "mycompany.models", "names": ["Net"]}]}')
open("bad.json", "w").write('{"deny": 42}')
PY
expect_exit 0 modelscan-c -p custom.pkl -r json -o low.json
expect_json low.json 'd["findings"][0]["rule"] == "unknown-global" and d["findings"][0]["severity"] == "low"'
expect_exit 1 modelscan-c -p custom.pkl --strict
expect_grep out 'HIGH'
expect_exit 1 modelscan-c -p custom.pkl --policy policy.json -r json -o deny.json
expect_json deny.json 'd["findings"][0]["rule"] == "dangerous-global" and d["findings"][0]["severity"] == "high"'
expect_exit 0 modelscan-c -p custom.pkl --strict --policy allow.json -r json -o allow.out.json
expect_json allow.out.json 'd["findings"] == []'
expect_exit 2 modelscan-c -p custom.pkl --policy bad.json
expect_grep err 'bad.json'
expect_exit 2 modelscan-c -p custom.pkl --policy missing.json
