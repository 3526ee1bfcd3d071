/* libcurl transport: auth, TLS, timeouts, retries, streamed hashing (see http.h). */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "http.h"
#include "mls/common.h"

struct mr_http {
	CURL *curl;
	struct mr_http_opts o;
	unsigned seed;
};

void mr_http_opts_default(struct mr_http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout = 10;
	o->timeout = 60;
	o->retries = 4;
	o->backoff_base = 0.5;
	o->backoff_max = 30;
	o->retry_after_max = 120;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

void mr_http_opts_from_env(struct mr_http_opts *o)
{
	o->user = env_nonempty("MLFLOW_TRACKING_USERNAME");
	o->password = env_nonempty("MLFLOW_TRACKING_PASSWORD");
	o->token = env_nonempty("MLFLOW_TRACKING_TOKEN");
	const char *ins = env_nonempty("MLFLOW_TRACKING_INSECURE_TLS");
	o->insecure = ins && (!strcasecmp(ins, "true") || !strcmp(ins, "1") || !strcasecmp(ins, "yes"));
	o->ca_path = env_nonempty("MLFLOW_TRACKING_SERVER_CERT_PATH");
	o->client_cert = env_nonempty("MLFLOW_TRACKING_CLIENT_CERT_PATH");
}

void mr_http_resp_init(struct mr_http_resp *r)
{
	r->status = 0;
	r->retry_after = -1;
	mls_buf_init(&r->body, MR_HTTP_BODY_MAX);
}

void mr_http_resp_release(struct mr_http_resp *r)
{
	if (r)
		mls_buf_release(&r->body);
}

int mr_http_new(struct mr_http **out, const struct mr_http_opts *o)
{
	static int global_done;
	*out = NULL;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return mls_error_set(MLS_ENET, "cannot initialise libcurl");
		global_done = 1;
	}
	struct mr_http *h = calloc(1, sizeof(*h));
	if (!h)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	h->curl = curl_easy_init();
	if (!h->curl) {
		free(h);
		return mls_error_set(MLS_ENET, "cannot initialise libcurl");
	}
	h->o = *o;
	h->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	*out = h;
	return 0;
}

void mr_http_free(struct mr_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h);
}

char *mr_http_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, (int)strlen(s));
	if (!e)
		return NULL;
	char *copy = strdup(e);
	curl_free(e);
	return copy;
}

