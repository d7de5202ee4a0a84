/* appStatsTimeSeries answers (cato.h): amounts per (application, user, bucket). */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collectors/cato.h"
#include "util/cause.h"
#include "util/hmap.h"
#include "util/str.h"
#include "util/xmalloc.h"

#define DEFAULT_WAIT_MS 5000

static bool
has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s != '\0'; s++)
		if (strncasecmp(s, w, n) == 0)
			return true;
	return false;
}

enum np_cato_answer
np_cato_classify(const char *msg, int64_t *wait_ms)
{
	*wait_ms = 0;
	if (msg == NULL)
		return NP_CATO_ERROR;
	if (has_word(msg, "rate limit") || has_word(msg, "ratelimit") ||
	    has_word(msg, "rate-limit")) {
		*wait_ms = DEFAULT_WAIT_MS;
		for (const char *p = msg; *p != '\0'; p++) {
			if (strncasecmp(p, "try again in ", 13) != 0)
				continue;
			char *end;
			double n = strtod(p + 13, &end);
			if (end != p + 13 && n >= 0 && n <= 3600)
				*wait_ms = (int64_t)ceil(n * 1000);
			break;
		}
		return NP_CATO_RATE_LIMITED;
	}
	if (has_word(msg, "unauthorized") || has_word(msg, "authentication") ||
	    has_word(msg, "api key") || has_word(msg, "forbidden"))
		return NP_CATO_BAD_KEY;
	return NP_CATO_ERROR;
}

/* Reads one quoted value starting after the opening quote; it ends at a quote followed by
 * the end or ", name='". */
static char *
label_value(const char **pp)
{
	const char *p = *pp;
	for (const char *q = p; *q != '\0'; q++) {
		if (*q != '\'')
			continue;
		const char *r = q + 1;
		bool end = *r == '\0';
		if (!end && r[0] == ',' && r[1] == ' ') {
			const char *s = r + 2;
			while (*s == '_' || isalnum((unsigned char)*s))
				s++;
			end = s > r + 2 && s[0] == '=' && s[1] == '\'';
		}
		if (end) {
			*pp = *r == '\0' ? r : r + 2;
			return np_xstrndup(p, (size_t)(q - p));
		}
	}
	return NULL;
}

int
np_cato_parse_label(const char *label, char **measure, char **app, char **user)
{
	*measure = *app = *user = NULL;
	const char *open = strchr(label, '('), *close = open ? strchr(open, ')') : NULL;
	const char *p = close != NULL ? strstr(close, " for ") : NULL;
	if (p == NULL)
		return -1;
	*measure = np_xstrndup(open + 1, (size_t)(close - open - 1));
	p += 5;
	while (*p != '\0') {
		const char *eq = strstr(p, "='");
		if (eq == NULL)
			break;
		char *name = np_xstrndup(p, (size_t)(eq - p));
		const char *v = eq + 2;
		char *val = label_value(&v);
		if (val == NULL) {
			free(name);
			break;
		}
		char **slot = strcmp(name, "application_name") == 0 ? app
		              : strcmp(name, "user_name") == 0      ? user
		                                                    : NULL;
		if (slot != NULL && *slot == NULL)
			*slot = val;
		else
			free(val);
		free(name);
		p = v;
	}
	if (*app == NULL) {
		free(*measure);
		free(*user);
		*measure = *user = NULL;
		return -1;
	}
	return 0;
}

static json_t *
get2(const json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);
	return v != NULL ? v : json_object_get(o, b);
}

/* The series' measure and dimensions from key (or its alias), else from the label. */
static int
series_names(const json_t *ts, char **measure, char **app, char **user)
{
	const json_t *key = get2(ts, "key", "keyTimeseries");
	if (json_is_object(key)) {
		const char *m = json_string_value(json_object_get(key, "measureFieldName"));
		const json_t *dims = json_object_get(key, "dimensions");
		if (m == NULL || !json_is_array(dims))
			return -1;
		*measure = np_xstrdup(m);
		*app = *user = NULL;
		size_t i;
		const json_t *d;
		json_array_foreach(dims, i, d)
		{
			const char *f = json_string_value(json_object_get(d, "fieldName"));
			const json_t *v = json_object_get(d, "value");
			const char *s = json_is_string(v) ? json_string_value(v) : "";
			if (f == NULL)
				continue;
			if (strcmp(f, "application_name") == 0 && *app == NULL)
				*app = np_xstrdup(s);
			else if (strcmp(f, "user_name") == 0 && *user == NULL)
				*user = np_xstrdup(s);
		}
		if (*app == NULL) {
			free(*measure);
			free(*user);
			return -1;
		}
		if (*user == NULL)
			*user = np_xstrdup("");
		return 0;
	}
	const char *label = json_string_value(json_object_get(ts, "label"));
	if (label == NULL || np_cato_parse_label(label, measure, app, user) == -1)
		return -1;
	if (*user == NULL)
		*user = np_xstrdup("");
	return 0;
}

struct ctx {
	struct np_batch *b;
	struct np_hmap *index; /* "<len>:app<len>:user<bucket>" -> obs index + 1 */
	int64_t from_s, to_s, gran;
	struct np_cato_result *res;
};

