/*
 * Parser of the Flow Collector's exporter_device_stats.txt: every real capture in the
 * fixtures, the synthetic two-FC cycles, and each edge case built from a real capture.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/stealthwatch_parse.h"
#include "util/xmalloc.h"

#define EX "fc_device_stats/exporter_device_stats_example.txt"

static char *
fixture(const char *rel, size_t *len)
{
	char *path = np_test_fixture(rel);
	char *data = np_test_read_file(path, len);
	free(path);
	return data;
}

static const struct np_obs *
find(const struct np_batch *b, const char *dev)
{
	const struct np_obs *hit = NULL;
	for (size_t i = 0; i < b->n; i++) {
		if (strcmp(np_obs_device(b, &b->obs[i]), dev) == 0) {
			assert_null(hit); /* listed once */
			hit = &b->obs[i];
		}
	}
	return hit;
}

static const char *
label(const struct np_batch *b, const struct np_obs *o, const char *key)
{
	for (size_t i = 0; i < np_obs_nlabels(o); i++)
		if (strcmp(np_obs_label_key(b, o, i), key) == 0)
			return np_obs_label_value(b, o, i);
	return NULL;
}

/* Parses text that must succeed; the caller frees the batch. */
static void
parse_ok(const char *text, size_t len, struct np_batch *b)
{
	char *cause = NULL;
	np_batch_init(b, "fc-test", 1700000000000);
	int rc = np_stealthwatch_parse(text, len, b, &cause);
	if (rc != 0)
		fail_msg("parse failed: %s", cause);
	assert_null(cause);
	assert_true(b->complete);
}

/* Parses text that must fail; returns the cause (malloc'd). */
static char *
parse_fail(const char *text, size_t len)
{
	struct np_batch b;
	char *cause = NULL;
	np_batch_init(&b, "fc-test", 0);
	assert_int_equal(np_stealthwatch_parse(text, len, &b, &cause), -1);
	assert_non_null(cause);
	assert_false(b.complete);
	assert_int_equal(b.n, 0);
	np_batch_free(&b);
	return cause;
}

static void
expect_exporter(const struct np_batch *b, const char *dev, double bps, enum np_ever_up ever)
{
	const struct np_obs *o = find(b, dev);
	if (o == NULL)
		fail_msg("exporter %s missing", dev);
	assert_string_equal(np_obs_interface(b, o), "");
	assert_true(o->has_gauge);
	assert_true(o->gauge == bps);
	assert_int_equal(o->link, bps > 0 ? NP_LINK_UP : NP_LINK_DOWN);
	assert_int_equal(o->ever_up, ever);
	assert_int_equal(o->time_ms, 1700000000000);
	assert_false(o->truncated);
	assert_int_equal(o->counter_mask, 0);
}

/* ---- a tiny TSV grid, to derive edge cases from a real capture ---- */

struct grid {
	char *buf;
	const char **cells; /* rows * cols */
	size_t rows, cols;
};

static void
grid_load(struct grid *g, const char *rel)
{
	size_t len;
	g->buf = fixture(rel, &len);
	g->rows = g->cols = 0;
	for (size_t i = 0; i < len; i++)
		g->rows += g->buf[i] == '\n';
	g->cols = 1;
	for (char *p = g->buf; *p != '\n'; p++)
		g->cols += *p == '\t';
	g->cells = np_xcalloc(g->rows * g->cols, sizeof(char *));
	char *s = g->buf;
	for (size_t r = 0; r < g->rows; r++) {
		char *line = strsep(&s, "\n");
		for (size_t c = 0; c < g->cols; c++)
			g->cells[r * g->cols + c] = strsep(&line, "\t");
		assert_null(line); /* exactly cols fields */
	}
}

static void
grid_free(struct grid *g)
{
	free(g->cells);
	free(g->buf);
}

struct emit {
	const size_t *order; /* column order, NULL = as in the file */
	const char *eol;     /* "\n" default */
	bool no_final_eol;
	const char *extra_header; /* appended column (header name); NULL = none */
	bool extra_in_rows;       /* rows get the extra value too */
};

