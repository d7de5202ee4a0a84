#ifndef NP_IO_SMTP_H
#define NP_IO_SMTP_H
/*
 * Reports by e-mail: an RFC 5322 / MIME message (multipart/mixed: a text/plain body and one
 * attachment, base64 so its bytes arrive exactly as written) and its delivery with libcurl's
 * SMTP. smtp:// requires STARTTLS (CURLUSESSL_ALL: a server that does not offer it fails the
 * send, nothing goes in clear); smtps:// is TLS from the first byte. TLS is always verified
 * (ca_file, or the system store) unless `insecure` was written by the user.
 *
 * Two ways to run a transfer: np_smtp_send() blocks (the CLI), np_smtp_job_easy() hands the
 * prepared easy handle to an event loop (the daemon: np_http_add_easy) and
 * np_smtp_job_result() turns curl's result into a cause. The password is never part of a
 * cause or a log line.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np_mail {
	const char *from;
	const char *const *to;
	size_t nto;
	const char *subject; /* UTF-8; RFC 2047 encoded when not plain ASCII */
	const char *body;    /* UTF-8 text; LF or CRLF line ends, sent as CRLF */
	/* One attachment (NULL name = none), sent base64. */
	const char *att_name, *att_type;
	const char *att;
	size_t att_len;
	int64_t date; /* UTC seconds, for the Date header (written in UTC) */
	/*
	 * Makes Message-ID and the MIME boundary unique: letters and digits only (e.g. time, pid
	 * and random bytes in hex). Passed in so the message is a pure function of its inputs.
	 */
	const char *unique;
};

/*
 * The whole message, CRLF line ends, malloc'd (*len bytes, NUL-terminated). NULL with *cause
 * when an address or header would be unsafe (CR/LF, no '@', <> in an address) or unique is
 * not alphanumeric.
 */
char *np_mail_build(const struct np_mail *m, size_t *len, char **cause);
/* An address as a mail header or SMTP envelope accepts it: 0 or -1 with *cause. */
int np_mail_addr_check(const char *addr, char **cause);
/* Standard base64 of buf, lines of 76 characters each ending CRLF. malloc'd. */
char *np_mail_base64(const void *buf, size_t len, size_t *outlen);
/* letters and digits from the time, the pid and /dev/urandom, for np_mail.unique. */
void np_mail_unique(char out[48]);

struct np_smtp_cfg {
	const char
	    *server; /* smtp://host[:port] (STARTTLS, default port 587) or smtps://host[:port] */
	const char *user;     /* NULL = no AUTH */
	const char *password; /* with user; never logged */
	const char *ca_file;  /* NULL = the system store */
	bool insecure;        /* no TLS verification (the config loader warns) */
	int64_t timeout_ms;   /* whole transfer; <= 0: 60 s */
};

struct np_smtp_job;

/*
 * Prepares one delivery of msg (copied) from `from` to every address of `to`. NULL with
 * *cause for a bad server URL or address.
 */
struct np_smtp_job *np_smtp_job_new(const struct np_smtp_cfg *cfg, const char *from,
                                    const char *const *to, size_t nto, const char *msg, size_t len,
                                    char **cause);
/* The CURL * to add to a multi handle; owned by the job. */
void *np_smtp_job_easy(struct np_smtp_job *j);
/*
 * After the transfer ended with curl_code (CURLcode): 0 when the server accepted the message,
 * else -1 with *cause "smtp://host:port: <curl's reason> (server said: <last reply>)".
 */
int np_smtp_job_result(struct np_smtp_job *j, int curl_code, char **cause);
void np_smtp_job_free(struct np_smtp_job *j);

/* Blocking delivery (curl_easy_perform): the CLI only, never the daemon's loop. */
int np_smtp_send(const struct np_smtp_cfg *cfg, const char *from, const char *const *to, size_t nto,
                 const char *msg, size_t len, char **cause);

#endif
