/*
 * Remote syslog over TLS (RFC 5425): octet-counted frames ("LEN SP MSG", §4.3) in a TLS
 * connection (1.2 or later) to tls://host:port (default 6514). One connection, kept open and
 * reused; messages are pipelined and confirmed like TCP's (confirm.h): delivered once the
 * send queue of the socket drained and the connection was still open confirm_after later.
 *
 * Why OpenSSL on our own non-blocking fd rather than libevent's bufferevent_openssl: the
 * confirmation needs the fd (SIOCOUTQ) and to know exactly when a message's last byte went to
 * the kernel, which a bufferevent hides behind its output buffer; a failed handshake must say
 * what failed (the verify result, the certificate, the peer's alert), which bufferevent_openssl
 * reduces to an error code; and it is one library less to link. The cost is the usual
 * SSL_ERROR_WANT_READ/WANT_WRITE dance: one persistent read event while the socket is open,
 * one write event added when OpenSSL wants to write, and every event runs pump(), which
 * advances the handshake, the pending write and the reading in that order.
 *
 * The server certificate is verified against ca_file (or the system store) and must be for
 * the host of the URL (a name: SAN/CN by X509_check_host rules, no partial wildcards; an
 * address: an IP SAN). insecure skips both (the config warns). Optional client certificate
 * (cert_file + key_file, PEM; an encrypted key is refused, never prompted for). These files
 * are read when the sink is made, so a bad one is an error of np_sink_new, and again before a
 * new connection when they changed on disk (a renewed certificate needs no restart; a bad
 * replacement fails that connection with the cause, and the alerts stay queued).
 *
 * SSL_write writes to the socket without MSG_NOSIGNAL: the process must ignore SIGPIPE (as
 * netpulsed does). Names are resolved like TCP's: at the first connection and after a failure.
 */
#include <errno.h>
#include <event2/event.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert/confirm.h"
#include "alert/sink_impl.h"
#include "alert/stream.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/xmalloc.h"

/*
 * Messages written and waiting for confirmation beyond which the sink is not ready: 16 bytes
 * each, at most 512 KiB. It caps the rate at CONFIRM_AHEAD / confirm_after (16k alerts/s at
 * 2 s), above what one TLS connection writes here (~12k/s); 4096 capped it at ~1,900/s.
 */
#define CONFIRM_AHEAD 32768
#define DEFAULT_CONFIRM_AFTER_MS 2000

enum phase { IDLE, CONNECTING, HANDSHAKE, UP };