static char *
grid_emit(const struct grid *g, const struct emit *e, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *out = np_xmalloc(cap);
	const char *eol = e->eol ? e->eol : "\n";
	for (size_t r = 0; r < g->rows; r++) {
		char line[4096];
		size_t o = 0;
		for (size_t c = 0; c < g->cols; c++) {
			size_t col = e->order ? e->order[c] : c;
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s", c ? "\t" : "",
			                      g->cells[r * g->cols + col]);
		}
		if (e->extra_header != NULL && (r == 0 || e->extra_in_rows))
			o += (size_t)snprintf(line + o, sizeof(line) - o, "\t%s",
			                      r == 0 ? e->extra_header : "42");
		if (r + 1 < g->rows || !e->no_final_eol)
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s", eol);
		assert_true(n + o < cap);
		memcpy(out + n, line, o);
		n += o;
	}
	out[n] = '\0'; /* for the tests that splice it with %s; not part of the input */
	*len = n;
	return out;
}

/* The example capture's values, checked on every variant of it. */
static void
check_example(const struct np_batch *b)
{
	assert_int_equal(b->n, 15);
	assert_int_equal(b->skipped, 0);
	expect_exporter(b, "172.16.16.2", 62016, NP_EVER_YES);
	expect_exporter(b, "172.16.16.1", 81456, NP_EVER_YES);
	expect_exporter(b, "172.16.16.25", 108488, NP_EVER_YES);
	expect_exporter(b, "10.206.0.71", 416, NP_EVER_YES); /* version 0 yet traffic: up */
	expect_exporter(b, "10.206.0.244", 0, NP_EVER_NO);   /* never heard */
	expect_exporter(b, "172.16.16.50", 0, NP_EVER_NO);
	expect_exporter(b, "172.16.16.5", 0, NP_EVER_YES); /* heard before, silent now */
	expect_exporter(b, "10.206.0.53", 307512, NP_EVER_YES);

	const struct np_obs *o = find(b, "172.16.16.2");
	assert_int_equal(o->nlabels, 3); /* stable attributes only */
	assert_string_equal(label(b, o, "netflow_version"), "9");
	assert_string_equal(label(b, o, "interfaces"), "8");
	assert_string_equal(label(b, o, "fc_status"), "1");
	o = find(b, "10.206.0.71");
	assert_string_equal(label(b, o, "netflow_version"), "0");
	assert_string_equal(label(b, o, "interfaces"), "0");
	o = find(b, "10.206.0.244");
	assert_string_equal(label(b, o, "fc_status"), "2");
}

static void
test_example(void **state)
{
	size_t len;
	char *text = fixture(EX, &len);
	struct np_batch b;
	parse_ok(text, len, &b);
	check_example(&b);
	/* File order is kept. */
	assert_string_equal(np_obs_device(&b, &b.obs[0]), "10.206.0.244");
	assert_string_equal(np_obs_device(&b, &b.obs[14]), "10.206.0.53");
	np_batch_free(&b);
	free(text);
}

