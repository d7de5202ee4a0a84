#include "io/ssh.h"

#include <errno.h>
#include <event2/event.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/cause.h"
#include "util/xmalloc.h"

/* Where a connection is. A fetch runs CONNECT..CLOSE; READY is a kept, idle session. */
enum state {
	ST_IDLE, /* no connection */
	ST_CONNECT,
	ST_HANDSHAKE,
	ST_AUTH_LIST,
	ST_AUTH_KEY,
	ST_AUTH_AGENT,
	ST_AUTH_PASSWORD,
	ST_SFTP_INIT,
	ST_READY,
	ST_OPEN,
	ST_STAT,
	ST_READ,
	ST_CLOSE,
};

static const char *const state_names[] = {
    [ST_IDLE] = "idle",
    [ST_CONNECT] = "connecting",
    [ST_HANDSHAKE] = "SSH handshake",
    [ST_AUTH_LIST] = "authentication",
    [ST_AUTH_KEY] = "public key authentication",
    [ST_AUTH_AGENT] = "agent authentication",
    [ST_AUTH_PASSWORD] = "password authentication",
    [ST_SFTP_INIT] = "SFTP start",
    [ST_READY] = "idle",
    [ST_OPEN] = "opening the file",
    [ST_STAT] = "asking the file size",
    [ST_READ] = "reading the file",
    [ST_CLOSE] = "closing the file",
};

/* Authentication methods, tried in this order. */
enum method { M_KEY, M_AGENT, M_PASSWORD, M_END };

/* Step results. */
#define STEP_NEXT 0  /* state advanced: run the next one */
#define STEP_WAIT 1  /* waiting for the socket */
#define STEP_FAIL -1 /* s->err says why */

#define READ_CHUNK (1024 * 1024)

struct np_ssh {
	struct event_base *base;
	char *host, *user, *identity_file, *password, *known_hosts, *limit_name;
	int port;
	bool use_agent;
	int64_t timeout_ms;
	char lookup[300]; /* known_hosts name: host, or [host]:port */

	enum state st;
	int fd;
	struct addrinfo *ai, *ai_next;
	int connect_errno;
	LIBSSH2_SESSION *sess;
	LIBSSH2_SFTP *sftp;
	LIBSSH2_SFTP_HANDLE *fh;
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *ident;
	enum method method;
	char offered[256]; /* methods the server offers */
	char tried[512];   /* what failed, for the final message */
	struct event *io, *kick, *deadline, *nudge;
	short waiting; /* EV_READ / EV_WRITE the fetch waits for, for the timeout message */
	uint64_t connections;
	uint64_t bytes_read;

	/* The running fetch. */
	bool busy, reused, retried;
	bool sized; /* buf holds the size the server told */
	char *path;
	size_t max;
	np_ssh_done_fn done;
	void *arg;
	char *buf;
	size_t len, cap;
	char *err; /* cause of the failing step */
};

static void step(struct np_ssh *s);

static void set_err(struct np_ssh *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_err(struct np_ssh *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(s->err);
	s->err = np_xvasprintf(fmt, ap);
	va_end(ap);
}

static const char *
sess_error(struct np_ssh *s)
{
	char *msg = NULL;
	int len = 0;
	if (s->sess == NULL || libssh2_session_last_error(s->sess, &msg, &len, 0) == 0 ||
	    msg == NULL)
		return "unknown error";
	return msg;
}

static void
b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = tab[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = tab[v & 63];
	}
	out[o] = '\0'; /* no '=' padding: the ssh-keygen -l form */
}

/* Decodes standard base64 into out (cap bytes); returns the length or -1. */
static long
unb64(const char *in, size_t n, unsigned char *out, size_t cap)
{
	uint32_t v = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n && in[i] != '='; i++) {
		const char c = in[i];
		int d = c >= 'A' && c <= 'Z'   ? c - 'A'
		        : c >= 'a' && c <= 'z' ? c - 'a' + 26
		        : c >= '0' && c <= '9' ? c - '0' + 52
		        : c == '+'             ? 62
		        : c == '/'             ? 63
		                               : -1;
		if (d < 0)
			return -1;
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -1;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	return (long)o;
}