/* What a file was when the context was made: a change is seen at the next connection. */
struct fsig {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct tls {
	struct np_sink *s;
	SSL_CTX *ctx;
	struct np_alert_cfg files; /* copies of ca_file, cert_file, key_file, insecure */
	struct fsig sig[3];        /* of those files */
	struct addrinfo *ai, *cur; /* resolved addresses; the one being tried */
	bool numeric;              /* host is an address literal */
	int fd;
	SSL *ssl;
	enum phase phase;
	struct event *ev_read;  /* persistent while the socket is connected */
	struct event *ev_write; /* connect completion, or OpenSSL wants to write */
	struct event *deadline; /* connect + handshake + write not done in time */
	struct event *confirm_ev;
	struct np_confirm confirm;
	char *out; /* the framed message being written (at most one) */
	size_t outlen;
	int64_t out_tag;
	bool pending;       /* out holds a message not fully written */
	char *msg;          /* max_len + 1: the rendered message */
	char vfail[256];    /* the certificate verification first failed on (subject), or "" */
	bool cert_asked;    /* the receiver asked for a client certificate we do not have */
	bool confirmed_any; /* a message on this connection was confirmed */
};

static void pump(struct tls *t);
static void connect_next(struct tls *t);
static void on_connect(evutil_socket_t fd, short what, void *arg);

/* The peer: "tls://host:port" (also when the key is not built yet). */
static const char *
peer(const struct tls *t)
{
	return t->s->key != NULL ? t->s->key : "tls";
}

static void
arm_ms(struct event *ev, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	evtimer_add(ev, &tv);
}

static int
resolve(struct tls *t, char **cause)
{
	return np_stream_resolve(t->s->host, t->s->port, &t->ai, &t->numeric, cause);
}

static void
close_conn(struct tls *t)
{
	if (t->ev_write != NULL)
		event_free(t->ev_write);
	if (t->ev_read != NULL)
		event_free(t->ev_read);
	t->ev_write = t->ev_read = NULL;
	if (t->ssl != NULL)
		SSL_free(t->ssl);
	t->ssl = NULL;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->phase = IDLE;
}

/* Closes the connection and stops its timers (nothing is in flight any more). */
static void
close_all(struct tls *t)
{
	close_conn(t);
	evtimer_del(t->deadline);
	evtimer_del(t->confirm_ev);
}

static bool
busy(const struct tls *t)
{
	return t->pending || np_confirm_waiting(&t->confirm) > 0;
}

static bool
tls_ready(const struct np_sink *s)
{
	const struct tls *t = s->impl;
	return (t->phase == IDLE || t->phase == UP) && !t->pending &&
	       np_confirm_waiting(&t->confirm) < CONFIRM_AHEAD;
}

/* Everything in flight is lost: the owner is told once and sends it all again later. */
static void
fail(struct tls *t, const char *what)
{
	close_all(t);
	/* A name is looked up again after a failure: the server may have moved. */
	if (!t->numeric && t->ai != NULL) {
		freeaddrinfo(t->ai);
		t->ai = NULL;
	}
	t->pending = false;
	np_confirm_reset(&t->confirm);
	char *msg = np_xasprintf("%s: %s", peer(t), what);
	np_sink_failed(t->s, msg);
	free(msg);
}

static void
room_check(struct tls *t)
{
	np_sink_wake(t->s); /* heard by the owner only if it waits and there is room */
}

/* OpenSSL's reason for the last error on this thread ("wrong version number"), or NULL. */
static const char *
ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	if (e == 0)
		return NULL;
	return ERR_reason_error_string(e);
}

/* Why SSL_* returned r (SSL_get_error e) when it failed for good, in words. */
static void
describe(struct tls *t, int r, int e, const char *during, char *buf, size_t size)
{
	long vr = t->ssl != NULL ? SSL_get_verify_result(t->ssl) : X509_V_OK;
	const char *reason = ssl_reason();
	/* A receiver that hangs up on a client without a certificate rarely says why. */
	const char *hint = t->cert_asked && !t->confirmed_any &&
	                           (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SSL ||
	                            (e == SSL_ERROR_SYSCALL && (errno == 0 || r == 0)))
	                       ? " (it had asked for a client certificate, and none is "
	                         "configured: cert_file, key_file)"
	                       : "";
	if (vr != X509_V_OK && t->phase == HANDSHAKE &&
	    SSL_CTX_get_verify_mode(t->ctx) != SSL_VERIFY_NONE) {
		const char *name = t->s->host;
		if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
			snprintf(buf, size,
			         "certificate verify failed: %s (%s is not a name of %s)",
			         X509_verify_cert_error_string(vr), name,
			         t->vfail[0] ? t->vfail : "the certificate");
		else if (t->vfail[0] != '\0')
			snprintf(buf, size, "certificate verify failed: %s (%s)",
			         X509_verify_cert_error_string(vr), t->vfail);
		else
			snprintf(buf, size, "certificate verify failed: %s",
			         X509_verify_cert_error_string(vr));
	} else if (e == SSL_ERROR_ZERO_RETURN) {
		snprintf(buf, size, "the receiver closed the TLS session%s%s", during, hint);
	} else if (e == SSL_ERROR_SYSCALL && errno != 0 && r < 0) {
		snprintf(buf, size, "%s%s%s", strerror(errno), during, hint);
	} else if (e == SSL_ERROR_SYSCALL ||
	           (e == SSL_ERROR_SSL &&
	            ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		snprintf(buf, size, "connection closed by the receiver%s%s", during, hint);
	} else if (reason != NULL) {
		snprintf(buf, size, "TLS error%s: %s%s", during, reason, hint);
	} else {
		snprintf(buf, size, "TLS error%s (SSL_get_error %d)%s", during, e, hint);
	}
	ERR_clear_error();
}

static void
fail_ssl(struct tls *t, int r, int e, const char *during)
{
	char why[512];
	describe(t, r, e, during, why, sizeof(why));
	fail(t, why);
}

/* Records the subject of the first certificate that failed verification (for the cause). */
static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	if (ok)
		return ok;
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls *t = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(xs);
	if (t != NULL && t->vfail[0] == '\0' && cert != NULL) {
		char subj[200];
		X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
		snprintf(t->vfail, sizeof(t->vfail), "certificate %s", subj);
	}
	return ok;
}