/* Every real capture: 15 exporters, none skipped, and spot values per file. */
static void
test_all_captures(void **state)
{
	static const struct {
		const char *file;
		const char *dev;
		double bps;
		enum np_ever_up ever;
	} cases[] = {
	    {"exporter_device_stats_example.txt", "172.16.16.25", 108488, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-15T2159Z.txt", "172.16.16.25", 0, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T0101Z.txt", "172.16.16.25", 86616, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T1315Z.txt", "172.16.16.25", 87632, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T1405Z.txt", "172.16.16.25", 85312, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-15T2159Z.txt", "10.206.0.71", 416, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T1315Z.txt", "10.206.0.71", 0, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-15T2159Z.txt", "10.250.250.250", 56888, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T1315Z.txt", "10.250.250.250", 0, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T1405Z.txt", "10.250.250.250", 0, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T0101Z.txt", "10.201.3.40", 19160, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T1315Z.txt", "10.206.0.53", 618392, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T1405Z.txt", "172.16.16.5", 3256, NP_EVER_YES},
	    {"exporter_device_stats.2020-09-16T1405Z.txt", "10.206.0.244", 0, NP_EVER_NO},
	    {"exporter_device_stats.2020-09-16T1315Z.txt", "172.16.16.50", 0, NP_EVER_NO},
	};
	static const char *const files[] = {
	    "exporter_device_stats_example.txt",
	    "exporter_device_stats.2020-09-15T2159Z.txt",
	    "exporter_device_stats.2020-09-16T0101Z.txt",
	    "exporter_device_stats.2020-09-16T1315Z.txt",
	    "exporter_device_stats.2020-09-16T1405Z.txt",
	};
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char rel[256];
		size_t len;
		snprintf(rel, sizeof(rel), "fc_device_stats/%s", files[f]);
		char *text = fixture(rel, &len);
		struct np_batch b;
		parse_ok(text, len, &b);
		assert_int_equal(b.n, 15);
		assert_int_equal(b.skipped, 0);
		size_t up = 0, never = 0;
		for (size_t i = 0; i < b.n; i++) {
			up += b.obs[i].link == NP_LINK_UP;
			never += b.obs[i].ever_up == NP_EVER_NO;
			assert_int_equal(b.obs[i].nlabels, 3);
		}
		assert_int_equal(never, 2); /* 10.206.0.244 and 172.16.16.50 in every capture */
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
			if (strcmp(cases[c].file, files[f]) == 0)
				expect_exporter(&b, cases[c].dev, cases[c].bps, cases[c].ever);
		/* up counts by hand from the files */
		static const size_t want_up[] = {10, 9, 11, 9, 11};
		assert_int_equal(up, want_up[f]);
		np_batch_free(&b);
		free(text);
	}
	/* 10.90.88.9 changed version and interface count across the daily reset: data. */
	size_t len;
	char *text = fixture("fc_device_stats/exporter_device_stats.2020-09-16T1315Z.txt", &len);
	struct np_batch b;
	parse_ok(text, len, &b);
	const struct np_obs *o = find(&b, "10.90.88.9");
	assert_string_equal(label(&b, o, "netflow_version"), "9");
	assert_string_equal(label(&b, o, "interfaces"), "43");
	assert_string_equal(np_obs_device(&b, &b.obs[0]),
	                    "10.90.88.9"); /* this capture is sorted */
	np_batch_free(&b);
	free(text);
}

/* The synthetic two-FC scenario (EXPECTED.md): each FC file on its own. */
static void
test_synthetic_cycles(void **state)
{
	static const struct {
		const char *file;
		size_t n;
		const char *dev;
		double bps;
		enum np_ever_up ever;
	} cases[] = {
	    {"fcA_cycle1.txt", 3, "192.0.2.10", 81216, NP_EVER_YES},
	    {"fcA_cycle1.txt", 3, "192.0.2.20", 4096, NP_EVER_YES},
	    {"fcA_cycle1.txt", 3, "192.0.2.40", 0, NP_EVER_NO},
	    {"fcA_cycle2.txt", 3, "192.0.2.10", 0, NP_EVER_YES},
	    {"fcA_cycle2.txt", 3, "192.0.2.20", 0, NP_EVER_YES},
	    {"fcA_cycle3.txt", 3, "192.0.2.20", 0, NP_EVER_YES},
	    {"fcA_cycle3.txt", 3, "192.0.2.40", 0, NP_EVER_NO},
	    {"fcB_cycle1.txt", 2, "192.0.2.30", 12000, NP_EVER_YES},
	    {"fcB_cycle1.txt", 2, "192.0.2.40", 0, NP_EVER_NO},
	    {"fcB_cycle2.txt", 3, "192.0.2.10", 80800, NP_EVER_YES},
	    {"fcB_cycle2.txt", 3, "192.0.2.30", 12800, NP_EVER_YES},
	    {"fcB_cycle3.txt", 5, "192.0.2.20", 3904, NP_EVER_YES},
	    {"fcB_cycle3.txt", 5, "192.0.2.50", 1024, NP_EVER_YES},
	    {"fcB_cycle3.txt", 5, "192.0.2.10", 79000, NP_EVER_YES},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char rel[256];
		size_t len;
		snprintf(rel, sizeof(rel), "fc_device_stats/synthetic/%s", cases[c].file);
		char *text = fixture(rel, &len);
		struct np_batch b;
		parse_ok(text, len, &b);
		assert_int_equal(b.n, cases[c].n);
		assert_int_equal(b.skipped, 0);
		expect_exporter(&b, cases[c].dev, cases[c].bps, cases[c].ever);
		np_batch_free(&b);
		free(text);
	}
	/* fcB_cycle1 does not list 192.0.2.10 or .20: absent, not down. */
	size_t len;
	char *text = fixture("fc_device_stats/synthetic/fcB_cycle1.txt", &len);
	struct np_batch b;
	parse_ok(text, len, &b);
	assert_null(find(&b, "192.0.2.10"));
	assert_null(find(&b, "192.0.2.20"));
	np_batch_free(&b);
	free(text);
}

