/*
 * Versioned schema migrations (PRAGMA user_version). Migration N moves a database from version
 * N-1 to N and ends with "PRAGMA user_version = N;" (the store checks it did); a database newer
 * than the last migration is refused. Never edit a migration that has shipped: add a new one.
 *
 * Time columns are UTC Unix seconds (except baselines.t_ms). Counter columns in rollups
 * are deltas (already judged by the counter engine), never raw cumulative values; only the
 * baselines table holds raw readings.
 */
#include "store/schema.h"

#include <stddef.h>

/* The three rollup tables have one shape (the text is exactly migration 1's). */
/* clang-format off */
#define ROLLUP_TABLE(name) \
	"CREATE TABLE " name " (" \
	"  bucket INTEGER NOT NULL, series INTEGER NOT NULL, secs REAL NOT NULL DEFAULT 0," \
	"  rx_bytes INTEGER NOT NULL DEFAULT 0, tx_bytes INTEGER NOT NULL DEFAULT 0," \
	"  rx_packets INTEGER NOT NULL DEFAULT 0, tx_packets INTEGER NOT NULL DEFAULT 0," \
	"  rx_errors INTEGER NOT NULL DEFAULT 0, tx_errors INTEGER NOT NULL DEFAULT 0," \
	"  rx_drops INTEGER NOT NULL DEFAULT 0, tx_drops INTEGER NOT NULL DEFAULT 0," \
	"  peak_rx REAL NOT NULL DEFAULT 0, peak_tx REAL NOT NULL DEFAULT 0," \
	"  gauge_min REAL, gauge_max REAL, gauge_sum REAL NOT NULL DEFAULT 0," \
	"  gauge_n INTEGER NOT NULL DEFAULT 0," \
	"  PRIMARY KEY (bucket, series)) WITHOUT ROWID;"
/* clang-format on */

