/*
 * Fuzzes the graph formats built on the protobuf reader and on flatbuffers:
 * ONNX, TensorFlow SavedModel/GraphDef, keras_metadata.pb and TFLite.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int (*const scans[])(struct ms_ctx *, struct ms_input *) = {
		ms_scan_onnx, ms_scan_tf_savedmodel, ms_scan_tf_keras_meta, ms_scan_tflite
	};
	static const char *const names[] = { "m.onnx", "saved_model.pb", "keras_metadata.pb", "m.tflite" };
	for (size_t i = 0; i < sizeof(scans) / sizeof(scans[0]); i++) {
		struct fz z;
		if (fz_begin(&z, data, size, names[i]) < 0)
			return 0;
		(void)scans[i](&z.ctx, &z.in);
		fz_end(&z);
	}
	return 0;
}
