/*
 * Fuzzes the RELP parser of a server's frames (lib/alert/relp.c).
 * Input: 1 byte = chunk size for the split feed (0 = all at once), 2 bytes = DATA limit of
 * the parser (0 = the default), then the byte stream a server would send.
 * Checks: the stream parsed in one piece, byte by byte and in chunks gives the same frames
 * (and the same error at the same place); every frame is within its bounds; every frame
 * rebuilt with np_relp_frame parses back to itself; offers of a rsp never crash the check.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/relp.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_relp: check failed at line %d: %s\n", __LINE__, #c); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define MAX_FRAMES 64

struct seen {
	uint32_t txnr;
	char command[NP_RELP_CMD_MAX + 1];
	int status;
	size_t datalen;
	uint64_t hash;
};

struct run {
	struct seen f[MAX_FRAMES];
	int n;
	bool error;
	size_t consumed; /* bytes taken before the end or the error */
};

static uint64_t
hash(const char *d, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)d[i]) * 1099511628211ULL;
	return h;
}

static void
check_frame(const struct np_relp_frame *f, size_t max_data)
{
	size_t cl = strlen(f->command);
	CHECK(cl >= 1 && cl <= NP_RELP_CMD_MAX);
	for (size_t i = 0; i < cl; i++)
		CHECK((f->command[i] >= 'a' && f->command[i] <= 'z') ||
		      (f->command[i] >= 'A' && f->command[i] <= 'Z'));
	CHECK(f->txnr <= NP_RELP_TXNR_MAX);
	CHECK(f->datalen <= max_data);
	CHECK(f->data[f->datalen] == '\0');
	if (strcmp(f->command, "rsp") != 0) {
		CHECK(f->status == -1);
		return;
	}
	CHECK(f->status >= 0 && f->status <= 999);
	size_t tl = strlen(f->text);
	CHECK(tl <= NP_RELP_TEXT_MAX);
	for (size_t i = 0; i < tl; i++)
		CHECK((unsigned char)f->text[i] >= 0x20 && f->text[i] != 0x7f);
	CHECK(f->cmddata >= f->data && f->cmddata + f->cmddatalen == f->data + f->datalen);
	(void)np_relp_check_offers(f->cmddata, f->cmddatalen, NULL);
	char *cause = NULL;
	if (np_relp_check_offers(f->cmddata, f->cmddatalen, &cause) == -1)
		CHECK(cause != NULL);
	free(cause);

	/* Rebuilt, the frame parses back to the same. */
	size_t cap = f->datalen + NP_RELP_FRAME_OVERHEAD;
	char *buf = malloc(cap);
	CHECK(buf != NULL);
	long n = np_relp_frame(buf, cap, f->txnr, f->command, f->data, f->datalen);
	CHECK(n > 0);
	struct np_relp_parser *p = np_relp_parser_new(max_data);
	struct np_relp_frame g;
	size_t used;
	CHECK(np_relp_parse(p, buf, (size_t)n, &used, &g, NULL) == NP_RELP_FRAME);
	CHECK(used == (size_t)n && g.txnr == f->txnr && g.status == f->status);
	CHECK(strcmp(g.command, f->command) == 0 && strcmp(g.text, f->text) == 0);
	CHECK(g.datalen == f->datalen && memcmp(g.data, f->data, f->datalen) == 0);
	np_relp_parser_free(p);
	free(buf);
}

static void
run(const char *in, size_t n, size_t step, size_t max_data, struct run *r)
{
	struct np_relp_parser *p = np_relp_parser_new(max_data);
	memset(r, 0, sizeof(*r));
	size_t off = 0;
	while (off < n && !r->error) {
		size_t end = step == 0 || n - off < step ? n : off + step;
		while (off < end) {
			struct np_relp_frame f;
			size_t used = 0;
			char *cause = NULL;
			enum np_relp_result res =
			    np_relp_parse(p, in + off, end - off, &used, &f, &cause);
			CHECK(used <= end - off);
			off += used;
			if (res == NP_RELP_ERROR) {
				CHECK(cause != NULL);
				free(cause);
				r->error = true;
				break;
			}
			CHECK(cause == NULL);
			if (res == NP_RELP_MORE) {
				CHECK(off == end);
				break;
			}
			CHECK(used > 0);
			check_frame(&f, max_data > 0 ? max_data : NP_RELP_DATA_MAX);
			if (r->n < MAX_FRAMES) {
				struct seen *s = &r->f[r->n];
				s->txnr = f.txnr;
				memcpy(s->command, f.command, sizeof(s->command));
				s->status = f.status;
				s->datalen = f.datalen;
				s->hash = hash(f.data, f.datalen);
			}
			r->n++;
		}
	}
	r->consumed = off;
	np_relp_parser_free(p);
}

static void
same(const struct run *a, const struct run *b)
{
	CHECK(a->n == b->n && a->error == b->error);
	int k = a->n < MAX_FRAMES ? a->n : MAX_FRAMES;
	for (int i = 0; i < k; i++) {
		CHECK(a->f[i].txnr == b->f[i].txnr && a->f[i].status == b->f[i].status);
		CHECK(a->f[i].datalen == b->f[i].datalen && a->f[i].hash == b->f[i].hash);
		CHECK(strcmp(a->f[i].command, b->f[i].command) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t step = data[0];
	size_t max_data = (size_t)data[1] << 8 | data[2];
	const char *in = (const char *)data + 3;
	size_t n = size - 3;
	static struct run whole, bytes, chunks;
	run(in, n, 0, max_data, &whole);
	run(in, n, 1, max_data, &bytes);
	run(in, n, step, max_data, &chunks);
	same(&whole, &bytes);
	same(&whole, &chunks);
	/* An error is found at the same byte however the input was split. */
	if (whole.error)
		CHECK(whole.consumed == bytes.consumed && whole.consumed == chunks.consumed);
	return 0;
}
