/*
 * HTTP transport for mlflow-register over libcurl: authentication (basic or
 * bearer, from MLflow's environment variables), TLS verification (on unless
 * turned off explicitly), timeouts, and retries with exponential backoff and
 * jitter on connection errors, 429 (honouring Retry-After) and 5xx.  Uploads
 * and downloads are streamed and hashed (SHA-256) on the fly.  Secrets are
 * never logged: URLs go through mls_redact_url().
 */
#ifndef MR_HTTP_H
#define MR_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "mls/buf.h"

struct mr_http_opts {
	const char *user, *password; /* basic auth (MLFLOW_TRACKING_USERNAME/PASSWORD) */
	const char *token;           /* bearer token (MLFLOW_TRACKING_TOKEN) */
	int insecure;                /* MLFLOW_TRACKING_INSECURE_TLS=true: no certificate checks */
	const char *ca_path;         /* MLFLOW_TRACKING_SERVER_CERT_PATH: CA bundle */
	const char *client_cert;     /* MLFLOW_TRACKING_CLIENT_CERT_PATH: PEM with cert (and key) */
	double connect_timeout;      /* seconds (default 10) */
	double timeout;              /* seconds: whole API call; stall time for transfers (default 60) */
	int retries;                 /* extra attempts after the first (default 4) */
	double backoff_base;         /* first backoff delay, seconds (default 0.5) */
	double backoff_max;          /* cap of one delay, seconds (default 30) */
	double retry_after_max;      /* cap of an honoured Retry-After, seconds (default 120) */
};

void mr_http_opts_default(struct mr_http_opts *o);
/* Fills auth and TLS settings from the MLFLOW_TRACKING_* environment variables. */
void mr_http_opts_from_env(struct mr_http_opts *o);

struct mr_http;

struct mr_http_resp {
	long status;           /* HTTP status of the last attempt (0 when none) */
	struct mls_buf body;   /* response body (bounded) */
	double retry_after;    /* Retry-After of the last response, seconds (-1 when absent) */
};

#define MR_HTTP_BODY_MAX ((size_t)16 << 20)

void mr_http_resp_init(struct mr_http_resp *r);
void mr_http_resp_release(struct mr_http_resp *r);

int mr_http_new(struct mr_http **out, const struct mr_http_opts *o);
void mr_http_free(struct mr_http *h);

/* Sends method (GET, POST, PATCH, DELETE) to url with an optional JSON body and
 * fills r.  Retries transport errors, 429 and 5xx.  Returns 0 when a response
 * arrived (any status: the caller interprets it), MLS_ENET when the server could
 * not be reached or timed out after all retries. */
int mr_http_request(struct mr_http *h, const char *method, const char *url, const char *json, struct mr_http_resp *r);

/* PUTs the file at path to url, streamed from disk, computing its SHA-256 while
 * sending (hex, at least 65 bytes) and the byte count sent.  Retries restart the
 * file from the beginning.  Returns 0 when a response arrived (see r->status). */
int mr_http_put_file(struct mr_http *h, const char *url, const char *path, char *hex, uint64_t *sent,
		     struct mr_http_resp *r);

/* GETs url, hashing the body as it streams (never stored) into hex and size. */
int mr_http_get_hash(struct mr_http *h, const char *url, char *hex, uint64_t *size, struct mr_http_resp *r);

/* Percent-encodes s for a URL path segment or query value (free() the result). */
char *mr_http_escape(const char *s);

/* Pure helpers (unit-tested). */
/* Retry-After: delta-seconds or an HTTP-date; returns seconds to wait (>= 0), or -1 if unparsable. */
double mr_http_parse_retry_after(const char *value, time_t now);
/* Delay before retry number attempt (0-based): min(max, base*2^attempt) scaled by a jitter in [0.5, 1). */
double mr_http_backoff(int attempt, double base, double max, unsigned *seed);
/* 1 when a status is worth retrying (429, 500, 502, 503, 504). */
int mr_http_status_retryable(long status);

#endif