/* 1: done; 0: waiting for the socket; -1: failed (t was reset). */
static int
handshake(struct tls *t)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_connect(t->ssl);
	if (r == 1) {
		t->phase = UP;
		return 1;
	}
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return 0;
	if (e == SSL_ERROR_WANT_WRITE) {
		event_add(t->ev_write, NULL);
		return 0;
	}
	fail_ssl(t, r, e, " during the TLS handshake");
	return -1;
}

static int
write_out(struct tls *t)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_write(t->ssl, t->out, (int)t->outlen);
	if (r > 0) {
		/* Without partial writes, success means all of it is in the kernel. */
		t->pending = false;
		evtimer_del(t->deadline);
		np_confirm_add(&t->confirm, t->out_tag, np_mono_ms());
		if (!evtimer_pending(t->confirm_ev, NULL))
			arm_ms(t->confirm_ev, 0);
		return 1;
	}
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		if (e == SSL_ERROR_WANT_WRITE)
			event_add(t->ev_write, NULL);
		if (!evtimer_pending(t->deadline, NULL))
			arm_ms(t->deadline, t->s->timeout_ms);
		return 0;
	}
	fail_ssl(t, r, e, " while writing");
	return -1;
}

/*
 * Reads what the peer sends (a syslog receiver sends nothing but TLS records of its own, such
 * as TLS 1.3 session tickets). 0: still open; -1: it is gone (failed if anything was in
 * flight, else closed quietly: the next send connects again).
 */
static int
read_drain(struct tls *t)
{
	char buf[1024];
	for (;;) {
		ERR_clear_error();
		errno = 0;
		int r = SSL_read(t->ssl, buf, sizeof(buf));
		if (r > 0)
			continue;
		int e = SSL_get_error(t->ssl, r);
		if (e == SSL_ERROR_WANT_READ)
			return 0;
		if (e == SSL_ERROR_WANT_WRITE) {
			event_add(t->ev_write, NULL);
			return 0;
		}
		if (busy(t)) {
			fail_ssl(t, r, e, "");
		} else {
			ERR_clear_error();
			close_all(t);
		}
		return -1;
	}
}

static void
pump(struct tls *t)
{
	if (t->phase == HANDSHAKE && handshake(t) != 1)
		return;
	if (t->pending && write_out(t) == -1)
		return;
	if (read_drain(t) == -1)
		return;
	room_check(t);
}

static void
on_io(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
}

