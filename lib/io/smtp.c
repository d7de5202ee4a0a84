/*
 * Delivery of a built message with libcurl's SMTP (RFC 5321 + STARTTLS, RFC 3207; AUTH, RFC
 * 4954). curl does the dot-stuffing and the protocol; this file only sets it up safely.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "io/smtp.h"
#include "io/curl_dl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

#define DEFAULT_TIMEOUT_MS 60000

struct np_smtp_job {
	CURL *easy;
	struct curl_slist *rcpt;
	char *msg;
	size_t len, pos;
	char *server; /* for causes: the URL as configured (it holds no credentials) */
	char errbuf[CURL_ERROR_SIZE];
};

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct np_smtp_job *j = arg;
	size_t room = size * nitems, left = j->len - j->pos;
	size_t n = left < room ? left : room;
	memcpy(buf, j->msg + j->pos, n);
	j->pos += n;
	return n;
}

/* smtp:// or smtps://, a host, an optional port, nothing else (no credentials, no path). */
static int
check_server(const char *url, bool *implicit_tls, char **cause)
{
	const char *rest;
	if (url != NULL && strncmp(url, "smtp://", 7) == 0) {
		rest = url + 7;
		*implicit_tls = false;
	} else if (url != NULL && strncmp(url, "smtps://", 8) == 0) {
		rest = url + 8;
		*implicit_tls = true;
	} else {
		np_cause(cause,
		         "bad mail server \"%s\": expected smtp://host[:port] (STARTTLS) or "
		         "smtps://host[:port]",
		         url != NULL ? url : "");
		return -1;
	}
	size_t n = strlen(rest);
	if (n > 0 && rest[n - 1] == '/')
		n--;
	if (n == 0 || strcspn(rest, "@/?# \t\r\n") < n) {
		np_cause(cause,
		         "bad mail server \"%s\": expected smtp://host[:port] with no user, "
		         "password or path in it",
		         url);
		return -1;
	}
	return 0;
}

void
np_smtp_job_free(struct np_smtp_job *j)
{
	if (j == NULL)
		return;
	if (j->easy != NULL)
		curl_easy_cleanup(j->easy);
	curl_slist_free_all(j->rcpt);
	free(j->msg);
	free(j->server);
	free(j);
}

struct np_smtp_job *
np_smtp_job_new(const struct np_smtp_cfg *cfg, const char *from, const char *const *to, size_t nto,
                const char *msg, size_t len, char **cause)
{
	bool tls;
	if (check_server(cfg->server, &tls, cause) == -1 || np_mail_addr_check(from, cause) == -1)
		return NULL;
	if (nto == 0) {
		np_cause(cause, "no recipient");
		return NULL;
	}
	if (np_curl_load(cause) == -1)
		return NULL;
	struct np_smtp_job *j = np_xcalloc(1, sizeof(*j));
	j->server = np_xstrdup(cfg->server);
	for (size_t i = 0; i < nto; i++) {
		if (np_mail_addr_check(to[i], cause) == -1)
			goto fail;
		char *a = np_xasprintf("<%s>", to[i]);
		struct curl_slist *l = curl_slist_append(j->rcpt, a);
		free(a);
		if (l == NULL)
			abort(); /* out of memory, as np_x* */
		j->rcpt = l;
	}
	j->msg = np_xmalloc(len + 1);
	memcpy(j->msg, msg, len);
	j->msg[len] = '\0';
	j->len = len;
	j->easy = curl_easy_init();
	if (j->easy == NULL) {
		np_cause(cause, "%s: cannot create a curl handle", cfg->server);
		goto fail;
	}
	char *mfrom = np_xasprintf("<%s>", from);
	CURL *e = j->easy;
	CURLcode rc = CURLE_OK;
	rc |= curl_easy_setopt(e, CURLOPT_URL, cfg->server);
	/* STARTTLS is required on smtp://: a server that does not offer it fails the send. */
	if (!tls)
		rc |= curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, cfg->insecure ? 0L : 1L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, cfg->insecure ? 0L : 2L);
	if (cfg->ca_file != NULL)
		rc |= curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->user != NULL) {
		rc |= curl_easy_setopt(e, CURLOPT_USERNAME, cfg->user);
		rc |= curl_easy_setopt(e, CURLOPT_PASSWORD,
		                       cfg->password != NULL ? cfg->password : "");
	}
	rc |= curl_easy_setopt(e, CURLOPT_MAIL_FROM, mfrom);
	rc |= curl_easy_setopt(e, CURLOPT_MAIL_RCPT, j->rcpt);
	rc |= curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
	rc |= curl_easy_setopt(e, CURLOPT_READDATA, j);
	rc |= curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	                       (long)(cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS));
	rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
	rc |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	free(mfrom);
	if (rc != CURLE_OK) {
		np_cause(cause, "%s: libcurl refused an SMTP option (built without SMTP or TLS?)",
		         cfg->server);
		goto fail;
	}
	return j;
fail:
	np_smtp_job_free(j);
	return NULL;
}

void *
np_smtp_job_easy(struct np_smtp_job *j)
{
	return j->easy;
}

int
np_smtp_job_result(struct np_smtp_job *j, int curl_code, char **cause)
{
	if (curl_code == CURLE_OK)
		return 0;
	long code = 0;
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
	const char *why = j->errbuf[0] != '\0' ? j->errbuf : curl_easy_strerror(curl_code);
	if (code > 0)
		np_cause(cause, "%s: %s (last SMTP reply %ld)", j->server, why, code);
	else
		np_cause(cause, "%s: %s", j->server, why);
	return -1;
}

int
np_smtp_send(const struct np_smtp_cfg *cfg, const char *from, const char *const *to, size_t nto,
             const char *msg, size_t len, char **cause)
{
	struct np_smtp_job *j = np_smtp_job_new(cfg, from, to, nto, msg, len, cause);
	if (j == NULL)
		return -1;
	int rc = np_smtp_job_result(j, (int)curl_easy_perform(j->easy), cause);
	np_smtp_job_free(j);
	return rc;
}
