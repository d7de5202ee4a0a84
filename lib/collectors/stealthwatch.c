#include "collectors/stealthwatch.h"

#include <stdlib.h>

#include "collectors/stealthwatch_parse.h"
#include "io/ssh.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/xmalloc.h"

struct sw {
	struct np_collector_ctx ctx;
	struct np_ssh *ssh;
	struct np_batch batch;
	char *who;  /* "fc-east (host:port)", the prefix of every cause */
	char *path; /* owned: the config is freed by a reload that keeps this source */
	size_t max_bytes;
};

static void
fetched(void *arg, int ok, const char *data, size_t len, const char *why)
{
	struct sw *sw = arg;
	if (ok != 0) {
		sw->ctx.done(sw->ctx.arg, NULL, -1, np_xasprintf("%s: %s", sw->who, why), 0);
		return;
	}
	np_batch_reset(&sw->batch, np_wall_ms());
	char *cause = NULL;
	if (np_stealthwatch_parse(data, len, &sw->batch, &cause) == -1) {
		char *msg = np_xasprintf("%s: %s: %s", sw->who, sw->path, cause);
		free(cause);
		sw->ctx.done(sw->ctx.arg, NULL, -1, msg, 0);
		return;
	}
	sw->ctx.done(sw->ctx.arg, &sw->batch, 0, NULL, 0); /* may destroy sw: nothing after */
}

static void *
sw_create(const struct np_collector_ctx *ctx, char **cause)
{
	const struct np_source_cfg *src = ctx->cfg;
	const struct np_sw_conf *c = src->conf;
	if (c == NULL) {
		np_cause(cause, "%s: no stealthwatch settings", src->name);
		return NULL;
	}
	int port = c->port > 0 ? c->port : 22;
	/*
	 * The core cancels a poll at timeout_ms; the SSH deadline fires a little earlier so the
	 * cause says which step hung ("timed out ... (SSH handshake)").
	 */
	int64_t t = src->timeout_ms;
	struct np_ssh_params p = {
	    .host = c->host,
	    .port = port,
	    .user = c->user,
	    .identity_file = c->identity_file,
	    .use_agent = c->use_agent,
	    .password = c->password,
	    .known_hosts = c->known_hosts,
	    .timeout_ms = t > 1000 ? t - 250 : t * 3 / 4,
	    .limit_name = "max_file_size",
	};
	if (c->identity_file == NULL && !c->use_agent && c->password == NULL) {
		np_cause(cause,
		         "%s: no authentication configured (identity_file, use_agent or "
		         "password_file/password_env)",
		         src->name);
		return NULL;
	}
	struct np_ssh *ssh = np_ssh_new(ctx->base, &p, cause);
	if (ssh == NULL) {
		np_cause_prefix(cause, "%s", src->name);
		return NULL;
	}
	struct sw *sw = np_xcalloc(1, sizeof(*sw));
	sw->ctx = *ctx;
	sw->ctx.cfg = NULL; /* valid during create only */
	sw->ssh = ssh;
	sw->path = np_xstrdup(c->path != NULL ? c->path : NP_STEALTHWATCH_DEFAULT_PATH);
	sw->max_bytes = c->max_file_size > 0 ? (size_t)c->max_file_size : NP_STEALTHWATCH_MAX_BYTES;
	sw->who = np_xasprintf("%s (%s:%d)", src->name, c->host, port);
	np_batch_init(&sw->batch, src->name, 0);
	return sw;
}

static int
sw_poll(void *inst, char **cause)
{
	struct sw *sw = inst;
	if (np_ssh_fetch(sw->ssh, sw->path, sw->max_bytes, fetched, sw, cause) == -1) {
		np_cause_prefix(cause, "%s", sw->who);
		return -1;
	}
	return 0;
}

static void
sw_cancel(void *inst)
{
	struct sw *sw = inst;
	np_ssh_cancel(sw->ssh);
}

static void
sw_destroy(void *inst)
{
	struct sw *sw = inst;
	if (sw == NULL)
		return;
	np_ssh_free(sw->ssh);
	np_batch_free(&sw->batch);
	free(sw->who);
	free(sw->path);
	free(sw);
}

static const char *
sw_peer(const void *conf)
{
	return ((const struct np_sw_conf *)conf)->host;
}

const struct np_collector_ops np_stealthwatch_ops = {
    .type = "stealthwatch",
    .options = np_sw_options,
    .conf_size = sizeof(struct np_sw_conf),
    .conf_check = np_sw_conf_check,
    .peer = sw_peer,
    .create = sw_create,
    .poll = sw_poll,
    .cancel = sw_cancel,
    .destroy = sw_destroy,
};