static void
start_tls(struct tls *t)
{
	struct np_sink *s = t->s;
	event_free(t->ev_write);
	t->ev_write = event_new(s->base, t->fd, EV_WRITE, on_io, t);
	t->ev_read = event_new(s->base, t->fd, EV_READ | EV_PERSIST, on_io, t);
	t->ssl = SSL_new(t->ctx);
	if (t->ssl == NULL || t->ev_write == NULL || t->ev_read == NULL ||
	    SSL_set_fd(t->ssl, t->fd) != 1) {
		fail(t, "cannot set up a TLS session");
		return;
	}
	SSL_set_app_data(t->ssl, t);
	t->vfail[0] = '\0';
	t->cert_asked = false;
	t->confirmed_any = false;
	if (!t->numeric) /* SNI: names only (RFC 6066 §3) */
		SSL_set_tlsext_host_name(t->ssl, s->host);
	if (SSL_CTX_get_verify_mode(t->ctx) != SSL_VERIFY_NONE) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(t->ssl);
		X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		int ok = t->numeric ? X509_VERIFY_PARAM_set1_ip_asc(vp, s->host)
		                    : SSL_set1_host(t->ssl, s->host);
		if (ok != 1) {
			fail(t, "cannot set the name to check the certificate against");
			return;
		}
	}
	t->phase = HANDSHAKE;
	event_add(t->ev_read, NULL);
	pump(t);
}

/* Tries t->cur and the addresses after it until one connects or is in progress. */
static void
connect_next(struct tls *t)
{
	bool now;
	int err;
	t->fd = np_stream_connect(&t->cur, &now, &err);
	if (t->fd < 0) {
		fail(t, strerror(err));
		return;
	}
	t->phase = CONNECTING;
	t->ev_write = event_new(t->s->base, t->fd, EV_WRITE, on_connect, t);
	if (now) {
		start_tls(t);
		return;
	}
	event_add(t->ev_write, NULL);
}

/* The connect of the address being tried completed (EV_WRITE while CONNECTING). */
static void
on_connect(evutil_socket_t fd, short what, void *arg)
{
	struct tls *t = arg;
	if (t->phase != CONNECTING) {
		on_io(fd, what, arg);
		return;
	}
	int err = np_stream_connect_result(fd);
	if (err == 0) {
		start_tls(t);
		return;
	}
	close_conn(t);
	t->cur = t->cur->ai_next;
	if (t->cur == NULL) {
		fail(t, strerror(err));
		return;
	}
	t->phase = CONNECTING;
	connect_next(t);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct tls *t = arg;
	static const char *const during[] = {"", "connect", "TLS handshake", "write"};
	char what_s[80];
	snprintf(what_s, sizeof(what_s), "%s timed out after %lld ms", during[t->phase],
	         (long long)t->s->timeout_ms);
	fail(t, what_s);
}

static void
delivered(void *arg, int64_t tag)
{
	struct tls *t = arg;
	t->confirmed_any = true;
	np_sink_delivered(t->s, tag);
}

static void
on_confirm(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct tls *t = arg;
	if (t->phase != UP || np_confirm_waiting(&t->confirm) == 0)
		return;
	/* Closed under us and the loop has not said so yet: that is a break, not a delivery. */
	if (read_drain(t) == -1)
		return;
	int64_t next;
	enum np_confirm_verdict v = np_confirm_check(
	    &t->confirm, np_sock_outq(t->fd), np_mono_ms(),
	    t->s->confirm_after_ms >= 0 ? t->s->confirm_after_ms : DEFAULT_CONFIRM_AFTER_MS,
	    t->s->timeout_ms, delivered, t, &next);
	if (v == NP_CONFIRM_STUCK) {
		char what_s[96];
		snprintf(what_s, sizeof(what_s),
		         "the receiver has acknowledged nothing for %lld ms", (long long)next);
		fail(t, what_s);
		return;
	}
	if (next >= 0)
		arm_ms(t->confirm_ev, next);
	room_check(t);
}

/* Called when the receiver asks for a client certificate and the context has none. */
static int
no_client_cert(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	(void)x509;
	(void)pkey;
	struct tls *t = SSL_get_app_data(ssl);
	if (t != NULL)
		t->cert_asked = true;
	return 0; /* go on without one */
}

static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

/* A PEM key protected by a passphrase (PKCS#8 "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED").
 */
