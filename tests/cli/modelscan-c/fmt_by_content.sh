# Formats are recognised by their bytes, not their names: every fixture
# renamed to a meaningless name keeps its format and its verdict.
FX="$MLS_SOURCE_DIR/tests/fixtures/formats"
"$MLS_PYTHON" "$FX/make_fixtures.py" "$SCRATCH/fx" >/dev/null 2>&1
mkdir -p renamed
i=0
for spec in benign/model.onnx:onnx:0 benign/model.gguf:gguf:0 benign/model.safetensors:safetensors:0 \
            benign/keras_sequential.keras:keras:0 benign/keras_legacy.h5:hdf5:0 benign/model.tflite:tflite:0 \
            benign/frozen_graph.pb:tensorflow-savedmodel:0 benign/bundle.tar.gz:compressed:0 \
            malicious/onnx_custom_domain.onnx:onnx:1 malicious/gguf_ssti.gguf:gguf:1 \
            malicious/keras_module_os.keras:keras:1 malicious/tflite_flex.tflite:tflite:1 \
            malicious/zip_traversal.zip:archive:1; do
  IFS=: read -r src fmt code <<<"$spec"
  i=$((i + 1))
  cp "$SCRATCH/fx/$src" "renamed/blob$i.dat"
  expect_exit "$code" modelscan-c -p "renamed/blob$i.dat" --format json -o "r$i.json" --no-progress
  expect_json "r$i.json" "d['files'][0]['format'] == '$fmt'"
done