static const char *const migrations[] = {
    /* 1: initial schema */
    "CREATE TABLE series ("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL,"
    "  device TEXT NOT NULL,"
    "  interface TEXT NOT NULL,"
    "  kind TEXT NOT NULL DEFAULT 'if',"   /* 'if' interface-like, 'usage', 'gauge' */
    "  labels TEXT NOT NULL DEFAULT '{}'," /* JSON object of label -> value */
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  UNIQUE (source, device, interface, kind));"
    /* One row per series per poll: the judged deltas over [t - secs, t]. */
    "CREATE TABLE samples ("
    "  t INTEGER NOT NULL,"
    "  series INTEGER NOT NULL,"
    "  secs REAL NOT NULL,"
    "  rx_bytes INTEGER, tx_bytes INTEGER, rx_packets INTEGER, tx_packets INTEGER,"
    "  rx_errors INTEGER, tx_errors INTEGER, rx_drops INTEGER, tx_drops INTEGER,"
    "  gauge REAL,"
    "  verdict INTEGER NOT NULL DEFAULT 1," /* worst np_verdict of the row */
    "  PRIMARY KEY (t, series)) WITHOUT ROWID;"
    /*
     * Rollups keyed (bucket, series): the UPSERT of one poll then touches adjacent pages
     * (DESIGN §10: 22x faster than (series, bucket)). secs = seconds of data in the bucket;
     * peak_* = highest per-poll rate in bytes/s; gauge_* over the gauge samples.
     */
    ROLLUP_TABLE("rollup_5m") ROLLUP_TABLE("rollup_1h") ROLLUP_TABLE("rollup_1d")
    /* Non-ok counter verdicts per series (DESIGN §5: visible with --explain). */
    "CREATE TABLE verdicts ("
    "  series INTEGER NOT NULL, verdict TEXT NOT NULL, count INTEGER NOT NULL,"
    "  last INTEGER NOT NULL, PRIMARY KEY (series, verdict)) WITHOUT ROWID;"
    /* Current state per link, as the link-state engine persists it (restart restores it). */
    "CREATE TABLE links ("
    "  device TEXT NOT NULL, interface TEXT NOT NULL,"
    "  state TEXT NOT NULL, since INTEGER NOT NULL, last_known TEXT NOT NULL,"
    "  ever_up INTEGER NOT NULL, flapping INTEGER NOT NULL,"
    "  outage_start INTEGER NOT NULL DEFAULT 0,"
    "  pending TEXT NOT NULL DEFAULT 'unknown', pending_since INTEGER NOT NULL DEFAULT 0,"
    "  last_change INTEGER NOT NULL DEFAULT 0,"
    "  sources TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (device, interface)) WITHOUT ROWID;"
    "CREATE TABLE transitions ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL, device TEXT NOT NULL, interface TEXT NOT NULL,"
    "  state TEXT NOT NULL, previous TEXT NOT NULL, source TEXT NOT NULL,"
    "  outage_seconds INTEGER," /* set on the transition that ends an outage */
    "  alert TEXT,"             /* msgid of the alert it raised, NULL if none */
    "  flapping INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX transitions_time ON transitions (time);"
    /* Down intervals; end NULL while open. Closed by the transition out of down. */
    "CREATE TABLE outages ("
    "  id INTEGER PRIMARY KEY,"
    "  device TEXT NOT NULL, interface TEXT NOT NULL,"
    "  start INTEGER NOT NULL, end INTEGER);"
    "CREATE INDEX outages_link ON outages (device, interface, start);"
    /* Stale (unobserved) intervals per link, same shape. */
    "CREATE TABLE unobserved ("
    "  id INTEGER PRIMARY KEY,"
    "  device TEXT NOT NULL, interface TEXT NOT NULL,"
    "  start INTEGER NOT NULL, end INTEGER);"
    "CREATE INDEX unobserved_link ON unobserved (device, interface, start);"
    /* Alert outbox: written in the same transaction as the state change (DESIGN §2). */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  created INTEGER NOT NULL,"
    "  msgid TEXT NOT NULL, severity INTEGER NOT NULL,"
    "  device TEXT NOT NULL, interface TEXT NOT NULL,"
    "  state TEXT NOT NULL, previous TEXT NOT NULL, since INTEGER NOT NULL,"
    "  source TEXT NOT NULL, outage_seconds INTEGER,"
    "  message TEXT NOT NULL);"
    /* One row per (alert, sink); sink = the alert target's key, e.g. "tcp://127.0.0.1:5515". */
    "CREATE TABLE outbox_sink ("
    "  outbox INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,"
    "  sink TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  delivered INTEGER,"
    "  PRIMARY KEY (outbox, sink)) WITHOUT ROWID;"
    "CREATE INDEX outbox_pending ON outbox_sink (sink, delivered);"
    /* Daemon runs: time between runs is unobserved for every link. */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY, started INTEGER NOT NULL, last_alive INTEGER NOT NULL,"
    "  version TEXT NOT NULL);"
    /* Per-source collector health, so a restart does not repeat a COLLECTOR alert. */
    "CREATE TABLE collectors ("
    "  source TEXT PRIMARY KEY, ok INTEGER NOT NULL, since INTEGER NOT NULL,"
    "  last_error TEXT NOT NULL DEFAULT '', failures INTEGER NOT NULL DEFAULT 0,"
    "  skipped INTEGER NOT NULL DEFAULT 0, skip_reason TEXT NOT NULL DEFAULT '');"
    /* Every migration ends by setting its own version, inside the migration's transaction. */
    "PRAGMA user_version = 1;",
    /*
     * 2: hourly and daily rollups are folded from closed 5-minute buckets instead of being
     * upserted per sample. fold.next_5m is the first 5-minute bucket not folded yet; a
     * database from version 1 already holds everything in rollup_1h/1d, so it starts after
     * its last bucket.
     */
    "CREATE TABLE fold (id INTEGER PRIMARY KEY CHECK (id = 1), next_5m INTEGER NOT NULL);"
    "INSERT INTO fold (id, next_5m) VALUES (1,"
    " coalesce((SELECT max(bucket) + 300 FROM rollup_5m), -9223372036854775807));"
    "PRAGMA user_version = 2;",
    /*
     * 3: counter baselines, so that a restart or a `netpulsed --once` run judges its first
     * reading against the last one stored instead of starting over. One row per series, written
     * in the batch's transaction: the raw cumulative readings (uint64 bit patterns, so a value
     * above 2^63 reads as negative), their time in UTC ms (the counter engine's precision) and
     * epoch (same bit pattern rule), and the mask of counters the row holds.
     */
    "CREATE TABLE baselines ("
    "  series INTEGER PRIMARY KEY REFERENCES series(id),"
    "  t_ms INTEGER NOT NULL, epoch INTEGER NOT NULL, mask INTEGER NOT NULL,"
    "  rx_bytes INTEGER, tx_bytes INTEGER, rx_packets INTEGER, tx_packets INTEGER,"
    "  rx_errors INTEGER, tx_errors INTEGER, rx_drops INTEGER, tx_drops INTEGER);"
    "PRAGMA user_version = 3;",
    /*
     * 4: the write path keeps each series' open 5-minute bucket in memory and writes its
     * rollup row once, when the bucket closes, with the counter baseline of that moment (so a
     * crash loses no delta: the next reading is judged against it). Raw per-poll rows are no
     * longer written: at 1,000 links polled every second they cost 150 MB/h. Hourly and daily
     * rollups are folded from 5-minute rows one closed hour at a time, a slice of series per
     * step: fold.pass_end is the end of the hour being folded (= next_5m when none is),
     * fold.cursor the first series id not folded yet in it.
     */
    "DROP TABLE samples;"
    "ALTER TABLE fold ADD COLUMN pass_end INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE fold ADD COLUMN cursor INTEGER NOT NULL DEFAULT 0;"
    "UPDATE fold SET pass_end = next_5m;"
    "PRAGMA user_version = 4;",
    /*
     * 5: interval amounts, usage a source hands out already summed over [start, end) (e.g. a
     * Meraki network's bytes of one day): stored as given, one row per series and interval,
     * a re-poll replacing the row (never adding). Keyed by start first, like the rollups
     * (DESIGN §10); amounts_series finds a series' latest end (what a restarted collector
     * still has to fill). Counters the source did not give are NULL.
     */
    "CREATE TABLE amounts ("
    "  start INTEGER NOT NULL, series INTEGER NOT NULL REFERENCES series(id),"
    "  end INTEGER NOT NULL,"
    "  rx_bytes INTEGER, tx_bytes INTEGER, rx_packets INTEGER, tx_packets INTEGER,"
    "  rx_errors INTEGER, tx_errors INTEGER, rx_drops INTEGER, tx_drops INTEGER,"
    "  CHECK (end > start),"
    "  PRIMARY KEY (start, series, end)) WITHOUT ROWID;"
    "CREATE INDEX amounts_series ON amounts (series, end);"
    "PRAGMA user_version = 5;",
    /*
     * 6: scheduled reports that were
     * mailed, one row per (report name, period start), so a period is sent once even across
     * restarts, and a schedule missed while the daemon was down is sent at start-up.
     */
    "CREATE TABLE report_runs ("
    "  name TEXT NOT NULL,"
    "  period_start INTEGER NOT NULL,"
    "  sent_at INTEGER NOT NULL,"
    "  PRIMARY KEY (name, period_start));"
    "PRAGMA user_version = 6;",
    /*
     * 7: alert identity and dead letters. outbox.id is the alert's id in every message (SD
     * id="N"): retention keeps the newest outbox row so SQLite never hands out an id twice.
     * created_ms is the alert's real time in UTC ms (NULL in older rows: created * 1000);
     * details a group summary's per-link JSON array. outbox_sink.queued is when the row was
     * queued (or re-queued by `netpulse alerts --retry`; NULL = outbox.created), dead when it
     * became a dead letter (undelivered longer than alerts.max_age). transitions.alert_id is
     * the outbox id of the alert the transition raised.
     */
    "ALTER TABLE outbox ADD COLUMN created_ms INTEGER;"
    "ALTER TABLE outbox ADD COLUMN details TEXT;"
    "ALTER TABLE outbox_sink ADD COLUMN queued INTEGER;"
    "ALTER TABLE outbox_sink ADD COLUMN dead INTEGER;"
    "ALTER TABLE transitions ADD COLUMN alert_id INTEGER;"
    "DROP INDEX outbox_pending;"
    "CREATE INDEX outbox_pending ON outbox_sink (sink, delivered, dead, outbox);"
    /* alert_id -1: an alert held for a group summary (alerts.group_window). */
    "CREATE INDEX transitions_held ON transitions (alert_id) WHERE alert_id = -1;"
    "PRAGMA user_version = 7;",
    /*
     * 8: maintenance windows (`maintenance:`). transitions.maintenance = 1: the transition's
     * alert fell in a window and was recorded, not sent. maintenance holds the time each link
     * spent inside a window as the daemon saw it happen (closed intervals, like unobserved;
     * window = the entry's name): the report reads these rather than today's config, so a
     * window removed or changed later does not rewrite past availability.
     */
    "ALTER TABLE transitions ADD COLUMN maintenance INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE maintenance ("
    "  id INTEGER PRIMARY KEY,"
    "  device TEXT NOT NULL, interface TEXT NOT NULL,"
    "  start INTEGER NOT NULL, end INTEGER NOT NULL, window TEXT NOT NULL DEFAULT '',"
    "  CHECK (end > start));"
    "CREATE INDEX maintenance_link ON maintenance (device, interface, end);"
    /* A link's series (their labels scope windows; no index started with device). */
    "CREATE INDEX series_link ON series (device, interface);"
    "PRAGMA user_version = 8;",
    /*
     * 9: transitions.time_ms, the event's real time in UTC ms (NULL in older rows: time *
     * 1000), so an alert held for a group summary and read back after a restart keeps the
     * sub-second time it had. (One literal: clang's -Wstring-concatenation takes two in a row
     * for a missing comma.)
     */
    "ALTER TABLE transitions ADD COLUMN time_ms INTEGER; PRAGMA user_version = 9;",
};

const char *
np_schema_migration(int version)
{
	if (version < 1 || (size_t)version > sizeof(migrations) / sizeof(migrations[0]))
		return NULL;
	return migrations[version - 1];
}

int
np_schema_version(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}