/* ---- events ---- */

static void
io_cb(evutil_socket_t fd, short what, void *arg)
{
	step(arg);
}

static void
kick_cb(evutil_socket_t fd, short what, void *arg)
{
	step(arg);
}

static void
nudge_cb(evutil_socket_t fd, short what, void *arg)
{
	struct np_ssh *s = arg;
	if (s->st == ST_CONNECT) /* only the socket can say when connect() is done */
		return;
	step(s);
}

/*
 * While waiting on the socket, the step is also retried every second, as libssh2's own
 * examples do with their select() timeout: a wakeup libssh2 failed to ask for then costs a
 * second instead of the whole deadline. A retry that finds nothing to do is one EAGAIN.
 */
static const struct timeval nudge_every = {1, 0};

static void
wait_fd(struct np_ssh *s, short what)
{
	event_del(s->io);
	event_assign(s->io, s->base, s->fd, what, io_cb, s);
	event_add(s->io, NULL);
	evtimer_add(s->nudge, &nudge_every);
	s->waiting = what;
}

/* After EAGAIN: wait for what libssh2 said it is blocked on. */
static int
wait_session(struct np_ssh *s)
{
	int dir = libssh2_session_block_directions(s->sess);
	short what = 0;
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		what |= EV_READ;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		what |= EV_WRITE;
	wait_fd(s, what ? what : EV_READ);
	return STEP_WAIT;
}

/* ---- connection teardown ---- */

/*
 * Drops the connection. The socket is shut down before libssh2 cleans up, so every call
 * below fails at once instead of returning EAGAIN (a dead peer must not hang or leak).
 */
static void
drop(struct np_ssh *s, bool graceful)
{
	event_del(s->nudge);
	s->waiting = 0;
	if (s->io != NULL) {
		event_free(s->io);
		s->io = NULL;
	}
	if (s->sess != NULL) {
		if (graceful)
			libssh2_session_disconnect(s->sess, "netpulse: done");
		if (s->fd >= 0)
			shutdown(s->fd, SHUT_RDWR);
		if (s->fh != NULL)
			libssh2_sftp_close_handle(s->fh);
		if (s->sftp != NULL)
			libssh2_sftp_shutdown(s->sftp);
		if (s->agent != NULL) {
			libssh2_agent_disconnect(s->agent);
			libssh2_agent_free(s->agent);
		}
		for (int i = 0; i < 3 && libssh2_session_free(s->sess) == LIBSSH2_ERROR_EAGAIN; i++)
			;
	}
	s->fh = NULL;
	s->sftp = NULL;
	s->agent = NULL;
	s->ident = NULL;
	s->sess = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->ai != NULL)
		freeaddrinfo(s->ai);
	s->ai = s->ai_next = NULL;
	s->st = ST_IDLE;
}

/* Ends the fetch (not the connection) and hands back the callback to call. */
static void
end_fetch(struct np_ssh *s, np_ssh_done_fn *done, void **arg)
{
	*done = s->done;
	*arg = s->arg;
	event_del(s->kick);
	event_del(s->deadline);
	event_del(s->nudge);
	free(s->path);
	s->path = NULL;
	s->busy = false;
	s->done = NULL;
	s->arg = NULL;
}

static void
fail(struct np_ssh *s, const char *why)
{
	np_ssh_done_fn done;
	void *arg;
	char *cause = np_xstrdup(why);

	drop(s, false);
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
	end_fetch(s, &done, &arg);
	done(arg, -1, NULL, 0, cause); /* may free s */
	free(cause);
}