static void
check_variant(const struct grid *g, const struct emit *e)
{
	size_t len;
	char *text = grid_emit(g, e, &len);
	struct np_batch b;
	parse_ok(text, len, &b);
	check_example(&b);
	np_batch_free(&b);
	free(text);
}

static void
test_crlf_and_final_newline(void **state)
{
	struct grid g;
	grid_load(&g, EX);
	check_variant(&g, &(struct emit){.eol = "\r\n"});
	check_variant(&g, &(struct emit){.no_final_eol = true});
	check_variant(&g, &(struct emit){.eol = "\r\n", .no_final_eol = true});
	/* An lone final CR after the last row is also just a line end. */
	size_t len;
	char *text = grid_emit(&g, &(struct emit){.no_final_eol = true}, &len);
	text = realloc(text, len + 1);
	text[len++] = '\r';
	struct np_batch b;
	parse_ok(text, len, &b);
	check_example(&b);
	np_batch_free(&b);
	free(text);
	grid_free(&g);
}

static void
test_reordered_columns(void **state)
{
	struct grid g;
	grid_load(&g, EX);
	assert_int_equal(g.cols, 46);
	size_t order[46];
	for (size_t c = 0; c < 46; c++)
		order[c] = 45 - c; /* reversed: bps first, address last */
	check_variant(&g, &(struct emit){.order = order});
	for (size_t c = 0; c < 46; c++)
		order[c] = (c * 7) % 46; /* 7 and 46 coprime: a permutation */
	check_variant(&g, &(struct emit){.order = order});
	grid_free(&g);
}

/* A future FC version with a 47th column parses the same; mixing 46 and 47 does not. */
static void
test_46_vs_47_columns(void **state)
{
	struct grid g;
	grid_load(&g, EX);
	check_variant(&g, &(struct emit){.extra_header = "Future Column", .extra_in_rows = true});

	size_t len;
	char *text = grid_emit(&g, &(struct emit){.extra_header = "Future Column"}, &len);
	struct np_batch b;
	parse_ok(text, len, &b); /* 47-column header, 46-field rows */
	assert_int_equal(b.n, 0);
	assert_int_equal(b.skipped, 15);
	assert_string_equal(b.skip_reason, "line 2: 46 fields, header has 47");
	np_batch_free(&b);
	free(text);

	/* 46-column header, one row with a 47th field. */
	text = grid_emit(&g, &(struct emit){0}, &len);
	char *nl1 = memchr(text, '\n', len);
	char *nl = memchr(nl1 + 1, '\n', len - (size_t)(nl1 + 1 - text));
	size_t at = (size_t)(nl - text);
	char *t2 = np_xasprintf("%.*s\t0%s", (int)at, text, text + at);
	parse_ok(t2, len + 2, &b);
	assert_int_equal(b.n, 14);
	assert_int_equal(b.skipped, 1);
	assert_string_equal(b.skip_reason, "line 2: 47 fields, header has 46");
	assert_null(find(&b, "10.206.0.244"));
	np_batch_free(&b);
	free(t2);
	free(text);
	grid_free(&g);
}

