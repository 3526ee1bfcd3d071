# The BOM's content: card (README front matter and JSON), eval metrics, requirements, scan reports.
F=$MLS_SOURCE_DIR/tests/fixtures/sbom
python3 "$F/make_models.py" fx
expect_exit 0 hashsbom sbom fx/hf --model-card "$F/cards/README.md" --eval "$F/eval/eval_nested.json" \
  --requirements "$F/requirements/requirements.txt" --scan-report "$F/reports/modelscan-c.json" \
  --scan-report "$F/reports/avscan.json" -o hf.json
expect_grep err "'numpy' is not pinned"
mc="d['metadata']['component']"
expect_json hf.json "$mc['name'] == 'simple-cifar10' and $mc['version'] == '1.2.0'"
expect_json hf.json "$mc['modelCard']['modelParameters']['task'] == 'image-classification'"
expect_json hf.json "$mc['modelCard']['modelParameters']['datasets'] == [{'type': 'dataset', 'name': 'cifar10'}]"
expect_json hf.json "{'type': 'accuracy', 'value': '0.912', 'slice': 'cifar10/test'} in $mc['modelCard']['quantitativeAnalysis']['performanceMetrics']"
expect_json hf.json "{'type': 'accuracy', 'value': '0.91', 'slice': 'test'} in $mc['modelCard']['quantitativeAnalysis']['performanceMetrics']"
expect_json hf.json "$mc['modelCard']['considerations']['technicalLimitations'] == ['Not robust to adversarial examples.']"
expect_json hf.json "$mc['modelCard']['considerations']['ethicalConsiderations'][0]['mitigationStrategy'] == 'Do not use on images of people'"
expect_json hf.json "{p['name']: p['value'] for p in $mc['properties']}['mlsecops:scan:modelscan-c:findings:critical'] == '1'"
expect_json hf.json "{p['name']: p['value'] for p in $mc['properties']}['mlsecops:scan:avscan:verdict'] == 'clean'"
expect_json hf.json "[v['id'] for v in d['vulnerabilities']] == ['MS-PICKLE-001', 'MS-PICKLE-007']"
expect_json hf.json "d['vulnerabilities'][0]['ratings'][0]['severity'] == 'critical' and d['vulnerabilities'][0]['affects'][0]['ref'] == $mc['bom-ref']"
expect_json hf.json "sorted(d['dependencies'][0]['dependsOn']) == sorted(c['bom-ref'] for c in d['components'] if c['type'] == 'library')"
expect_json hf.json "[c['purl'] for c in d['components'] if c['name'] == 'Foo_Bar.baz'] == ['pkg:pypi/foo-bar.baz@1.0.0%2Bcpu']"
expect_json hf.json "[c.get('version') for c in d['components'] if c['name'] == 'numpy'] == [None]"
expect_json hf.json "[h['content'] for c in d['components'] if c['name'] == 'scikit-learn' for h in c['hashes']] == ['0'*63 + '1', '0'*62 + 'ab']"
expect_json hf.json "[t['name'] for t in d['metadata']['tools']['components']] == ['hashsbom', 'modelscan-c', 'avscan']"
# JSON card, GGUF metadata and a flat eval on a 1.7 BOM
expect_exit 0 hashsbom sbom fx/tiny.gguf --model-card "$F/cards/card.json" --eval "$F/eval/eval_flat.json" --spec-version 1.7 -o g.json
expect_json g.json "d['specVersion'] == '1.7' and $mc['modelCard']['considerations']['users'] == ['ML engineers']"
expect_json g.json "$mc['modelCard']['quantitativeAnalysis']['performanceMetrics'][0] == {'type': 'accuracy', 'value': '0.93'}"
# reproducible timestamp
SOURCE_DATE_EPOCH=1700000000 hashsbom sbom fx/plain.bin -o t.json
expect_json t.json "d['metadata']['timestamp'] == '2023-11-14T22:13:20Z'"
# every BOM of this case validates (official schema + cyclonedx-python-lib strict)
expect_exit 0 "$MLS_PYTHON" "$F/validate_bom.py" hf.json g.json t.json
# the model's own metadata (config.json) fills the architecture; the HF task implies inputs/outputs
printf -- '---\npipeline_tag: text-generation\n---\n' > tg.md
expect_exit 0 hashsbom sbom fx/hf --model-card tg.md -o tg.json
expect_json tg.json "$mc['modelCard']['modelParameters'] == {'task': 'text-generation', 'architectureFamily': 'llama', 'modelArchitecture': 'LlamaForCausalLM', 'inputs': [{'format': 'text'}], 'outputs': [{'format': 'text'}]}"
expect_json tg.json "{p['name']: p['value'] for p in $mc['modelCard']['properties']}['cdx:ai-ml:model:hyperparameter:quantization'] == 'bf16'"
expect_json tg.json "{p['name']: p['value'] for p in $mc['properties']}['mlsecops:safetensors:metadata:format'] == 'pt'"
expect_exit 0 "$MLS_PYTHON" "$F/validate_bom.py" tg.json