static void
succeed(struct np_ssh *s)
{
	np_ssh_done_fn done;
	void *arg;
	char *buf = s->buf;
	size_t len = s->len;

	s->buf = NULL;
	s->len = s->cap = 0;
	end_fetch(s, &done, &arg);
	done(arg, 0, buf != NULL ? buf : "", len, NULL); /* may free s or fetch again */
	free(buf);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct np_ssh *s = arg;
	const char *detail = "";
	if (s->st != ST_CONNECT && (s->waiting & EV_WRITE))
		detail = ", sending";
	else if (s->st != ST_CONNECT && (s->waiting & EV_READ))
		detail = ", no answer from the server";
	char why[200];
	snprintf(why, sizeof(why), "timed out after %lld ms (%s%s)", (long long)s->timeout_ms,
	         state_names[s->st], detail);
	fail(s, why);
}

/* ---- connect ---- */

static int
connected(struct np_ssh *s)
{
	int one = 1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	freeaddrinfo(s->ai);
	s->ai = s->ai_next = NULL;
	s->connections++;
	s->sess = libssh2_session_init_ex(NULL, NULL, NULL, s);
	if (s->sess == NULL) {
		set_err(s, "cannot create an SSH session");
		return STEP_FAIL;
	}
	libssh2_session_set_blocking(s->sess, 0);
	s->st = ST_HANDSHAKE;
	return STEP_NEXT;
}

/* Tries the remaining addresses until one connects or is in progress. */
static int
try_connect(struct np_ssh *s)
{
	if (s->ai == NULL) {
		struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
		char port[16];
		snprintf(port, sizeof(port), "%d", s->port);
		int rc = getaddrinfo(s->host, port, &hints, &s->ai);
		if (rc != 0) {
			s->ai = NULL;
			set_err(s, "cannot resolve %s: %s", s->host, gai_strerror(rc));
			return STEP_FAIL;
		}
		s->ai_next = s->ai;
		s->connect_errno = 0;
	}
	while (s->ai_next != NULL) {
		struct addrinfo *a = s->ai_next;
		s->ai_next = a->ai_next;
		s->fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		               a->ai_protocol);
		if (s->fd == -1) {
			s->connect_errno = errno;
			continue;
		}
		s->io = event_new(s->base, s->fd, EV_WRITE, io_cb, s);
		if (connect(s->fd, a->ai_addr, a->ai_addrlen) == 0)
			return connected(s);
		if (errno == EINPROGRESS) {
			s->st = ST_CONNECT;
			wait_fd(s, EV_WRITE);
			return STEP_WAIT;
		}
		s->connect_errno = errno;
		event_free(s->io);
		s->io = NULL;
		close(s->fd);
		s->fd = -1;
	}
	set_err(s, "connect: %s", strerror(s->connect_errno ? s->connect_errno : EHOSTUNREACH));
	return STEP_FAIL;
}

static int
connect_done(struct np_ssh *s)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0)
		return connected(s);
	s->connect_errno = err;
	event_free(s->io);
	s->io = NULL;
	close(s->fd);
	s->fd = -1;
	return try_connect(s);
}

/* ---- host key ---- */

struct keytype {
	int hostkey; /* LIBSSH2_HOSTKEY_TYPE_* */
	int mask;    /* LIBSSH2_KNOWNHOST_KEY_* */
	const char *name;
};