static void
test_missing_required_column(void **state)
{
	struct grid g;
	grid_load(&g, EX);
	size_t order[46], len;
	for (size_t c = 0; c < 46; c++)
		order[c] = c;
	order[43] = 44; /* "Current NetFlow bps" replaced by "Maximum NetFlow bps" */
	char *text = grid_emit(&g, &(struct emit){.order = order}, &len);
	char *cause = parse_fail(text, len);
	assert_string_equal(
	    cause,
	    "line 1: not an exporter_device_stats header (no \"Current NetFlow bps\" column)");
	free(cause);
	free(text);

	order[43] = 43;
	order[0] = 4; /* "Utilization In" twice: unknown columns may repeat */
	text = grid_emit(&g, &(struct emit){.order = order}, &len);
	cause = parse_fail(text, len);
	assert_string_equal(
	    cause, "line 1: not an exporter_device_stats header (no \"Exporter Address\" column)");
	free(cause);
	free(text);
	grid_free(&g);
}

/* Builds "header\nrow" from the example with row 2's field `col` replaced by `value`. */
static char *
example_with_field(size_t col, const char *value, size_t *len)
{
	struct grid g;
	grid_load(&g, EX);
	g.cells[1 * g.cols + col] = value;
	char *text = grid_emit(&g, &(struct emit){0}, len);
	grid_free(&g);
	return text;
}

static void
expect_one_skip(size_t col, const char *value, const char *reason)
{
	size_t len;
	char *text = example_with_field(col, value, &len);
	struct np_batch b;
	parse_ok(text, len, &b);
	assert_int_equal(b.n, 14);
	assert_int_equal(b.skipped, 1);
	assert_string_equal(b.skip_reason, reason);
	assert_null(find(&b, "10.206.0.244")); /* the row on line 2 */
	expect_exporter(&b, "172.16.16.2", 62016, NP_EVER_YES);
	np_batch_free(&b);
	free(text);
}

static void
test_bad_rows_skipped(void **state)
{
	size_t len;
	expect_one_skip(43, "12x", "line 2: Current NetFlow bps is not a number: \"12x\"");
	expect_one_skip(43, "", "line 2: Current NetFlow bps is not a number: \"\"");
	expect_one_skip(43, "-5", "line 2: Current NetFlow bps is not a number: \"-5\"");
	expect_one_skip(43, "62016.5", "line 2: Current NetFlow bps is not a number: \"62016.5\"");
	expect_one_skip(43, " 1", "line 2: Current NetFlow bps is not a number: \" 1\"");
	expect_one_skip(43, "18446744073709551616",
	                "line 2: Current NetFlow bps is not a number: \"18446744073709551616\"");
	expect_one_skip(0, "10.206.0.256", "line 2: bad Exporter Address \"10.206.0.256\"");
	expect_one_skip(0, "010.206.0.1", "line 2: bad Exporter Address \"010.206.0.1\"");
	expect_one_skip(0, "", "line 2: bad Exporter Address \"\"");
	expect_one_skip(0, "fc1.example.net", "line 2: bad Exporter Address \"fc1.example.net\"");
	expect_one_skip(0, "1.2.3.4\x01", "line 2: bad Exporter Address \"1.2.3.4?\"");
	expect_one_skip(1, "yesterday", "line 2: Last Active is not a number: \"yesterday\"");
	/* Line 2 now names line 3's exporter: the first listing wins, the second is skipped. */
	char *dup = example_with_field(0, "172.16.16.2", &len);
	struct np_batch d;
	parse_ok(dup, len, &d);
	assert_int_equal(d.n, 14);
	assert_int_equal(d.skipped, 1);
	assert_string_equal(d.skip_reason, "line 3: exporter 172.16.16.2 already listed on line 2");
	expect_exporter(&d, "172.16.16.2", 0, NP_EVER_NO);
	np_batch_free(&d);
	free(dup);

	/* Largest value still fits. */
	char *text = example_with_field(43, "18446744073709551615", &len);
	struct np_batch b;
	parse_ok(text, len, &b);
	assert_int_equal(b.skipped, 0);
	assert_true(find(&b, "10.206.0.244")->gauge == 18446744073709551615.0);
	np_batch_free(&b);
	free(text);
}