static bool
pem_encrypted(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, "ENCRYPTED") != NULL;
}

static void
key_error(const struct np_alert_cfg *cfg, char **cause)
{
	unsigned long e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
		np_cause(cause, "key_file %s does not match cert_file %s", cfg->key_file,
		         cfg->cert_file);
	else if (pem_encrypted(cfg->key_file))
		np_cause(cause,
		         "key_file %s is encrypted (not supported: give an unencrypted key "
		         "readable only by netpulse)",
		         cfg->key_file);
	else
		np_cause(cause, "key_file %s: %s", cfg->key_file,
		         ssl_reason() != NULL ? ssl_reason() : "cannot load");
}

/* The client context from the sink's config: verification, CA, client certificate. */
static SSL_CTX *
make_ctx(const struct np_alert_cfg *cfg, char **cause)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		np_cause(cause, "cannot create a TLS context: %s", ssl_reason());
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	bool has_cert = cfg->cert_file != NULL && cfg->cert_file[0] != '\0';
	bool has_key = cfg->key_file != NULL && cfg->key_file[0] != '\0';
	if (cfg->insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
		int ok = cfg->ca_file != NULL && cfg->ca_file[0] != '\0'
		             ? SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL)
		             : SSL_CTX_set_default_verify_paths(ctx);
		if (ok != 1) {
			if (cfg->ca_file != NULL && cfg->ca_file[0] != '\0')
				np_cause(cause, "ca_file %s: %s", cfg->ca_file,
				         ssl_reason() != NULL ? ssl_reason() : "cannot load");
			else
				np_cause(cause, "cannot load the system's CA certificates");
			goto fail;
		}
	}
	if (has_cert != has_key) {
		np_cause(cause, "a client certificate needs both cert_file and key_file");
		goto fail;
	}
	if (!has_cert)
		SSL_CTX_set_client_cert_cb(ctx, no_client_cert);
	if (has_cert) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1) {
			np_cause(cause, "cert_file %s: %s", cfg->cert_file,
			         ssl_reason() != NULL ? ssl_reason() : "cannot load");
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1) {
			key_error(cfg, cause);
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			np_cause(cause, "key_file %s does not match cert_file %s", cfg->key_file,
			         cfg->cert_file);
			goto fail;
		}
	}
	ERR_clear_error();
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

static void
fsig_read(const char *path, struct fsig *f)
{
	struct stat st;
	memset(f, 0, sizeof(*f));
	if (path == NULL || path[0] == '\0' || stat(path, &st) == -1)
		return;
	*f = (struct fsig){.exists = true,
	                   .dev = st.st_dev,
	                   .ino = st.st_ino,
	                   .size = st.st_size,
	                   .mtime = st.st_mtim};
}

static void
fsigs_read(const struct np_alert_cfg *files, struct fsig sig[3])
{
	fsig_read(files->ca_file, &sig[0]);
	fsig_read(files->cert_file, &sig[1]);
	fsig_read(files->key_file, &sig[2]);
}

/*
 * A certificate or key replaced on disk (renewed, rotated) is taken at the next connection:
 * a long-running daemon need not be restarted, nor its configuration changed, for it.
 * 0: the context is current; -1: the new files do not load (*cause; the old context stays).
 */
static int
refresh_ctx(struct tls *t, char **cause)
{
	struct fsig now[3];
	fsigs_read(&t->files, now);
	bool changed = false;
	for (int i = 0; i < 3; i++)
		changed = changed || now[i].exists != t->sig[i].exists ||
		          now[i].dev != t->sig[i].dev || now[i].ino != t->sig[i].ino ||
		          now[i].size != t->sig[i].size ||
		          now[i].mtime.tv_sec != t->sig[i].mtime.tv_sec ||
		          now[i].mtime.tv_nsec != t->sig[i].mtime.tv_nsec;
	if (!changed)
		return 0;
	SSL_CTX *ctx = make_ctx(&t->files, cause);
	if (ctx == NULL)
		return -1;
	SSL_CTX_free(t->ctx);
	t->ctx = ctx;
	memcpy(t->sig, now, sizeof(now));
	return 0;
}

