/* `netpulse egress` output: text in the original's layout, CSV, JSON (egress.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/json_doc.h"
#include "report/avx_text.h"
#include "util/buf.h"
#include "report/egress.h"
#include "util/xmalloc.h"

static const char *const csv_attr[NP_EA_N] = {
    "gateway",    "account_name", "vpc_name",        "vpc_id",
    "vpc_region", "vendor_name",  "transit_gw_name", "group_name",
};

static const char *const per_names[] = {
    [NP_PER_NONE] = "",     [NP_PER_HOUR] = "hour",   [NP_PER_DAY] = "day",
    [NP_PER_WEEK] = "week", [NP_PER_MONTH] = "month",
};

static bool
grouped(const struct np_egress *e)
{
	return !(e->nkeys == 1 && e->keys[0] == NP_EA_GATEWAY);
}

static void
block(struct np_buf *b, const struct np_egress_sums *s)
{
	char a[NP_AVX_FMT_MAX], c[NP_AVX_FMT_MAX];
	np_avx_fmt(s->internal_rx, a);
	np_avx_fmt(s->internal_tx, c);
	np_buf_printf(b, "  Internal:  RX %s, TX %s\n", a, c);
	np_avx_fmt(s->egress_rx, a);
	np_avx_fmt(s->egress_tx, c);
	np_buf_printf(b, "  Egress:    RX %s, TX %s%s\n", a, c, s->floored ? "  (floored)" : "");
	np_avx_fmt(s->total, a);
	np_buf_printf(b, "  Total:     %s\n", a);
}

static void
row_text(struct np_buf *b, const struct np_egress *e, const struct np_egress_row *r)
{
	np_buf_puts(b, "\n");
	for (size_t k = 0; k < e->nkeys; k++) {
		char *n = np_avx_name(r->key[k], "(none)");
		np_buf_printf(b, "%s%s", k > 0 ? " / " : "", n);
		free(n);
	}
	if (grouped(e))
		np_buf_printf(b, ":  (%zu spoke%s)\n", r->s.gateways,
		              r->s.gateways == 1 ? "" : "s");
	else
		np_buf_puts(b, ":\n");
	block(b, &r->s);
	if (!grouped(e))
		return;
	np_buf_puts(b, "  Gateways:  ");
	for (size_t g = 0; r->gateways[g] != NULL; g++) {
		char *n = np_avx_name(r->gateways[g], "(none)");
		np_buf_printf(b, "%s%s", g > 0 ? ", " : "", n);
		free(n);
	}
	np_buf_puts(b, "\n");
}

static char *
render_text(const struct np_egress *e, const struct np_tz *tz)
{
	struct np_buf b = {0};
	np_avx_rule(&b, '=');
	np_buf_puts(&b, "Spoke Gateway Bandwidth Report\n");
	np_avx_period(&b, tz, e->start, e->end);
	if (grouped(e)) {
		np_buf_puts(&b, "Grouped by: ");
		for (size_t k = 0; k < e->nkeys; k++)
			np_buf_printf(&b, "%s%s", k > 0 ? "," : "",
			              np_egress_attr_names[e->keys[k]]);
		np_buf_puts(&b, "\n");
	}
	if (e->per != NP_PER_NONE)
		np_buf_printf(&b, "Per: %s (%s)\n", per_names[e->per], np_tz_name(tz));
	np_avx_rule(&b, '=');
	for (size_t i = 0; i < e->nrows; i++) {
		const struct np_egress_row *r = &e->rows[i];
		if (e->per != NP_PER_NONE && (i == 0 || e->rows[i - 1].start != r->start)) {
			char s[NP_TZ_ISO_MAX], t[NP_TZ_ISO_MAX];
			np_tz_iso(tz, r->start, s);
			np_tz_iso(tz, r->end, t);
			np_buf_printf(&b, "\n[%s .. %s]\n", s, t);
		}
		row_text(&b, e, r);
	}
	np_buf_puts(&b, "\n");
	np_avx_rule(&b, '-');
	np_buf_puts(&b, "AGGREGATE (all spokes)\n");
	np_avx_rule(&b, '-');
	block(&b, &e->total);
	np_buf_puts(&b, "\nMethod: Interface counters (eth0 minus tunnel interfaces)\n"
	                "Note: Egress RX and TX each approximate all Internet bytes (SNAT);\n"
	                "Note: Total counts them twice. (floored): eth0 < tunnels, set to 0.\n");
	np_avx_rule(&b, '=');
	return np_buf_take(&b);
}

static char *
render_csv(const struct np_egress *e, const struct np_tz *tz)
{
	static const char *const tail[] = {
	    "internal_rx_bytes", "internal_tx_bytes", "egress_rx_bytes",
	    "egress_tx_bytes",   "internal_rx",       "internal_tx",
	    "egress_rx",         "egress_tx",         "egress_floored",
	};
	struct np_buf b = {0};
	if (e->per != NP_PER_NONE)
		np_buf_puts(&b, "start,end,");
	for (size_t a = 0; a < NP_EA_N; a++)
		np_buf_printf(&b, "%s,", csv_attr[a]);
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		np_buf_printf(&b, "%s%s", i > 0 ? "," : "", tail[i]);
	np_buf_puts(&b, "\n");
	for (size_t i = 0; i < e->nrows; i++) {
		const struct np_egress_row *r = &e->rows[i];
		const struct np_egress_sums *s = &r->s;
		if (e->per != NP_PER_NONE) {
			char x[NP_TZ_ISO_MAX], y[NP_TZ_ISO_MAX];
			np_tz_iso(tz, r->start, x);
			np_tz_iso(tz, r->end, y);
			np_buf_printf(&b, "%s,%s,", x, y);
		}
		for (size_t a = 0; a < NP_EA_N; a++) {
			np_csv_field(&b, r->attr[a] != NULL ? r->attr[a] : "");
			np_buf_puts(&b, ",");
		}
		const int64_t v[4] = {s->internal_rx, s->internal_tx, s->egress_rx, s->egress_tx};
		for (size_t k = 0; k < 4; k++)
			np_buf_printf(&b, "%lld,", (long long)v[k]);
		for (size_t k = 0; k < 4; k++) {
			char f[NP_AVX_FMT_MAX];
			np_avx_fmt(v[k], f);
			np_buf_printf(&b, "%s,", f);
		}
		np_buf_printf(&b, "%s\n", s->floored ? "true" : "false");
	}
	return np_buf_take(&b);
}

static json_t *
sums_json(json_t *o, const struct np_egress_sums *s)
{
	json_object_set_new(o, "gateways", json_integer((json_int_t)s->gateways));
	json_object_set_new(o, "internal_rx", json_integer(s->internal_rx));
	json_object_set_new(o, "internal_tx", json_integer(s->internal_tx));
	json_object_set_new(o, "egress_rx", json_integer(s->egress_rx));
	json_object_set_new(o, "egress_tx", json_integer(s->egress_tx));
	json_object_set_new(o, "egress_floored", json_boolean(s->floored));
	json_object_set_new(o, "total", json_integer(s->total));
	return o;
}

static char *
render_json(const struct np_egress *e, const struct np_tz *tz)
{
	json_t *o = json_object(), *period = json_object(), *keys = json_array();
	json_t *rows = json_array();
	json_object_set_new(period, "start", np_json_time(tz, e->start));
	json_object_set_new(period, "end", np_json_time(tz, e->end));
	json_object_set_new(period, "tz", json_string(np_tz_name(tz)));
	json_object_set_new(o, "period", period);
	for (size_t k = 0; k < e->nkeys; k++)
		json_array_append_new(keys, json_string(np_egress_attr_names[e->keys[k]]));
	json_object_set_new(o, "group_by", keys);
	for (size_t i = 0; i < e->nrows; i++) {
		const struct np_egress_row *r = &e->rows[i];
		json_t *row = json_object(), *g = json_object();
		if (e->per != NP_PER_NONE) {
			json_object_set_new(row, "start", np_json_time(tz, r->start));
			json_object_set_new(row, "end", np_json_time(tz, r->end));
		}
		for (size_t k = 0; k < e->nkeys; k++)
			json_object_set_new(g, np_egress_attr_names[e->keys[k]],
			                    np_json_str(r->key[k]));
		json_object_set_new(row, "group", g);
		json_array_append_new(rows, sums_json(row, &r->s));
	}
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "total", sums_json(json_object(), &e->total));
	char *s = np_json_doc(o, NULL);
	json_decref(o);
	return s;
}

char *
np_egress_render(const struct np_egress *e, enum np_format f, const struct np_tz *tz)
{
	struct np_tz *utc = tz == NULL ? np_tz_utc() : NULL;
	const struct np_tz *z = tz != NULL ? tz : utc;
	char *s = f == NP_FMT_JSON  ? render_json(e, z)
	          : f == NP_FMT_CSV ? render_csv(e, z)
	                            : render_text(e, z);
	np_tz_free(utc);
	return s;
}