static void
test_short_row_and_blank_lines(void **state)
{
	size_t len;
	char *text = fixture(EX, &len);
	/* Cut the last row in half (a file caught mid-rewrite), blank lines around. */
	char *last = text + len - 2;
	while (*last != '\n')
		last--;
	size_t keep = (size_t)(last - text) + 1 + 40;
	char *t2 = np_xasprintf("\n\r\n%.*s\n\n", (int)keep, text);
	struct np_batch b;
	parse_ok(t2, strlen(t2), &b);
	assert_int_equal(b.n, 14);
	assert_int_equal(b.skipped, 1);
	assert_string_equal(b.skip_reason, "line 18: 8 fields, header has 46");
	assert_null(find(&b, "10.206.0.53"));
	expect_exporter(&b, "172.16.16.2", 62016, NP_EVER_YES);
	np_batch_free(&b);
	free(t2);
	free(text);
}

static void
test_header_only_and_empty(void **state)
{
	size_t len;
	char *text = fixture(EX, &len);
	char *nl = memchr(text, '\n', len);
	struct np_batch b;

	/* Header only: a valid, empty listing. Without its newline the header may be cut
	 * (test_torn_file). */
	parse_ok(text, (size_t)(nl - text) + 1, &b);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.skipped, 0);
	np_batch_free(&b);

	char *cause = parse_fail("", 0);
	assert_string_equal(cause, "empty file (no header line)");
	free(cause);
	cause = parse_fail("\n\r\n\n", 4);
	assert_string_equal(cause, "empty file (no header line)");
	free(cause);
	cause = parse_fail("\xef\xbb\xbf", 3);
	assert_string_equal(cause, "empty file (no header line)");
	free(cause);

	/* Rows without their header: never "every exporter down". */
	cause = parse_fail(nl + 1, len - (size_t)(nl - text) - 1);
	assert_string_equal(
	    cause, "line 1: not an exporter_device_stats header (no \"Exporter Address\" column)");
	free(cause);
	cause = parse_fail("<html>503 Service Unavailable</html>\n", 37);
	assert_non_null(strstr(cause, "not an exporter_device_stats header"));
	free(cause);
	free(text);
}

/* Parses a prefix of text that must succeed; the caller frees the batch. */
static void
parse_cut(const char *text, size_t cut, struct np_batch *b)
{
	char *cause = NULL;
	np_batch_init(b, "fc-test", 1700000000000);
	if (np_stealthwatch_parse(text, cut, b, &cause) != 0)
		fail_msg("parse of the first %zu bytes failed: %s", cut, cause);
	assert_null(cause);
}

/* Offset of the start of line `line` (1-based) of text. */
static size_t
line_start(const char *text, size_t len, size_t line)
{
	size_t off = 0;
	for (size_t l = 1; l < line; l++) {
		const char *nl = memchr(text + off, '\n', len - off);
		assert_non_null(nl);
		off = (size_t)(nl - text) + 1;
	}
	return off;
}

/*
 * The example file cut where a reader racing the FC's rewrite could see it end (15 rows,
 * lines 2..16, 46 columns, Current NetFlow bps is column 44).
 */