int mr_http_status_retryable(long status)
{
	return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

double mr_http_backoff(int attempt, double base, double max, unsigned *seed)
{
	if (attempt > 30)
		attempt = 30;
	double d = base * ldexp(1.0, attempt);
	if (d > max)
		d = max;
	double jitter = 0.5 + 0.5 * ((double)rand_r(seed) / ((double)RAND_MAX + 1.0));
	return d * jitter;
}

double mr_http_parse_retry_after(const char *value, time_t now)
{
	if (!value)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	if (!*value)
		return -1;
	if (*value >= '0' && *value <= '9') {
		char *end = NULL;
		errno = 0;
		unsigned long long s = strtoull(value, &end, 10);
		while (end && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
			end++;
		if (errno || !end || *end)
			return -1;
		return s > 86400 ? 86400.0 : (double)s;
	}
	time_t t = curl_getdate(value, NULL);
	if (t == (time_t)-1)
		return -1;
	return t > now ? (double)(t - now) : 0.0;
}

static void sleep_seconds(double s)
{
	if (s <= 0)
		return;
	struct timespec ts;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Transport errors worth another attempt. */
static int curl_retryable(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* What one transfer does with the data (set by the three entry points). */
struct xfer {
	struct mr_http_resp *r;
	/* upload */
	int fd;
	struct mls_hash hash;
	int hashing;
	uint64_t sent;
	int read_errno;
	/* download-hash */
	int hash_body;
	uint64_t received;
	CURL *curl;
	int body_overflow;
};

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (x->hash_body) {
		long code = 0;
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300) {
			mls_hash_update(&x->hash, ptr, n);
			x->received += n;
			return n;
		}
	}
	if (mls_buf_append(&x->r->body, ptr, n) < 0) {
		x->body_overflow = 1;
		return 0;
	}
	return n;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xfer *x = ud;
	size_t want = size * nitems;
	ssize_t n;
	do {
		n = read(x->fd, buf, want);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		x->read_errno = errno;
		return CURL_READFUNC_ABORT;
	}
	if (n > 0) {
		mls_hash_update(&x->hash, buf, (size_t)n);
		x->sent += (uint64_t)n;
	}
	return (size_t)n;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nitems;
	static const char name[] = "retry-after:";
	if (n > sizeof(name) - 1 && strncasecmp(buf, name, sizeof(name) - 1) == 0) {
		char v[128];
		size_t vl = n - (sizeof(name) - 1);
		if (vl >= sizeof(v))
			vl = sizeof(v) - 1;
		memcpy(v, buf + sizeof(name) - 1, vl);
		v[vl] = '\0';
		v[strcspn(v, "\r\n")] = '\0';
		x->r->retry_after = mr_http_parse_retry_after(v, time(NULL));
	}
	return n;
}

enum xfer_kind { XF_API, XF_PUT_FILE, XF_GET_HASH };

/* Sets everything common to one attempt; returns the header list to free. */
static struct curl_slist *setup(struct mr_http *h, enum xfer_kind kind, const char *method, const char *url,
				const char *json, struct xfer *x)
{
	CURL *c = h->curl;
	struct curl_slist *hdrs = NULL;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* never resend credentials elsewhere */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mlflow-register/" MLS_VERSION " (mlsecops)");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->o.connect_timeout * 1000));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	if (h->o.user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, h->o.user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, h->o.password ? h->o.password : "");
	} else if (h->o.token) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, h->o.token);
	}
	if (h->o.insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (h->o.ca_path)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->o.ca_path);
	if (h->o.client_cert) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, h->o.client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, h->o.client_cert);
	}
	hdrs = curl_slist_append(hdrs, "Expect:");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	long stall = (long)ceil(h->o.timeout > 0 ? h->o.timeout : 60);
	switch (kind) {
	case XF_API:
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(h->o.timeout * 1000));
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		if (json) {
			hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
		} else if (!strcmp(method, "GET")) {
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		}
		break;
	case XF_PUT_FILE:
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, x);
		hdrs = curl_slist_append(hdrs, "Content-Type: application/octet-stream");
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
		curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024L);
		break;
	case XF_GET_HASH:
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
		curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024L);
		break;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	return hdrs;
}

/*
 * Runs one logical request with retries.  For XF_PUT_FILE, path is opened for
 * each attempt and hashed while sent; for XF_GET_HASH the body is hashed.
 */
