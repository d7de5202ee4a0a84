#ifndef NP_IO_SSH_H
#define NP_IO_SSH_H
/*
 * Fetching one remote file over SSH + SFTP without ever blocking the libevent loop (DESIGN §2,
 * STYLE §11): libssh2 runs non-blocking and every LIBSSH2_ERROR_EAGAIN is resumed from an
 * EV_READ/EV_WRITE event on the socket chosen by libssh2_session_block_directions().
 *
 * One np_ssh is one peer. Its session (TCP + SSH + SFTP) is kept between fetches while it
 * works and rebuilt on the next fetch after any error; a fetch on a kept session that finds
 * the connection dead reconnects once by itself. Host keys are ALWAYS checked against the
 * known_hosts file (OpenSSH format, plain or hashed names; "[host]:port" for a port other
 * than 22, exactly as OpenSSH writes it); an unknown or different key fails the fetch with the
 * SHA256 fingerprint of the key the server presented. Nothing is trusted on first use.
 *
 * Blocking parts, on purpose: getaddrinfo() once per connection (instant for the numeric or
 * /etc/hosts names FCs are usually configured with), reading known_hosts and the identity
 * file, and the local ssh-agent socket.
 *
 * libssh2_init() is reference-counted: np_ssh_new() takes a reference and np_ssh_free()
 * drops it, so callers need not call it (single-threaded use only, as everything here).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct np_ssh;

struct np_ssh_params {
	const char *host;          /* name or address; also the known_hosts lookup name */
	int port;                  /* 0 = 22 */
	const char *user;          /* required */
	const char *identity_file; /* private key; its public half is derived. NULL = none */
	bool use_agent;            /* try the keys of the agent at $SSH_AUTH_SOCK */
	const char *password;      /* NULL = no password authentication; never logged */
	const char *known_hosts;   /* required */
	int64_t timeout_ms;        /* deadline of one fetch, connect + transfer; <= 0: none */
	const char *limit_name;    /* the size limit in messages ("max_file_size"); NULL = "the
	                              limit of" */
};

/*
 * ok: 0 = success (data/len: the whole file, borrowed for the call), -1 = failure (cause: why,
 * borrowed). Called exactly once per started fetch, always from a libevent callback (never
 * from inside np_ssh_fetch), and never after np_ssh_cancel(). The callback may start the next
 * fetch or free the np_ssh.
 */
typedef void (*np_ssh_done_fn)(void *arg, int ok, const char *data, size_t len, const char *cause);

/* Copies every parameter; connects lazily on the first fetch. NULL + *cause if invalid. */
struct np_ssh *np_ssh_new(struct event_base *base, const struct np_ssh_params *params,
                          char **cause);
/*
 * Starts reading remote_path. A file larger than max_bytes fails as soon as the server tells
 * its size, before any of it is read ("PATH is N bytes, over LIMIT_NAME MAX"), and also if it
 * grows past max_bytes while being read ("PATH grew past LIMIT_NAME MAX while being read").
 * Returns -1 with *cause (and done is not called) if a fetch is already running or the
 * arguments are invalid.
 */
int np_ssh_fetch(struct np_ssh *s, const char *remote_path, size_t max_bytes, np_ssh_done_fn done,
                 void *arg, char **cause);
/* Aborts the running fetch, if any (its connection is dropped); done is not called. */
void np_ssh_cancel(struct np_ssh *s);
/* Cancels, disconnects and frees. NULL is allowed. */
void np_ssh_free(struct np_ssh *s);

/* TCP connections made so far (a reused session does not add one): for tests and logs. */
uint64_t np_ssh_connections(const struct np_ssh *s);
/* File bytes received by every fetch so far: for tests and logs. */
uint64_t np_ssh_bytes_read(const struct np_ssh *s);
/* Whether an authenticated SFTP session is being kept for the next fetch. */
bool np_ssh_connected(const struct np_ssh *s);

#endif