static void
add_point(struct ctx *c, const char *app, const char *user, bool up, int64_t start, uint64_t v)
{
	char *k = np_xasprintf("%zu:%s%zu:%s%lld", strlen(app), app, strlen(user), user,
	                       (long long)start);
	size_t kl = strlen(k);
	uintptr_t idx = (uintptr_t)np_hmap_get(c->index, k, kl);
	struct np_obs *o;
	if (idx == 0) {
		o = np_batch_add(c->b);
		np_obs_set_names(c->b, o, app, user);
		np_obs_label(c->b, o, "application", app);
		np_obs_label(c->b, o, "user", user);
		np_obs_amount(o, start * 1000, (start + c->gran) * 1000);
		if (o->truncated)
			c->res->truncated++;
		c->res->amounts++;
		np_hmap_put(c->index, k, kl, (void *)(uintptr_t)c->b->n);
	} else {
		o = &c->b->obs[idx - 1];
	}
	free(k);
	np_obs_counter(o, up ? NP_C_TX_BYTES : NP_C_RX_BYTES, v);
}

static int
read_series(struct ctx *c, const json_t *ts)
{
	char *measure, *app, *user;
	if (series_names(ts, &measure, &app, &user) == -1) {
		np_batch_skip(c->b, "a timeseries without application_name in key or label");
		return 0;
	}
	bool up = strcmp(measure, "upstream") == 0;
	if (!up && strcmp(measure, "downstream") != 0) {
		np_batch_skip(c->b, "a measure other than upstream or downstream");
		goto out;
	}
	c->res->series++;
	const json_t *data = json_object_get(ts, "data"), *pt;
	size_t i;
	json_array_foreach(data, i, pt)
	{
		const json_t *t = json_array_get(pt, 0), *v = json_array_get(pt, 1);
		if (!json_is_number(t) || !json_is_number(v)) {
			np_batch_skip(c->b, "a data point that is not [time, value]");
			continue;
		}
		double tv = json_number_value(t), vv = json_number_value(v);
		if (vv < 0) /* -1: no data in the bucket (withMissingData) */
			continue;
		if (!(tv >= 0 && tv < 9.2e18) || !(vv < 1.8e19)) {
			np_batch_skip(c->b, "a data point out of range");
			continue;
		}
		int64_t ms = llround(tv), start = ms / 1000;
		if (start < c->from_s || start >= c->to_s || (start - c->from_s) % c->gran != 0) {
			np_batch_skip(c->b, "a bucket outside the time frame asked for");
			continue;
		}
		add_point(c, app, user, up, start, (uint64_t)llround(vv));
	}
out:
	free(measure);
	free(app);
	free(user);
	return 0;
}

static int
read_errors(const json_t *root, struct np_cato_result *res)
{
	const json_t *errs = json_object_get(root, "errors");
	if (!json_is_array(errs) || json_array_size(errs) == 0)
		return 0;
	const char *msg = json_string_value(json_object_get(json_array_get(errs, 0), "message"));
	res->answer = np_cato_classify(msg, &res->wait_ms);
	res->message = np_escape(msg != NULL ? msg : "(an error without a message)");
	return 1;
}

int
np_cato_parse(const char *body, size_t len, int64_t from_s, int64_t to_s, struct np_batch *b,
              struct np_cato_result *res, char **cause)
{
	memset(res, 0, sizeof(*res));
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_DECODE_INT_AS_REAL, &jerr);
	if (root == NULL) {
		np_cause(cause, "not JSON: %s at line %d", jerr.text, jerr.line);
		return -1;
	}
	int rc = -1;
	const json_t *ast = json_object_get(json_object_get(root, "data"), "appStatsTimeSeries");
	/* Errors with no answer decide; errors beside an answer are partial data: refused too. */
	if (read_errors(root, res) == 1) {
		rc = 0;
		goto out;
	}
	if (!json_is_object(ast)) {
		np_cause(cause, "no data.appStatsTimeSeries object in the answer");
		goto out;
	}
	const json_t *g = json_object_get(ast, "granularity");
	res->granularity =
	    json_is_number(g) ? (int64_t)llround(json_number_value(g)) : NP_CATO_HOUR;
	if (res->granularity <= 0 || res->granularity > 31 * 86400) {
		np_cause(cause, "granularity %lld is not a bucket size",
		         (long long)res->granularity);
		goto out;
	}
	const json_t *series = json_object_get(ast, "timeseries");
	if (series != NULL && !json_is_array(series) && !json_is_null(series)) {
		np_cause(cause, "timeseries is not an array");
		goto out;
	}
	struct ctx c = {.b = b,
	                .index = np_hmap_new(),
	                .from_s = from_s,
	                .to_s = to_s,
	                .gran = res->granularity,
	                .res = res};
	size_t i;
	const json_t *ts;
	json_array_foreach(series, i, ts)
	{
		if (json_is_object(ts))
			read_series(&c, ts);
		else
			np_batch_skip(b, "a timeseries that is not an object");
	}
	np_hmap_free(c.index, NULL);
	res->answer = NP_CATO_OK;
	rc = 0;
out:
	json_decref(root);
	return rc;
}
