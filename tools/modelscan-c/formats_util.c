/*
 * Helpers shared by the part-2 format modules (see formats_util.h).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <openssl/evp.h>
#include "formats_util.h"

int ms_view_open(struct ms_view *v, struct ms_input *in, size_t max)
{
	memset(v, 0, sizeof(*v));
	mls_buf_init(&v->buf, max + 1);
	if (in->mem) {
		v->data = in->mem;
		v->len = in->mem_len;
		return 0;
	}
	if (in->fd >= 0 && in->size != UINT64_MAX) {
		if (in->size == 0) {
			v->data = (const unsigned char *)"";
			return 0;
		}
		if (in->size > SIZE_MAX)
			return mls_error_set(MLS_ELIMIT, "file too large to map");
		void *p = mmap(NULL, (size_t)in->size, PROT_READ, MAP_PRIVATE, in->fd, 0);
		if (p == MAP_FAILED)
			return mls_error_set(MLS_EIO, "cannot map file: %s", strerror(errno));
		v->mapped = p;
		v->mapped_len = (size_t)in->size;
		v->data = p;
		v->len = (size_t)in->size;
		return 0;
	}
	int rc = ms_input_load(in, &v->buf, max);
	if (rc < 0)
		return rc;
	v->data = (const unsigned char *)v->buf.data;
	v->len = v->buf.len;
	if (!v->data)
		v->data = (const unsigned char *)"";
	return 0;
}

void ms_view_close(struct ms_view *v)
{
	if (v->mapped)
		munmap(v->mapped, v->mapped_len);
	mls_buf_release(&v->buf);
	memset(v, 0, sizeof(*v));
}

int ms_name_ends(const char *name, const char *ext)
{
	if (!name)
		return 0;
	size_t n = strlen(name), e = strlen(ext);
	return n >= e && strcasecmp(name + n - e, ext) == 0;
}

void ms_member_location(char *out, size_t outsz, const struct ms_input *parent, const char *member)
{
	if (parent && parent->location && parent->location[0])
		snprintf(out, outsz, "%s > %s", parent->location, member);
	else
		snprintf(out, outsz, "%s", member);
}

const struct ms_format_handler *ms_detect_except(const struct ms_input *in, enum ms_format except)
{
	size_t n;
	const struct ms_format_handler *h = ms_handlers(&n), *best = NULL;
	int best_score = 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i].fmt == except)
			continue;
		int s = h[i].probe(in);
		if (s > best_score) {
			best_score = s;
			best = &h[i];
		}
	}
	return best;
}

int ms_base64_decode(struct mls_buf *out, const char *s, size_t len)
{
	struct mls_buf clean;
	int rc = 0;
	mls_buf_init(&clean, len + 8);
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)s[i]))
			continue;
		if ((rc = mls_buf_putc(&clean, s[i])) < 0)
			goto done;
	}
	if (clean.len == 0 || clean.len % 4 != 0 || clean.len > (size_t)INT32_MAX) {
		rc = mls_error_set(MLS_EFORMAT, "not base64");
		goto done;
	}
	if ((rc = mls_buf_reserve(out, clean.len / 4 * 3 + 1)) < 0)
		goto done;
	int k = EVP_DecodeBlock((unsigned char *)out->data + out->len, (const unsigned char *)clean.data,
				(int)clean.len);
	if (k < 0) {
		rc = mls_error_set(MLS_EFORMAT, "not base64");
		goto done;
	}
	/* EVP_DecodeBlock counts padding as zero bytes */
	if (clean.len >= 1 && clean.data[clean.len - 1] == '=')
		k--;
	if (clean.len >= 2 && clean.data[clean.len - 2] == '=')
		k--;
	out->len += (size_t)k;
	out->data[out->len] = '\0';
done:
	mls_buf_release(&clean);
	return rc;
}

static const char *const dangerous_roots[] = {
	"os", "posix", "nt", "subprocess", "builtins", "__builtin__", "__builtins__", "importlib", "runpy",
	"sys", "socket", "shutil", "pickle", "_pickle", "cPickle", "marshal", "ctypes", "_ctypes", "pty",
	"webbrowser", "code", "codeop", "types", "io", "pathlib", "tempfile", "multiprocessing", "threading",
	"_thread", "asyncio", "signal", "requests", "urllib", "urllib2", "urllib3", "http", "httplib", "ftplib",
	"smtplib", "telnetlib", "paramiko", "pip", "setuptools", "pkgutil", "zipimport", "inspect", "dill",
	"cloudpickle", "joblib", "torch", "functools", "operator", "_operator", "glob", "fileinput", "pdb",
	"bdb", "cProfile", "profile", "timeit", "trace", "platform", "commands", "popen2", "ntpath",
	"posixpath", "mmap", "compileall", "py_compile", "sqlite3", "xmlrpc", "socketserver", "ssl", "select",
	"selectors", "shelve", "tarfile", "zipfile", "venv", "ensurepip", "distutils", "pydoc", "pexpect",
	"uuid", "imaplib", "poplib", "nntplib", "aiohttp", "httpx", "gc", "atexit", "site", "sysconfig",
	"linecache", "tokenize", "ast", "dis", "copyreg", "copy_reg", "numpy.f2py", "numpy.distutils",
	"numpy.testing", "numpy.ctypeslib", "numpy.lib.npyio", "jinja2", "yaml", "exec", "eval",
};

int ms_py_module_dangerous(const char *module)
{
	if (!module)
		return 0;
	for (size_t i = 0; i < MLS_ARRAY_SIZE(dangerous_roots); i++) {
		size_t n = strlen(dangerous_roots[i]);
		if (strncmp(module, dangerous_roots[i], n) == 0 && (module[n] == '\0' || module[n] == '.'))
			return 1;
	}
	return 0;
}