static void
test_torn_file(void **state)
{
	size_t len;
	char *text = fixture(EX, &len);
	struct np_batch b;

	/* Mid-header, before the bps column: not a header, the poll fails. */
	size_t bps = (size_t)(strstr(text, "Current NetFlow bps") - text);
	char *cause = parse_fail(text, bps + 7);
	assert_string_equal(
	    cause,
	    "line 1: not an exporter_device_stats header (no \"Current NetFlow bps\" column)");
	free(cause);

	/* Mid-header after it: nothing listed, and nothing may go stale for that. */
	parse_cut(text, bps + 30, &b);
	assert_int_equal(b.n, 0);
	assert_false(b.complete);
	assert_int_equal(b.skipped, 1);
	assert_string_equal(b.skip_reason, "line 1: file ends in the header (being rewritten?)");
	np_batch_free(&b);

	/* Mid-row (line 6, 20 bytes in): rows 2..5 count, the batch is not complete. */
	parse_cut(text, line_start(text, len, 6) + 20, &b);
	assert_int_equal(b.n, 4);
	assert_false(b.complete);
	assert_int_equal(b.skipped, 1);
	assert_string_equal(b.skip_reason, "line 6: file ends mid-row (being rewritten?)");
	expect_exporter(&b, "172.16.16.50", 0, NP_EVER_NO);
	assert_null(find(&b, "10.206.0.245"));
	np_batch_free(&b);

	/* Right after a TAB of the last row (the address and one empty field). */
	size_t last = line_start(text, len, 16);
	const char *tab = memchr(text + last, '\t', len - last);
	parse_cut(text, (size_t)(tab - text) + 1, &b);
	assert_int_equal(b.n, 14);
	assert_false(b.complete);
	assert_int_equal(b.skipped, 1);
	assert_string_equal(b.skip_reason, "line 16: file ends mid-row (being rewritten?)");
	assert_null(find(&b, "10.206.0.53"));
	np_batch_free(&b);

	/* Inside the bps field of the last row: 43 fields of 46. */
	const char *p = text + last;
	for (int t = 0; t < 43; t++)
		p = (const char *)memchr(p, '\t', len - (size_t)(p - text)) + 1;
	parse_cut(text, (size_t)(p - text) + 2, &b);
	assert_int_equal(b.n, 14);
	assert_false(b.complete);
	assert_string_equal(b.skip_reason, "line 16: file ends mid-row (being rewritten?)");
	np_batch_free(&b);

	/* Right before the final newline: every field is there, the file is whole. */
	assert_int_equal(text[len - 1], '\n');
	parse_cut(text, len - 1, &b);
	assert_int_equal(b.n, 15);
	assert_true(b.complete);
	assert_int_equal(b.skipped, 0);
	expect_exporter(&b, "10.206.0.53", 307512, NP_EVER_YES);
	np_batch_free(&b);

	/* Right after a row's newline the bytes look whole: undetectable from the file alone. */
	parse_cut(text, last, &b);
	assert_int_equal(b.n, 14);
	assert_true(b.complete);
	assert_int_equal(b.skipped, 0);
	np_batch_free(&b);

	/* A short row that does end in a newline is a bad row, not a torn file. */
	char *t2 = np_xasprintf("%.*s\n", (int)(last + 20), text);
	parse_cut(t2, strlen(t2), &b);
	assert_int_equal(b.n, 14);
	assert_true(b.complete);
	assert_string_equal(b.skip_reason, "line 16: 2 fields, header has 46");
	np_batch_free(&b);
	free(t2);
	free(text);
}

static void
test_header_variants(void **state)
{
	const char *t = "\xef\xbb\xbf Exporter Address \tCurrent NetFlow bps \n1.2.3.4\t8\n";
	struct np_batch b;
	parse_ok(t, strlen(t), &b);
	assert_int_equal(b.n, 1);
	expect_exporter(&b, "1.2.3.4", 8, NP_EVER_UNKNOWN); /* no Last Active column */
	assert_int_equal(b.obs[0].nlabels, 0);
	np_batch_free(&b);

	t = "Exporter Address\tCurrent NetFlow bps\tExporter Address\n1.2.3.4\t8\t1.2.3.5\n";
	char *cause = parse_fail(t, strlen(t));
	assert_string_equal(cause, "line 1: header names column \"Exporter Address\" twice");
	free(cause);

	/* Header names are case-sensitive: the FC's exact text. */
	t = "exporter address\tCurrent NetFlow bps\n1.2.3.4\t8\n";
	cause = parse_fail(t, strlen(t));
	free(cause);
}