static const struct keytype keytypes[] = {
    {LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521"},
    {LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa"},
    {LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss"},
};

/* Whether a "@revoked <hosts> <type> <base64>" line names this very key (any host). */
static bool
revoked_line_matches(const char *line, const char *key, size_t klen)
{
	char type[64], blob[8192];
	unsigned char raw[6144];
	if (sscanf(line, "@revoked %*s %63s %8191s", type, blob) != 2)
		return false;
	long n = unb64(blob, strlen(blob), raw, sizeof(raw));
	return n == (long)klen && memcmp(raw, key, klen) == 0;
}

static int
check_hostkey(struct np_ssh *s)
{
	size_t klen = 0;
	int ktype = 0;
	const char *key = libssh2_session_hostkey(s->sess, &klen, &ktype);
	if (key == NULL) {
		set_err(s, "server sent no host key");
		return STEP_FAIL;
	}
	const struct keytype *kt = NULL;
	for (size_t i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++)
		if (keytypes[i].hostkey == ktype)
			kt = &keytypes[i];
	const unsigned char *sha =
	    (const unsigned char *)libssh2_hostkey_hash(s->sess, LIBSSH2_HOSTKEY_HASH_SHA256);
	char fp[64] = "SHA256:?";
	if (sha != NULL)
		b64(sha, 32, fp + 7);
	const char *kname = kt != NULL ? kt->name : "unknown-type";
	if (kt == NULL) {
		set_err(s, "host key of %s has an unsupported type (%d, %s)", s->lookup, ktype, fp);
		return STEP_FAIL;
	}

	FILE *f = fopen(s->known_hosts, "r");
	if (f == NULL) {
		set_err(s, "cannot read known_hosts %s: %s", s->known_hosts, strerror(errno));
		return STEP_FAIL;
	}
	LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(s->sess);
	if (kh == NULL) {
		fclose(f);
		set_err(s, "cannot check the host key: %s", sess_error(s));
		return STEP_FAIL;
	}
	char *line = NULL;
	size_t cap = 0, unusable = 0;
	bool revoked = false;
	while (getline(&line, &cap, f) != -1) {
		const char *p = line + strspn(line, " \t");
		if (strncmp(p, "@revoked", 8) == 0) {
			revoked |= revoked_line_matches(p, key, klen);
			continue;
		}
		if (*p == '@' || libssh2_knownhost_readline(kh, p, strlen(p),
		                                            LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0)
			unusable++; /* e.g. @cert-authority, or a key type libssh2 cannot read */
	}
	free(line);
	fclose(f);

	int rc = revoked ? LIBSSH2_KNOWNHOST_CHECK_FAILURE
	                 : libssh2_knownhost_checkp(kh, s->lookup, -1, key, klen,
	                                            LIBSSH2_KNOWNHOST_TYPE_PLAIN |
	                                                LIBSSH2_KNOWNHOST_KEYENC_RAW | kt->mask,
	                                            NULL);
	libssh2_knownhost_free(kh);
	char extra[96] = "";
	if (unusable > 0)
		snprintf(extra, sizeof(extra), "; %zu line(s) of it could not be used", unusable);
	switch (rc) {
	case LIBSSH2_KNOWNHOST_CHECK_MATCH:
		return STEP_NEXT;
	case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
		set_err(s,
		        "host key mismatch for %s: the server presented %s %s, known_hosts %s "
		        "lists a different %s key (possible man-in-the-middle; refused)",
		        s->lookup, kname, fp, s->known_hosts, kname);
		return STEP_FAIL;
	case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
		set_err(s,
		        "host key for %s not found in known_hosts %s%s: the server presented %s %s "
		        "(refused; add the key once its fingerprint is verified)",
		        s->lookup, s->known_hosts, extra, kname, fp);
		return STEP_FAIL;
	default:
		if (revoked)
			set_err(s, "host key %s %s of %s is marked @revoked in %s (refused)", kname,
			        fp, s->lookup, s->known_hosts);
		else
			set_err(s, "host key check for %s failed: %s", s->lookup, sess_error(s));
		return STEP_FAIL;
	}
}

/* ---- authentication ---- */

static void
note_tried(struct np_ssh *s, const char *what)
{
	size_t n = strlen(s->tried);
	snprintf(s->tried + n, sizeof(s->tried) - n, "%s%s", n ? "; " : "", what);
}

static bool
offered(const struct np_ssh *s, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = s->offered; (p = strstr(p, method)) != NULL; p += n)
		if ((p == s->offered || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Moves to the next configured method the server offers, or fails. */
static int
next_method(struct np_ssh *s)
{
	for (s->method++; s->method < M_END; s->method++) {
		if (s->method == M_KEY && s->identity_file != NULL && offered(s, "publickey")) {
			s->st = ST_AUTH_KEY;
			return STEP_NEXT;
		}
		if (s->method == M_AGENT && s->use_agent && offered(s, "publickey")) {
			s->st = ST_AUTH_AGENT;
			return STEP_NEXT;
		}
		if (s->method == M_PASSWORD && s->password != NULL && offered(s, "password")) {
			s->st = ST_AUTH_PASSWORD;
			return STEP_NEXT;
		}
	}
	if (s->tried[0] != '\0')
		set_err(s, "authentication as %s failed (%s; server offers: %s)", s->user, s->tried,
		        s->offered);
	else
		set_err(s,
		        "no usable authentication method for %s (configured:%s%s%s; server "
		        "offers: %s)",
		        s->user, s->identity_file ? " identity_file" : "",
		        s->use_agent ? " agent" : "", s->password ? " password" : "", s->offered);
	return STEP_FAIL;
}

static int
auth_list(struct np_ssh *s)
{
	char *list = libssh2_userauth_list(s->sess, s->user, (unsigned)strlen(s->user));
	if (list == NULL) {
		if (libssh2_userauth_authenticated(s->sess)) { /* "none" was accepted */
			s->st = ST_SFTP_INIT;
			return STEP_NEXT;
		}
		if (libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
			return wait_session(s);
		set_err(s, "authentication: %s", sess_error(s));
		return STEP_FAIL;
	}
	snprintf(s->offered, sizeof(s->offered), "%s", list);
	s->tried[0] = '\0';
	s->method = (enum method) - 1;
	return next_method(s);
}

static int
auth_result(struct np_ssh *s, int rc, const char *what)
{
	if (rc == 0) {
		s->st = ST_SFTP_INIT;
		return STEP_NEXT;
	}
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return wait_session(s);
	char msg[400];
	snprintf(msg, sizeof(msg), "%s: %s", what, sess_error(s));
	note_tried(s, msg);
	return next_method(s);
}

static int
auth_key(struct np_ssh *s)
{
	/* "" rather than NULL: an encrypted PEM key must fail, not prompt on a terminal. */
	int rc = libssh2_userauth_publickey_fromfile_ex(s->sess, s->user, (unsigned)strlen(s->user),
	                                                NULL, s->identity_file, "");
	char what[300];
	snprintf(what, sizeof(what), "publickey %s", s->identity_file);
	return auth_result(s, rc, what);
}

static int
auth_agent(struct np_ssh *s)
{
	if (s->agent == NULL) {
		s->agent = libssh2_agent_init(s->sess);
		if (s->agent == NULL || libssh2_agent_connect(s->agent) != 0 ||
		    libssh2_agent_list_identities(s->agent) != 0) {
			note_tried(s, "agent: cannot use $SSH_AUTH_SOCK");
			if (s->agent != NULL) {
				libssh2_agent_disconnect(s->agent);
				libssh2_agent_free(s->agent);
				s->agent = NULL;
			}
			return next_method(s);
		}
		s->ident = NULL;
		if (libssh2_agent_get_identity(s->agent, &s->ident, NULL) != 0) {
			note_tried(s, "agent: no keys");
			return next_method(s);
		}
	}
	for (;;) {
		int rc = libssh2_agent_userauth(s->agent, s->user, s->ident);
		if (rc == 0) {
			s->st = ST_SFTP_INIT;
			return STEP_NEXT;
		}
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return wait_session(s);
		struct libssh2_agent_publickey *prev = s->ident;
		if (libssh2_agent_get_identity(s->agent, &s->ident, prev) != 0) {
			note_tried(s, "agent: no key accepted");
			return next_method(s);
		}
	}
}

static int
auth_password(struct np_ssh *s)
{
	int rc = libssh2_userauth_password_ex(s->sess, s->user, (unsigned)strlen(s->user),
	                                      s->password, (unsigned)strlen(s->password), NULL);
	return auth_result(s, rc, "password");
}

/* ---- SFTP ---- */

static const char *
fx_name(unsigned long fx)
{
	switch (fx) {
	case LIBSSH2_FX_NO_SUCH_FILE:
		return "no such file";
	case LIBSSH2_FX_PERMISSION_DENIED:
		return "permission denied";
	case LIBSSH2_FX_NO_SUCH_PATH:
		return "no such path";
	case LIBSSH2_FX_NOT_A_DIRECTORY:
		return "not a directory";
	case LIBSSH2_FX_FAILURE:
		return "failure (e.g. a directory)";
	default:
		return "SFTP error";
	}
}

/*
 * A kept session may have died while idle (peer restarted, idle timeout): the first error on
 * it is retried once on a new connection, unless the server answered (an SFTP status).
 */
static int
transport_error(struct np_ssh *s, const char *what)
{
	if (s->reused && !s->retried) {
		s->retried = true;
		s->reused = false;
		drop(s, false);
		s->len = 0;
		return STEP_NEXT; /* st = ST_IDLE: connect again */
	}
	set_err(s, "%s %s: %s", what, s->path, sess_error(s));
	return STEP_FAIL;
}

/* An SFTP step failed with libssh2 error `e`: the server's SFTP status, or the transport's. */
static int
sftp_error(struct np_ssh *s, int e, const char *what)
{
	if (e != LIBSSH2_ERROR_SFTP_PROTOCOL)
		return transport_error(s, what);
	unsigned long fx = libssh2_sftp_last_error(s->sftp);
	set_err(s, "%s %s: %s (SFTP status %lu)", what, s->path, fx_name(fx), fx);
	return STEP_FAIL;
}

static int
sftp_init(struct np_ssh *s)
{
	s->sftp = libssh2_sftp_init(s->sess);
	if (s->sftp == NULL) {
		if (libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
			return wait_session(s);
		set_err(s, "SFTP subsystem: %s", sess_error(s));
		return STEP_FAIL;
	}
	s->st = s->busy ? ST_OPEN : ST_READY;
	return STEP_NEXT;
}

static int
sftp_open(struct np_ssh *s)
{
	s->fh = libssh2_sftp_open_ex(s->sftp, s->path, (unsigned)strlen(s->path), LIBSSH2_FXF_READ,
	                             0, LIBSSH2_SFTP_OPENFILE);
	if (s->fh == NULL) {
		int e = libssh2_session_last_errno(s->sess);
		if (e == LIBSSH2_ERROR_EAGAIN)
			return wait_session(s);
		return sftp_error(s, e, "cannot open");
	}
	s->len = 0;
	s->sized = false;
	s->st = ST_STAT;
	return STEP_NEXT;
}

/*
 * A file over the limit is refused on its size alone, before a byte of it is read: a huge
 * file must cost neither the download nor the memory. The size is also the buffer to read
 * into. A server that sends no size (or a file that reports 0, as /proc files do) is read
 * anyway, and sftp_read enforces the limit.
 */
static int
sftp_stat(struct np_ssh *s)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	int rc = libssh2_sftp_fstat_ex(s->fh, &a, 0);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return wait_session(s);
	if (rc != 0)
		return sftp_error(s, rc, "cannot stat");
	if (a.flags & LIBSSH2_SFTP_ATTR_SIZE) {
		if (a.filesize > s->max) {
			set_err(s, "%s is %llu bytes, over %s %zu", s->path,
			        (unsigned long long)a.filesize, s->limit_name, s->max);
			return STEP_FAIL;
		}
		/* Room for the whole file and one byte more (to see it grow) in one go. */
		size_t want = (size_t)a.filesize + 1;
		if (want > s->cap) {
			free(s->buf);
			s->buf = np_xmalloc(want);
			s->cap = want;
		}
		s->sized = true;
	}
	s->st = ST_READ;
	return STEP_NEXT;
}

static int
sftp_read(struct np_ssh *s)
{
	for (;;) {
		/* Grow to at most max + 1 bytes: one more than allowed tells "too large". A buffer
		 * sized by sftp_stat is only grown once full (the file grew). */
		if (s->cap - s->len < (s->sized ? 1 : READ_CHUNK) && s->cap < s->max + 1) {
			size_t ncap = s->cap ? s->cap * 2 : 64 * 1024;
			while (ncap - s->len < READ_CHUNK)
				ncap *= 2;
			if (ncap > s->max + 1)
				ncap = s->max + 1;
			s->buf = np_xreallocarray(s->buf, ncap, 1);
			s->cap = ncap;
		}
		size_t room = s->cap - s->len;
		ssize_t n = libssh2_sftp_read(s->fh, s->buf + s->len,
		                              room < READ_CHUNK ? room : READ_CHUNK);
		if (n > 0) {
			s->len += (size_t)n;
			s->bytes_read += (uint64_t)n;
			if (s->len > s->max) {
				set_err(s, "%s grew past %s %zu while being read", s->path,
				        s->limit_name, s->max);
				return STEP_FAIL;
			}
			continue;
		}
		if (n == 0) {
			s->st = ST_CLOSE;
			return STEP_NEXT;
		}
		if (n == LIBSSH2_ERROR_EAGAIN)
			return wait_session(s);
		return sftp_error(s, (int)n, "cannot read");
	}
}

static int
sftp_close(struct np_ssh *s)
{
	int rc = libssh2_sftp_close_handle(s->fh);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return wait_session(s);
	s->fh = NULL; /* libssh2 freed it, whatever rc says */
	if (rc != 0)
		drop(s, false); /* the data is whole; the session is not to be trusted */
	else
		s->st = ST_READY;
	succeed(s);
	return STEP_WAIT; /* s may be gone: stop here */
}

/* ---- the state machine ---- */

static void
step(struct np_ssh *s)
{
	for (;;) {
		int rc;
		switch (s->st) {
		case ST_IDLE:
			rc = try_connect(s);
			break;
		case ST_CONNECT:
			rc = connect_done(s);
			break;
		case ST_HANDSHAKE:
			rc = libssh2_session_handshake(s->sess, s->fd);
			if (rc == LIBSSH2_ERROR_EAGAIN) {
				rc = wait_session(s);
			} else if (rc != 0) {
				set_err(s, "SSH handshake: %s", sess_error(s));
				rc = STEP_FAIL;
			} else {
				rc = check_hostkey(s);
				if (rc == STEP_NEXT)
					s->st = ST_AUTH_LIST;
			}
			break;
		case ST_AUTH_LIST:
			rc = auth_list(s);
			break;
		case ST_AUTH_KEY:
			rc = auth_key(s);
			break;
		case ST_AUTH_AGENT:
			rc = auth_agent(s);
			break;
		case ST_AUTH_PASSWORD:
			rc = auth_password(s);
			break;
		case ST_SFTP_INIT:
			rc = sftp_init(s);
			break;
		case ST_READY:
			if (!s->busy)
				return;
			s->st = ST_OPEN;
			rc = STEP_NEXT;
			break;
		case ST_OPEN:
			rc = sftp_open(s);
			break;
		case ST_STAT:
			rc = sftp_stat(s);
			break;
		case ST_READ:
			rc = sftp_read(s);
			break;
		case ST_CLOSE:
			rc = sftp_close(s);
			break;
		default:
			set_err(s, "internal error: state %d", (int)s->st);
			rc = STEP_FAIL;
		}
		if (rc == STEP_WAIT)
			return;
		if (rc == STEP_FAIL) {
			fail(s, s->err != NULL ? s->err : "unknown error");
			return;
		}
	}
}

/* ---- public ---- */

struct np_ssh *
np_ssh_new(struct event_base *base, const struct np_ssh_params *p, char **cause)
{
	if (p->host == NULL || p->host[0] == '\0') {
		np_cause(cause, "ssh: no host");
		return NULL;
	}
	if (p->user == NULL || p->user[0] == '\0') {
		np_cause(cause, "ssh: no user");
		return NULL;
	}
	if (p->known_hosts == NULL || p->known_hosts[0] == '\0') {
		np_cause(cause, "ssh: known_hosts is required (host keys are always verified)");
		return NULL;
	}
	if (p->port < 0 || p->port > 65535) {
		np_cause(cause, "ssh: bad port %d", p->port);
		return NULL;
	}
	if (libssh2_init(0) != 0) {
		np_cause(cause, "ssh: libssh2_init failed");
		return NULL;
	}
	struct np_ssh *s = np_xcalloc(1, sizeof(*s));
	s->base = base;
	s->host = np_xstrdup(p->host);
	s->user = np_xstrdup(p->user);
	s->identity_file = p->identity_file ? np_xstrdup(p->identity_file) : NULL;
	s->password = p->password ? np_xstrdup(p->password) : NULL;
	s->known_hosts = np_xstrdup(p->known_hosts);
	s->limit_name = np_xstrdup(p->limit_name ? p->limit_name : "the limit of");
	s->use_agent = p->use_agent;
	s->port = p->port ? p->port : 22;
	s->timeout_ms = p->timeout_ms;
	s->fd = -1;
	/* OpenSSH's known_hosts naming: plain for port 22, "[host]:port" otherwise. */
	if (s->port == 22)
		snprintf(s->lookup, sizeof(s->lookup), "%s", s->host);
	else
		snprintf(s->lookup, sizeof(s->lookup), "[%s]:%d", s->host, s->port);
	s->kick = evtimer_new(base, kick_cb, s);
	s->deadline = evtimer_new(base, deadline_cb, s);
	s->nudge = evtimer_new(base, nudge_cb, s);
	return s;
}

int
np_ssh_fetch(struct np_ssh *s, const char *remote_path, size_t max_bytes, np_ssh_done_fn done,
             void *arg, char **cause)
{
	if (s->busy) {
		np_cause(cause, "ssh: a fetch is already running");
		return -1;
	}
	if (remote_path == NULL || remote_path[0] == '\0' || done == NULL || max_bytes == 0) {
		np_cause(cause, "ssh: bad fetch arguments");
		return -1;
	}
	s->busy = true;
	s->reused = s->st == ST_READY;
	s->retried = false;
	s->path = np_xstrdup(remote_path);
	s->max = max_bytes < SIZE_MAX / 4 ? max_bytes : SIZE_MAX / 4;
	s->done = done;
	s->arg = arg;
	s->len = 0;
	if (s->timeout_ms > 0) {
		struct timeval tv = {.tv_sec = s->timeout_ms / 1000,
		                     .tv_usec = (s->timeout_ms % 1000) * 1000};
		evtimer_add(s->deadline, &tv);
	}
	/* Run from the loop, so done is never called from inside this function. */
	struct timeval zero = {0, 0};
	evtimer_add(s->kick, &zero);
	return 0;
}

void
np_ssh_cancel(struct np_ssh *s)
{
	if (s == NULL || !s->busy)
		return;
	np_ssh_done_fn done;
	void *arg;
	if (s->st != ST_READY)
		drop(s, false); /* mid-protocol: the session cannot be resumed */
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
	end_fetch(s, &done, &arg);
}

void
np_ssh_free(struct np_ssh *s)
{
	if (s == NULL)
		return;
	np_ssh_cancel(s);
	drop(s, s->st == ST_READY);
	event_free(s->kick);
	event_free(s->deadline);
	event_free(s->nudge);
	free(s->host);
	free(s->user);
	free(s->identity_file);
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->known_hosts);
	free(s->limit_name);
	free(s->buf);
	free(s->err);
	free(s);
	libssh2_exit();
}

uint64_t
np_ssh_connections(const struct np_ssh *s)
{
	return s->connections;
}

uint64_t
np_ssh_bytes_read(const struct np_ssh *s)
{
	return s->bytes_read;
}

bool
np_ssh_connected(const struct np_ssh *s)
{
	return s->st == ST_READY;
}
