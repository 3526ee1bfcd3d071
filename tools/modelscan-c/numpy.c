/*
 * NumPy files: .npy (an object dtype means the data is a pickle: scanned)
 * and .npz (a zip of .npy members, walked like a PyTorch zip).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pickle.h"
#include "torchzip.h"

#define NPY_HEADER_MAX 65536

int ms_probe_numpy(const struct ms_input *in)
{
	if (in->head_len >= 10 && memcmp(in->head, "\x93NUMPY", 6) == 0)
		return 95;
	return 0;
}

/* Finds 'key': in the header dict and returns a pointer just after the colon. */
static const char *hdr_value(const char *h, const char *key)
{
	char k1[40], k2[40];
	snprintf(k1, sizeof(k1), "'%s'", key);
	snprintf(k2, sizeof(k2), "\"%s\"", key);
	const char *p = strstr(h, k1);
	if (!p)
		p = strstr(h, k2);
	if (!p)
		return NULL;
	p = strchr(p + strlen(k1), ':');
	if (!p)
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	return p;
}

static uint32_t descr_itemsize(const char *d, int *obj, int *structured)
{
	*obj = 0;
	*structured = 0;
	if (*d == '[') {
		*structured = 1;
		/* an 'O' type anywhere in a structured descr means objects */
		for (const char *p = d; *p && *p != '}'; p++)
			if ((p[0] == '\'' || p[0] == '"') && (p[1] == 'O' || ((p[1] == '|' || p[1] == '<' || p[1] == '>') && p[2] == 'O')))
				*obj = 1;
		return 0;
	}
	if (*d != '\'' && *d != '"')
		return 0;
	d++;
	if (*d == '<' || *d == '>' || *d == '|' || *d == '=')
		d++;
	char c = *d;
	long n = strtol(d + 1, NULL, 10);
	switch (c) {
	case 'O': *obj = 1; return 8;
	case 'b': case 'i': case 'u': case 'f': case 'c': case 'S': case 'V': return n > 0 ? (uint32_t)n : (c == 'b' ? 1 : 0);
	case 'U': return n > 0 ? (uint32_t)(n * 4) : 0;
	case 'M': case 'm': return 8;
	case '?': return 1;
	default: return 0;
	}
}

int ms_scan_numpy(struct ms_ctx *ctx, struct ms_input *in)
{
	unsigned char pre[12];
	char *hdr = NULL;
	int rc = 0;
	if (ms_input_read(in, pre, 10) != 10)
		goto trunc;
	unsigned major = pre[6];
	uint64_t hlen;
	size_t fixed = 10;
	if (major == 1) {
		hlen = (uint64_t)pre[8] | ((uint64_t)pre[9] << 8);
	} else if (major == 2 || major == 3) {
		if (ms_input_read(in, pre + 10, 2) != 2)
			goto trunc;
		hlen = (uint64_t)pre[8] | ((uint64_t)pre[9] << 8) | ((uint64_t)pre[10] << 16) | ((uint64_t)pre[11] << 24);
		fixed = 12;
	} else {
		ms_incomplete(ctx, in, ".npy format version %u.%u is not supported", major, pre[7]);
		return 0;
	}
	if (hlen > NPY_HEADER_MAX) {
		ms_incomplete(ctx, in, ".npy header of %llu bytes is larger than %d", (unsigned long long)hlen,
			      NPY_HEADER_MAX);
		return 0;
	}
	hdr = malloc((size_t)hlen + 1);
	if (!hdr)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	size_t got = 0;
	while (got < hlen) {
		ssize_t k = ms_input_read(in, hdr + got, (size_t)hlen - got);
		if (k < 0) {
			rc = (int)k;
			goto done;
		}
		if (k == 0)
			goto trunc;
		got += (size_t)k;
	}
	hdr[hlen] = '\0';
	const char *descr = hdr_value(hdr, "descr"), *shape = hdr_value(hdr, "shape");
	if (!descr || !shape || *shape != '(') {
		ms_incomplete(ctx, in, ".npy header has no readable descr/shape");
		goto done;
	}
	int obj, structured;
	uint32_t isz = descr_itemsize(descr, &obj, &structured);
	if (obj) {
		ms_finding(ctx, in, "MS-NUMPY-001", "object-array", MLS_SEV_LOW, "data", NULL,
			   "object array: numpy.load(allow_pickle=True) unpickles the data that follows the header; it was "
			   "scanned");
		struct ms_pickle_opts o = { 0, 1, 0, 0 };
		struct ms_pickle_stats st;
		rc = ms_pickle_scan(ctx, in, &o, &st);
		if (rc < 0)
			goto done;
		if (in->size != UINT64_MAX && st.streams == 1 && st.end < in->size)
			ms_finding(ctx, in, "MS-PICKLE-005", "trailing-data", MLS_SEV_MEDIUM, NULL, NULL,
				   "%llu bytes after the object array's pickle", (unsigned long long)(in->size - st.end));
		goto done;
	}
	/* plain data: check the size adds up, so nothing hides after it */
	uint64_t count = 1;
	const char *p = shape + 1;
	while (*p && *p != ')') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')')
			break;
		char *e;
		unsigned long long v = strtoull(p, &e, 10);
		if (e == p) {
			ms_incomplete(ctx, in, ".npy shape is not readable");
			goto done;
		}
		if (v && count > UINT64_MAX / v) {
			ms_incomplete(ctx, in, ".npy shape overflows");
			goto done;
		}
		count *= v;
		p = e;
	}
	if (structured || !isz || in->size == UINT64_MAX)
		goto done;
	uint64_t data_off = fixed + hlen;
	if (count && isz > (UINT64_MAX - data_off) / count) {
		ms_incomplete(ctx, in, ".npy size overflows");
		goto done;
	}
	uint64_t want = data_off + count * isz;
	if (in->size < want)
		ms_incomplete(ctx, in, ".npy data is truncated: %llu bytes, header says %llu",
			      (unsigned long long)in->size, (unsigned long long)want);
	else if (in->size > want)
		ms_finding(ctx, in, "MS-PICKLE-005", "trailing-data", MLS_SEV_MEDIUM, NULL, NULL,
			   "%llu bytes after the array data (offset %llu): data hidden after the array",
			   (unsigned long long)(in->size - want), (unsigned long long)want);
done:
	free(hdr);
	return rc;
trunc:
	ms_incomplete(ctx, in, ".npy file is truncated in its header");
	goto done;
}

int ms_probe_npz(const struct ms_input *in)
{
	if (in->head_len < 30 || memcmp(in->head, "PK\x03\x04", 4) != 0)
		return 0;
	size_t n = (size_t)in->head[26] | ((size_t)in->head[27] << 8);
	if (30 + n > in->head_len || n < 4)
		return 0;
	if (memcmp(in->head + 30 + n - 4, ".npy", 4) == 0)
		return 80;
	return 0;
}

int ms_scan_npz(struct ms_ctx *ctx, struct ms_input *in)
{
	struct ms_zip_walk w = { 0 };
	return ms_zip_walk(ctx, in, &w);
}
