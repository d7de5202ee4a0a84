/* netpulse alerts --pending|--dead|--retry: the outbox as an operator sees it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_cli.h"
#include "report/json_doc.h"
#include "report/table.h"

static const struct cli_opt opts[] = {
    {"pending", 0, false}, {"dead", 0, false}, {"retry", 0, false},
    {"sink", 0, true},     {NULL, 0, false},
};

struct listing {
	const struct cli *cli;
	const char *sink; /* NULL = every sink */
	struct np_table *t;
	json_t *arr;
};

static int
item_cb(const struct np_outbox_item *it, void *arg)
{
	struct listing *l = arg;
	if (l->sink != NULL && strcmp(l->sink, it->sink) != 0)
		return 0;
	if (l->arr != NULL) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(it->id));
		json_object_set_new(o, "time", np_json_time(l->cli->tz, it->time_ms / 1000));
		json_object_set_new(o, "msgid", np_json_str(it->msgid));
		json_object_set_new(o, "device", np_json_str(it->device));
		json_object_set_new(o, "interface", np_json_str(it->interface));
		json_object_set_new(o, "state", np_json_str(it->state));
		json_object_set_new(o, "sink", np_json_str(it->sink));
		json_object_set_new(o, "attempts", json_integer(it->attempts));
		json_object_set_new(o, "queued", np_json_time(l->cli->tz, it->queued_s));
		json_object_set_new(o, "dead",
		                    it->dead_s != 0 ? np_json_time(l->cli->tz, it->dead_s)
		                                    : json_null());
		json_object_set_new(o, "message", np_json_str(it->message));
		json_array_append_new(l->arr, o);
		return 0;
	}
	np_table_row(l->t);
	np_table_int(l->t, it->id);
	np_table_int(l->t, it->time_ms / 1000);
	np_table_str(l->t, it->msgid);
	np_table_str(l->t, it->device);
	np_table_str(l->t, it->interface);
	np_table_str(l->t, it->sink);
	np_table_int(l->t, it->attempts);
	np_table_int(l->t, it->queued_s);
	if (it->dead_s != 0)
		np_table_int(l->t, it->dead_s);
	else
		np_table_null(l->t);
	np_table_str(l->t, it->message);
	return 0;
}

static int
list(struct cli *cli, bool dead)
{
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL)
		return CLI_ERR;
	struct listing l = {.cli = cli, .sink = cli_get(cli, "sink")};
	if (cli->fmt == NP_FMT_JSON) {
		l.arr = json_array();
	} else {
		l.t = np_table_new();
		np_table_col(l.t, "id", NP_COL_INT);
		np_table_col(l.t, "time", NP_COL_TIME);
		np_table_col(l.t, "msgid", NP_COL_STR);
		np_table_col(l.t, "device", NP_COL_STR);
		np_table_col(l.t, "interface", NP_COL_STR);
		np_table_col(l.t, "sink", NP_COL_STR);
		np_table_col(l.t, "attempts", NP_COL_INT);
		np_table_col(l.t, "queued", NP_COL_TIME);
		np_table_col(l.t, "dead", NP_COL_TIME);
		np_table_col(l.t, "message", NP_COL_STR);
	}
	char *cause = NULL;
	int rc = CLI_OK;
	if (np_store_outbox_list(st, dead, item_cb, &l, &cause) == -1)
		rc = cli_error("%s", cause);
	else
		rc = cli_print(l.arr != NULL ? np_json_doc(l.arr, "alerts")
		                             : np_table_render(l.t, cli->fmt, cli->tz));
	free(cause);
	json_decref(l.arr);
	np_table_free(l.t);
	np_store_close(st);
	return rc;
}

static int
retry(struct cli *cli)
{
	/* A write: the daemon's next delivery turn (at the latest its backoff) picks them up. */
	struct np_store *st = cli_open_db(cli, true);
	if (st == NULL)
		return CLI_ERR;
	char *cause = NULL;
	int64_t n = np_store_outbox_retry(st, cli_get(cli, "sink"), cli->now, &cause);
	int rc;
	if (n < 0) {
		rc = cli_error("%s", cause);
	} else if (cli->fmt == NP_FMT_JSON) {
		char *out = NULL;
		json_t *o = json_pack("{sI}", "requeued", (json_int_t)n);
		out = np_json_doc(o, NULL);
		json_decref(o);
		rc = cli_print(out);
	} else {
		char *out = NULL;
		if (asprintf(&out, "%lld dead letter(s) queued again\n", (long long)n) < 0)
			out = NULL;
		rc = cli_print(out);
	}
	free(cause);
	np_store_close(st);
	return rc;
}

static int
run(struct cli *cli)
{
	bool pending = cli_flag(cli, "pending"), dead = cli_flag(cli, "dead"),
	     again = cli_flag(cli, "retry");
	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	if ((int)pending + (int)dead + (int)again > 1)
		return cli_usage_error(cli, "--pending, --dead and --retry exclude each other");
	if (again)
		return retry(cli);
	return list(cli, dead);
}

const struct cli_cmd c_alerts_cmd = {
    .name = "alerts",
    .summary = "the alert outbox: pending deliveries and dead letters",
    .usage = "alerts [--pending | --dead | --retry] [--sink KEY]",
    .help = "Lists alerts not delivered yet, one row per (alert, sink): id (the id=\"N\" of\n"
            "the alert's structured data), time, msgid, device, interface, sink, attempts,\n"
            "when it was queued, and for a dead letter when it became one.\n"
            "\n"
            "  --pending   alerts waiting for a sink (the default)\n"
            "  --dead      dead letters: undelivered for longer than alerts.max_age (24h\n"
            "              by default); they are kept, not sent, until retried\n"
            "  --retry     queue every dead letter again (its age counts from now); the\n"
            "              running daemon sends them at its next delivery turn\n"
            "  --sink KEY  only this sink, e.g. tcp://logs.example.net:514 (as listed)\n",
    .opts = opts,
    .run = run,
};