static char *
dup_or_null(const char *p)
{
	return p != NULL && p[0] != '\0' ? np_xstrdup(p) : NULL;
}

static int
tls_open(struct np_sink *s, char **cause)
{
	struct np_alert_cfg files = {.ca_file = dup_or_null(s->cfg->ca_file),
	                             .cert_file = dup_or_null(s->cfg->cert_file),
	                             .key_file = dup_or_null(s->cfg->key_file),
	                             .insecure = s->cfg->insecure};
	struct fsig sig[3];
	fsigs_read(&files, sig); /* before reading them: a change while loading is seen later */
	SSL_CTX *ctx = make_ctx(&files, cause);
	if (ctx == NULL) {
		free(files.ca_file);
		free(files.cert_file);
		free(files.key_file);
		return -1;
	}
	struct tls *t = np_xcalloc(1, sizeof(*t));
	t->s = s;
	t->ctx = ctx;
	t->files = files;
	memcpy(t->sig, sig, sizeof(sig));
	t->fd = -1;
	np_confirm_init(&t->confirm);
	t->msg = np_xmalloc(s->max_len + 1);
	t->out = np_xmalloc(s->max_len + 24);
	t->deadline = evtimer_new(s->base, on_deadline, t);
	t->confirm_ev = evtimer_new(s->base, on_confirm, t);
	if (t->deadline == NULL || t->confirm_ev == NULL) {
		if (t->deadline != NULL)
			event_free(t->deadline);
		if (t->confirm_ev != NULL)
			event_free(t->confirm_ev);
		SSL_CTX_free(ctx);
		free(files.ca_file);
		free(files.cert_file);
		free(files.key_file);
		free(t->msg);
		free(t->out);
		free(t);
		np_cause(cause, "cannot create a timer");
		return -1;
	}
	s->impl = t;
	return 0;
}

static void
tls_close(struct np_sink *s)
{
	struct tls *t = s->impl;
	if (t->phase == UP)
		(void)SSL_shutdown(t->ssl); /* close_notify if it fits now; no waiting */
	ERR_clear_error();
	close_all(t);
	event_free(t->deadline);
	event_free(t->confirm_ev);
	if (t->ai != NULL)
		freeaddrinfo(t->ai);
	np_confirm_free(&t->confirm);
	SSL_CTX_free(t->ctx);
	free(t->files.ca_file);
	free(t->files.cert_file);
	free(t->files.key_file);
	free(t->msg);
	free(t->out);
	free(t);
}

static int
tls_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	struct tls *t = s->impl;
	if (!tls_ready(s)) {
		np_cause(cause, "not ready for another message");
		return -1;
	}
	int n = np_sink_render(s, a, t->msg, s->max_len + 1, cause);
	if (n < 0)
		return -1;
	int hdr = snprintf(t->out, 24, "%d ", n);
	memcpy(t->out + hdr, t->msg, (size_t)n);
	t->outlen = (size_t)hdr + (size_t)n;
	t->out_tag = tag;
	/* An idle connection the peer closed and the loop has not noticed yet: a new one. */
	if (t->phase == UP && !busy(t))
		(void)read_drain(t);
	t->pending = true;
	if (t->phase == UP) {
		pump(t);
	} else {
		char *why = NULL;
		if (refresh_ctx(t, &why) == -1 || (t->ai == NULL && resolve(t, &why) == -1)) {
			fail(t, why);
			free(why);
			return 0;
		}
		arm_ms(t->deadline, s->timeout_ms);
		t->cur = t->ai;
		connect_next(t);
	}
	return 0;
}

const struct sink_ops np_sink_tls_ops = {
    .open = tls_open,
    .close = tls_close,
    .send = tls_send,
    .ready = tls_ready,
};