static int perform(struct mr_http *h, enum xfer_kind kind, const char *method, const char *url, const char *json,
		   const char *path, char *hex, uint64_t *bytes, struct mr_http_resp *r)
{
	char safe_url[2048];
	char errbuf[CURL_ERROR_SIZE];
	int rc = 0;
	mls_redact_url(safe_url, sizeof(safe_url), url);
	for (int attempt = 0;; attempt++) {
		struct xfer x;
		memset(&x, 0, sizeof(x));
		x.r = r;
		x.fd = -1;
		x.curl = h->curl;
		mls_buf_reset(&r->body);
		r->status = 0;
		r->retry_after = -1;
		if (kind == XF_PUT_FILE) {
			x.fd = open(path, O_RDONLY | O_CLOEXEC);
			if (x.fd < 0)
				return mls_error_set(MLS_EIO, "cannot open '%s': %s", path, strerror(errno));
			struct stat st;
			if (fstat(x.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
				close(x.fd);
				return mls_error_set(MLS_EIO, "cannot read '%s': not a regular file", path);
			}
			posix_fadvise(x.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
			if (mls_hash_init(&x.hash, MLS_SHA256) < 0) {
				close(x.fd);
				return MLS_ENOMEM;
			}
			x.hashing = 1;
			curl_off_t size = (curl_off_t)st.st_size;
			struct curl_slist *hd = setup(h, kind, method, url, json, &x);
			curl_easy_setopt(h->curl, CURLOPT_INFILESIZE_LARGE, size);
			errbuf[0] = '\0';
			curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, errbuf);
			double t0 = mls_now();
			CURLcode cc = curl_easy_perform(h->curl);
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->status);
			curl_slist_free_all(hd);
			close(x.fd);
			char done_hex[MLS_HASH_HEX_MAX];
			mls_hash_final_hex(&x.hash, done_hex);
			mls_hash_release(&x.hash);
			mls_debug("PUT %s -> %ld (%llu bytes, %.2f s)", safe_url, r->status, (unsigned long long)x.sent,
				  mls_now() - t0);
			if (x.read_errno)
				return mls_error_set(MLS_EIO, "cannot read '%s': %s", path, strerror(x.read_errno));
			if (cc == CURLE_OK) {
				snprintf(hex, MLS_HASH_HEX_MAX, "%s", done_hex);
				if (bytes)
					*bytes = x.sent;
			}
			rc = (int)cc;
		} else {
			if (kind == XF_GET_HASH) {
				if (mls_hash_init(&x.hash, MLS_SHA256) < 0)
					return MLS_ENOMEM;
				x.hash_body = 1;
			}
			struct curl_slist *hd = setup(h, kind, method, url, json, &x);
			errbuf[0] = '\0';
			curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, errbuf);
			double t0 = mls_now();
			CURLcode cc = curl_easy_perform(h->curl);
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->status);
			curl_slist_free_all(hd);
			mls_debug("%s %s -> %ld (%.2f s)", method, safe_url, r->status, mls_now() - t0);
			if (kind == XF_GET_HASH) {
				char done_hex[MLS_HASH_HEX_MAX];
				mls_hash_final_hex(&x.hash, done_hex);
				mls_hash_release(&x.hash);
				if (cc == CURLE_OK) {
					snprintf(hex, MLS_HASH_HEX_MAX, "%s", done_hex);
					if (bytes)
						*bytes = x.received;
				}
			}
			if (x.body_overflow)
				return mls_error_set(MLS_ESERVER, "response from %s is larger than %zu bytes", safe_url,
						     (size_t)MR_HTTP_BODY_MAX);
			rc = (int)cc;
		}

		CURLcode cc = (CURLcode)rc;
		int retry = 0;
		double delay = 0;
		if (cc != CURLE_OK && r->status >= 400 && !mr_http_status_retryable(r->status)) {
			/* the server answered (401, 403, 413...) and closed before taking the whole body */
			mls_debug("%s %s: %s after HTTP %ld", method, safe_url, curl_easy_strerror(cc), r->status);
			return 0;
		}
		if (cc != CURLE_OK) {
			if (!curl_retryable(cc) || attempt >= h->o.retries) {
				int tls = cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CONNECT_ERROR ||
					  cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM;
				safe_url[strcspn(safe_url, "?")] = '\0'; /* the query is noise here */
				return mls_error_set(MLS_ENET, "cannot reach %s: %s%s", safe_url,
						     errbuf[0] ? errbuf : curl_easy_strerror(cc),
						     tls ? " (MLFLOW_TRACKING_SERVER_CERT_PATH names a CA bundle; "
							   "MLFLOW_TRACKING_INSECURE_TLS=true turns verification off)"
							 : "");
			}
			retry = 1;
			delay = mr_http_backoff(attempt, h->o.backoff_base, h->o.backoff_max, &h->seed);
			mls_warn("%s %s: %s; retrying in %.1f s (%d of %d)", method, safe_url,
				 errbuf[0] ? errbuf : curl_easy_strerror(cc), delay, attempt + 1, h->o.retries);
		} else if (mr_http_status_retryable(r->status) && attempt < h->o.retries) {
			retry = 1;
			if (r->retry_after >= 0 && (r->status == 429 || r->status == 503))
				delay = r->retry_after > h->o.retry_after_max ? h->o.retry_after_max : r->retry_after;
			else
				delay = mr_http_backoff(attempt, h->o.backoff_base, h->o.backoff_max, &h->seed);
			mls_warn("%s %s: HTTP %ld; retrying in %.1f s (%d of %d)", method, safe_url, r->status, delay,
				 attempt + 1, h->o.retries);
		}
		if (!retry)
			return 0;
		sleep_seconds(delay);
	}
}

int mr_http_request(struct mr_http *h, const char *method, const char *url, const char *json, struct mr_http_resp *r)
{
	return perform(h, XF_API, method, url, json, NULL, NULL, NULL, r);
}

int mr_http_put_file(struct mr_http *h, const char *url, const char *path, char *hex, uint64_t *sent,
		     struct mr_http_resp *r)
{
	hex[0] = '\0';
	return perform(h, XF_PUT_FILE, "PUT", url, NULL, path, hex, sent, r);
}

int mr_http_get_hash(struct mr_http *h, const char *url, char *hex, uint64_t *size, struct mr_http_resp *r)
{
	hex[0] = '\0';
	return perform(h, XF_GET_HASH, "GET", url, NULL, NULL, hex, size, r);
}
