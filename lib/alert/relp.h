#ifndef NP_ALERT_RELP_H
#define NP_ALERT_RELP_H
/*
 * RELP, the Reliable Event Logging Protocol (rsyslog; librelp's doc/relp.md), client side,
 * without I/O: building the frames a client sends (open, syslog, close) and an incremental
 * parser of what a server sends (rsp and the serverclose hint). sink_relp.c does the I/O.
 *
 *   FRAME   = TXNR SP COMMAND SP DATALEN [SP DATA] LF
 *   TXNR    = 1*9DIGIT (0 = hint; commands count 1, 2, ... per connection)
 *   COMMAND = 1*32ALPHA
 *   DATALEN = 1*9DIGIT (octets of DATA; 0 = no SP and no DATA)
 *   rsp DATA = STATUS [SP HUMAN-TEXT] [LF CMDDATA]   (STATUS 3DIGIT; 200 = ok)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_RELP_TXNR_MAX 999999999u /* 9 digits; a connection must not go beyond it */
#define NP_RELP_CMD_MAX 32
#define NP_RELP_TEXT_MAX 80       /* HUMAN-TEXT of a rsp; longer text is cut */
#define NP_RELP_DATA_MAX 4096     /* a server frame's DATA we accept (open's offers: ~150) */
#define NP_RELP_FRAME_OVERHEAD 32 /* "TXNR SP COMMAND SP DATALEN SP ... LF" beyond DATA */

/*
 * Writes one frame "txnr cmd len[ data]\n" into buf (at most size bytes; not NUL-terminated).
 * cmd: 1..32 letters; txnr <= NP_RELP_TXNR_MAX; len < 10^9. Returns the frame's length, or
 * -1 if an argument is invalid or the frame does not fit (nothing meaningful in buf then).
 */
long np_relp_frame(char *buf, size_t size, uint32_t txnr, const char *cmd, const char *data,
                   size_t len);
/*
 * The "open" frame with the offers a client makes (librelp's order):
 *   relp_version=0 LF relp_software=netpulse,VERSION LF commands=syslog
 * version: the software's version ("0.1.0"; NULL = none). Returns as np_relp_frame.
 */
long np_relp_open(char *buf, size_t size, uint32_t txnr, const char *version);
/* "TXNR syslog LEN MSG\n" (msg: the rendered syslog message). Returns as np_relp_frame. */
long np_relp_syslog(char *buf, size_t size, uint32_t txnr, const char *msg, size_t len);
/* "TXNR close 0\n". Returns as np_relp_frame. */
long np_relp_close(char *buf, size_t size, uint32_t txnr);
/* The txnr after txnr on one connection, 0 when txnr is the last one (NP_RELP_TXNR_MAX). */
uint32_t np_relp_next_txnr(uint32_t txnr);

/* One frame from the server; its pointers are valid until the next np_relp_parse call. */
struct np_relp_frame {
	uint32_t txnr;
	char command[NP_RELP_CMD_MAX + 1]; /* "rsp", "serverclose", ... */
	const char *data;                  /* DATA, NUL-terminated (may contain NULs) */
	size_t datalen;
	/* rsp only (status = -1 for other commands): */
	int status;                      /* 000..999 */
	char text[NP_RELP_TEXT_MAX + 1]; /* HUMAN-TEXT, control bytes shown as '?' */
	const char *cmddata;             /* after the first LF of DATA (open: the offers) */
	size_t cmddatalen;
};

enum np_relp_result {
	NP_RELP_MORE = 0,  /* every byte taken; no complete frame yet */
	NP_RELP_FRAME = 1, /* one frame complete: in *f */
	NP_RELP_ERROR = -1 /* malformed input: the parser stays in error until reset */
};

struct np_relp_parser;

/* A parser taking frames with up to max_data DATA octets (0 = NP_RELP_DATA_MAX). */
struct np_relp_parser *np_relp_parser_new(size_t max_data);
void np_relp_parser_free(struct np_relp_parser *p);
/* Back to the start of a frame, error cleared (a new connection). */
void np_relp_parser_reset(struct np_relp_parser *p);
/*
 * Takes bytes as they arrive: consumes from in[0..n) up to the end of one frame and sets
 * *used to the count consumed. NP_RELP_FRAME: *f holds the frame (call again with the rest).
 * NP_RELP_MORE: all n bytes consumed, the frame continues in the next call. NP_RELP_ERROR:
 * the input is not RELP; *cause (if cause) says why and where.
 */
enum np_relp_result np_relp_parse(struct np_relp_parser *p, const char *in, size_t n, size_t *used,
                                  struct np_relp_frame *f, char **cause);
/*
 * Checks the offers of the server's rsp to "open" (f->cmddata): a relp_version (a number
 * <= 1) and "syslog" among its commands. Returns 0, or -1 with *cause.
 */
int np_relp_check_offers(const char *offers, size_t len, char **cause);

#endif