static void
test_ipv6_and_labels(void **state)
{
	char big[300];
	memset(big, '7', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *t = np_xasprintf("Interfaces\tExporter Address\tCurrent NetFlow bps\tStatus\n"
	                       "3\t2001:DB8:0:0::1\t0\t\x01x\n"
	                       "%s\t2001:db8::2\t16\t0\n"
	                       "1\t2001:db8::1\t24\t0\n",
	                       big);
	struct np_batch b;
	parse_ok(t, strlen(t), &b);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.skipped, 1);
	/* Canonicalised, so a second spelling is recognised as the same exporter. */
	assert_string_equal(b.skip_reason, "line 4: exporter 2001:db8::1 already listed on line 2");
	assert_string_equal(np_obs_device(&b, &b.obs[0]), "2001:db8::1");
	assert_string_equal(label(&b, &b.obs[0], "fc_status"), "?x");
	assert_string_equal(label(&b, &b.obs[0], "interfaces"), "3");
	assert_false(b.obs[0].truncated);
	assert_true(b.obs[1].truncated); /* 299-character label value */
	assert_int_equal(strlen(label(&b, &b.obs[1], "interfaces")), NP_NAME_MAX - 1);
	assert_int_equal(b.obs[1].link, NP_LINK_UP);
	np_batch_free(&b);
	free(t);
}

/* The parser appends; a reused batch keeps its earlier observations. */
static void
test_appends_to_batch(void **state)
{
	const char *t = "Exporter Address\tCurrent NetFlow bps\n1.2.3.4\t8\n1.2.3.5\t0\n";
	struct np_batch b;
	np_batch_init(&b, "fc-test", 5);
	np_obs_set_names(&b, np_batch_add(&b), "1.2.3.4", "");
	assert_int_equal(np_stealthwatch_parse(t, strlen(t), &b, NULL), 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.skipped, 0); /* only this file's rows are checked for duplicates */
	assert_int_equal(b.obs[2].time_ms, 5);
	/* cause may be NULL on failure too */
	assert_int_equal(np_stealthwatch_parse("x", 1, &b, NULL), -1);
	np_batch_free(&b);
}

/* Many rows: the duplicate set grows without losing entries. */
static void
test_many_rows(void **state)
{
	size_t n = 70000, cap = n * 32 + 64, o = 0;
	char *t = np_xmalloc(cap);
	o += (size_t)snprintf(t, cap, "Exporter Address\tCurrent NetFlow bps\tLast Active\n");
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(t + o, cap - o, "10.%zu.%zu.%zu\t%zu\t%zu\n", i >> 16,
		                      (i >> 8) & 255, i & 255, i % 3, i % 5);
	o += (size_t)snprintf(t + o, cap - o, "10.1.0.7\t1\t1\n"); /* i = 65543 again */
	struct np_batch b;
	parse_ok(t, o, &b);
	assert_int_equal(b.n, n);
	assert_int_equal(b.skipped, 1);
	assert_string_equal(b.skip_reason,
	                    "line 70002: exporter 10.1.0.7 already listed on line 65545");
	assert_string_equal(np_obs_device(&b, &b.obs[65543]), "10.1.0.7");
	assert_true(b.obs[65543].gauge == 65543 % 3);
	assert_int_equal(b.obs[65543].ever_up, 65543 % 5 ? NP_EVER_YES : NP_EVER_NO);
	np_batch_free(&b);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_example),
	    cmocka_unit_test(test_all_captures),
	    cmocka_unit_test(test_synthetic_cycles),
	    cmocka_unit_test(test_crlf_and_final_newline),
	    cmocka_unit_test(test_reordered_columns),
	    cmocka_unit_test(test_46_vs_47_columns),
	    cmocka_unit_test(test_missing_required_column),
	    cmocka_unit_test(test_bad_rows_skipped),
	    cmocka_unit_test(test_short_row_and_blank_lines),
	    cmocka_unit_test(test_header_only_and_empty),
	    cmocka_unit_test(test_torn_file),
	    cmocka_unit_test(test_header_variants),
	    cmocka_unit_test(test_ipv6_and_labels),
	    cmocka_unit_test(test_appends_to_batch),
	    cmocka_unit_test(test_many_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
