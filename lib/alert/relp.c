/* RELP frames of a client and the parser of a server's frames (no I/O; see relp.h). */
#include "alert/relp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cause.h"
#include "util/xmalloc.h"

#define NUM_DIGITS_MAX 9

enum state { ST_TXNR, ST_CMD, ST_LEN, ST_DATA, ST_TRAILER, ST_ERROR };

struct np_relp_parser {
	enum state st;
	size_t max_data;
	uint64_t offset; /* bytes of the stream taken so far (for messages) */
	uint32_t txnr;
	int digits; /* of the number being read */
	char cmd[NP_RELP_CMD_MAX + 1];
	size_t cmdlen;
	size_t datalen, have;
	char *data; /* max_data + 1 */
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

long
np_relp_frame(char *buf, size_t size, uint32_t txnr, const char *cmd, const char *data, size_t len)
{
	size_t cl = cmd != NULL ? strlen(cmd) : 0;
	if (cl == 0 || cl > NP_RELP_CMD_MAX || txnr > NP_RELP_TXNR_MAX || len > 999999999 ||
	    (len > 0 && data == NULL))
		return -1;
	for (size_t i = 0; i < cl; i++)
		if (!is_alpha(cmd[i]))
			return -1;
	char head[64];
	int h = snprintf(head, sizeof(head), "%u %s %zu%s", (unsigned)txnr, cmd, len,
	                 len > 0 ? " " : "");
	if (h < 0 || (size_t)h >= sizeof(head))
		return -1;
	size_t total = (size_t)h + len + 1;
	if (total > size)
		return -1;
	memcpy(buf, head, (size_t)h);
	if (len > 0)
		memcpy(buf + h, data, len);
	buf[total - 1] = '\n';
	return (long)total;
}

long
np_relp_open(char *buf, size_t size, uint32_t txnr, const char *version)
{
	/* A version with LF or ',' would change the offers' meaning. */
	if (version != NULL && strpbrk(version, "\n,") != NULL)
		return -1;
	char offers[256];
	int n = snprintf(
	    offers, sizeof(offers), "relp_version=0\nrelp_software=netpulse%s%s\ncommands=syslog",
	    version != NULL && version[0] != '\0' ? "," : "", version != NULL ? version : "");
	if (n < 0 || (size_t)n >= sizeof(offers))
		return -1;
	return np_relp_frame(buf, size, txnr, "open", offers, (size_t)n);
}

long
np_relp_syslog(char *buf, size_t size, uint32_t txnr, const char *msg, size_t len)
{
	return np_relp_frame(buf, size, txnr, "syslog", msg, len);
}

long
np_relp_close(char *buf, size_t size, uint32_t txnr)
{
	return np_relp_frame(buf, size, txnr, "close", NULL, 0);
}

uint32_t
np_relp_next_txnr(uint32_t txnr)
{
	return txnr >= NP_RELP_TXNR_MAX ? 0 : txnr + 1;
}

struct np_relp_parser *
np_relp_parser_new(size_t max_data)
{
	struct np_relp_parser *p = np_xcalloc(1, sizeof(*p));
	p->max_data = max_data > 0 ? max_data : NP_RELP_DATA_MAX;
	p->data = np_xmalloc(p->max_data + 1);
	np_relp_parser_reset(p);
	return p;
}

void
np_relp_parser_free(struct np_relp_parser *p)
{
	if (p == NULL)
		return;
	free(p->data);
	free(p);
}

static void
frame_start(struct np_relp_parser *p)
{
	p->st = ST_TXNR;
	p->txnr = 0;
	p->digits = 0;
	p->cmdlen = 0;
	p->datalen = 0;
	p->have = 0;
}

void
np_relp_parser_reset(struct np_relp_parser *p)
{
	frame_start(p);
	p->offset = 0;
}

/* A printable rendering of byte c for messages. */
static const char *
show(char c, char *buf, size_t size)
{
	unsigned char u = (unsigned char)c;
	if (u == '\n')
		snprintf(buf, size, "LF");
	else if (u == ' ')
		snprintf(buf, size, "SP");
	else if (u > 0x20 && u < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "0x%02x", u);
	return buf;
}

/* The parser's error at byte c, in[i]: bytes before it count as used. */
static enum np_relp_result
fail(struct np_relp_parser *p, size_t *used, size_t i, char **cause, const char *what, char c)
{
	char b[8];
	*used = i;
	np_cause(cause, "malformed RELP frame at byte %llu: %s, got %s",
	         (unsigned long long)p->offset, what, show(c, b, sizeof(b)));
	p->st = ST_ERROR;
	return NP_RELP_ERROR;
}

/* The rsp part of f from DATA: "STATUS [SP TEXT] [LF CMDDATA]"; -1 when not that. */
static int
parse_rsp(struct np_relp_frame *f)
{
	const char *d = f->data;
	size_t n = f->datalen;
	if (n < 3 || !is_digit(d[0]) || !is_digit(d[1]) || !is_digit(d[2]))
		return -1;
	f->status = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
	size_t i = 3;
	if (i < n && d[i] != ' ' && d[i] != '\n')
		return -1;
	if (i < n && d[i] == ' ')
		i++;
	size_t t = 0;
	for (; i < n && d[i] != '\n'; i++) {
		if (t < NP_RELP_TEXT_MAX) {
			unsigned char u = (unsigned char)d[i];
			f->text[t++] = u < 0x20 || u == 0x7f ? '?' : d[i];
		}
	}
	f->text[t] = '\0';
	if (i < n) { /* LF */
		f->cmddata = d + i + 1;
		f->cmddatalen = n - i - 1;
	} else {
		f->cmddata = d + n;
		f->cmddatalen = 0;
	}
	return 0;
}

static enum np_relp_result
complete(struct np_relp_parser *p, struct np_relp_frame *f, char **cause)
{
	memset(f, 0, sizeof(*f));
	f->txnr = p->txnr;
	memcpy(f->command, p->cmd, p->cmdlen + 1);
	p->data[p->datalen] = '\0';
	f->data = p->data;
	f->datalen = p->datalen;
	f->status = -1;
	f->cmddata = p->data + p->datalen;
	if (strcmp(f->command, "rsp") == 0 && parse_rsp(f) == -1) {
		np_cause(
		    cause,
		    "malformed RELP frame ending at byte %llu: rsp %u without a 3-digit status",
		    (unsigned long long)p->offset, (unsigned)p->txnr);
		p->st = ST_ERROR;
		return NP_RELP_ERROR;
	}
	frame_start(p);
	return NP_RELP_FRAME;
}

enum np_relp_result
np_relp_parse(struct np_relp_parser *p, const char *in, size_t n, size_t *used,
              struct np_relp_frame *f, char **cause)
{
	size_t i = 0;
	*used = 0;
	if (p->st == ST_ERROR) {
		np_cause(cause, "RELP parser in error (reset it)");
		return NP_RELP_ERROR;
	}
	while (i < n) {
		char c = in[i];
		switch (p->st) {
		case ST_TXNR:
			if (is_digit(c)) {
				if (p->digits == NUM_DIGITS_MAX)
					return fail(p, used, i, cause, "TXNR longer than 9 digits",
					            c);
				p->txnr = p->txnr * 10 + (uint32_t)(c - '0');
				p->digits++;
			} else if (c == ' ' && p->digits > 0) {
				p->st = ST_CMD;
			} else {
				return fail(p, used, i, cause, "expected a TXNR digit", c);
			}
			break;
		case ST_CMD:
			if (is_alpha(c)) {
				if (p->cmdlen == NP_RELP_CMD_MAX)
					return fail(p, used, i, cause,
					            "COMMAND longer than 32 letters", c);
				p->cmd[p->cmdlen++] = c;
			} else if (c == ' ' && p->cmdlen > 0) {
				p->cmd[p->cmdlen] = '\0';
				p->st = ST_LEN;
				p->digits = 0;
			} else {
				return fail(p, used, i, cause, "expected a COMMAND letter", c);
			}
			break;
		case ST_LEN:
			if (is_digit(c)) {
				if (p->digits == NUM_DIGITS_MAX)
					return fail(p, used, i, cause,
					            "DATALEN longer than 9 digits", c);
				p->datalen = p->datalen * 10 + (size_t)(c - '0');
				p->digits++;
				break;
			}
			if (p->digits == 0)
				return fail(p, used, i, cause, "expected a DATALEN digit", c);
			if (p->datalen == 0) {
				if (c != '\n')
					return fail(p, used, i, cause,
					            "expected LF after DATALEN 0", c);
				p->offset++;
				*used = i + 1;
				return complete(p, f, cause);
			}
			if (c != ' ')
				return fail(p, used, i, cause, "expected SP after DATALEN", c);
			if (p->datalen > p->max_data) {
				np_cause(cause,
				         "RELP frame at byte %llu: DATALEN %zu over the limit of "
				         "%zu",
				         (unsigned long long)p->offset, p->datalen, p->max_data);
				p->st = ST_ERROR;
				*used = i;
				return NP_RELP_ERROR;
			}
			p->st = ST_DATA;
			p->have = 0;
			break;
		case ST_DATA: {
			size_t take = p->datalen - p->have;
			if (take > n - i)
				take = n - i;
			memcpy(p->data + p->have, in + i, take);
			p->have += take;
			i += take;
			p->offset += take;
			if (p->have == p->datalen)
				p->st = ST_TRAILER;
			continue;
		}
		case ST_TRAILER:
			if (c != '\n')
				return fail(p, used, i, cause, "expected LF after DATA", c);
			p->offset++;
			*used = i + 1;
			return complete(p, f, cause);
		case ST_ERROR:
			return NP_RELP_ERROR;
		}
		i++;
		p->offset++;
	}
	*used = i;
	return NP_RELP_MORE;
}

/* Whether value list v[0..n) (comma-separated) holds word. */
static bool
has_value(const char *v, size_t n, const char *word)
{
	size_t wl = strlen(word);
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && v[j] != ',')
			j++;
		if (j - i == wl && memcmp(v + i, word, wl) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

int
np_relp_check_offers(const char *offers, size_t len, char **cause)
{
	bool version = false, syslog = false;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && offers[end] != '\n')
			end++;
		const char *line = offers + i;
		size_t ll = end - i;
		const char *eq = memchr(line, '=', ll);
		size_t nl = eq != NULL ? (size_t)(eq - line) : ll;
		const char *v = eq != NULL ? eq + 1 : line + ll;
		size_t vl = ll - nl - (eq != NULL ? 1 : 0);
		if (nl == 12 && memcmp(line, "relp_version", 12) == 0) {
			if (vl == 0 || vl > NUM_DIGITS_MAX) {
				np_cause(cause, "the server offers relp_version without a number");
				return -1;
			}
			unsigned long ver = 0;
			for (size_t k = 0; k < vl; k++) {
				if (!is_digit(v[k])) {
					np_cause(cause,
					         "the server offers a relp_version that is not "
					         "a number");
					return -1;
				}
				ver = ver * 10 + (unsigned long)(v[k] - '0');
			}
			if (ver > 1) {
				np_cause(cause,
				         "the server offers relp_version %lu (netpulse speaks 0)",
				         ver);
				return -1;
			}
			version = true;
		} else if (nl == 8 && memcmp(line, "commands", 8) == 0) {
			if (has_value(v, vl, "syslog"))
				syslog = true;
		}
		i = end + 1;
	}
	if (!version) {
		np_cause(cause, "the server's open response has no relp_version offer");
		return -1;
	}
	if (!syslog) {
		np_cause(cause, "the server does not offer the syslog command");
		return -1;
	}
	return 0;
}
