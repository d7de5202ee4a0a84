/*
 * The text of every statement the store prepares. All values are bound parameters; table
 * names differ only between the three rollup statements, which are therefore three texts.
 */
#include "store/store_int.h"

/* Sums add, peaks keep the maximum, gauge min/max ignore the side that is still NULL. */
/* clang-format off */
#define ROLLUP_COLUMNS \
	" (bucket, series, secs, rx_bytes, tx_bytes, rx_packets, tx_packets," \
	" rx_errors, tx_errors, rx_drops, tx_drops, peak_rx, peak_tx, gauge_min, gauge_max," \
	" gauge_sum, gauge_n)"
#define ROLLUP_UPSERT(table) \
	"INSERT INTO " table ROLLUP_COLUMNS " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10," \
	" ?11, ?12, ?13, ?14, ?15, ?16, ?17)" ROLLUP_MERGE
#define ROLLUP_MERGE \
	" ON CONFLICT (bucket, series) DO UPDATE SET secs = secs + excluded.secs," \
	" rx_bytes = rx_bytes + excluded.rx_bytes, tx_bytes = tx_bytes + excluded.tx_bytes," \
	" rx_packets = rx_packets + excluded.rx_packets, tx_packets = tx_packets + excluded.tx_packets," \
	" rx_errors = rx_errors + excluded.rx_errors, tx_errors = tx_errors + excluded.tx_errors," \
	" rx_drops = rx_drops + excluded.rx_drops, tx_drops = tx_drops + excluded.tx_drops," \
	" peak_rx = max(peak_rx, excluded.peak_rx), peak_tx = max(peak_tx, excluded.peak_tx)," \
	" gauge_min = coalesce(min(gauge_min, excluded.gauge_min), gauge_min, excluded.gauge_min)," \
	" gauge_max = coalesce(max(gauge_max, excluded.gauge_max), gauge_max, excluded.gauge_max)," \
	" gauge_sum = gauge_sum + excluded.gauge_sum, gauge_n = gauge_n + excluded.gauge_n"
/* clang-format on */

static const char *const sql[NP_S_MAX] = {
    [NP_S_BEGIN] = "BEGIN IMMEDIATE",
    [NP_S_BEGIN_RO] = "BEGIN",
    [NP_S_COMMIT] = "COMMIT",
    [NP_S_ROLLBACK] = "ROLLBACK",

    [NP_S_SERIES_GET] = "SELECT id, labels, last_seen FROM series"
                        " WHERE source = ?1 AND device = ?2 AND interface = ?3 AND kind = ?4",
    [NP_S_SERIES_ADD] = "INSERT INTO series (source, device, interface, kind, labels,"
                        " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    [NP_S_SERIES_LABELS] = "UPDATE series SET labels = ?2 WHERE id = ?1",
    [NP_S_SERIES_SEEN] = "UPDATE series SET last_seen = ?2 WHERE id = ?1 AND last_seen < ?2",

    [NP_S_BASELINE_SAVE] = "INSERT INTO baselines (series, t_ms, epoch, mask, rx_bytes, tx_bytes,"
                           " rx_packets, tx_packets, rx_errors, tx_errors, rx_drops, tx_drops)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                           " ON CONFLICT (series) DO UPDATE SET t_ms = excluded.t_ms,"
                           " epoch = excluded.epoch, mask = excluded.mask,"
                           " rx_bytes = excluded.rx_bytes, tx_bytes = excluded.tx_bytes,"
                           " rx_packets = excluded.rx_packets, tx_packets = excluded.tx_packets,"
                           " rx_errors = excluded.rx_errors, tx_errors = excluded.tx_errors,"
                           " rx_drops = excluded.rx_drops, tx_drops = excluded.tx_drops",
    [NP_S_BASELINE_LOAD] = "SELECT t_ms, epoch, mask, rx_bytes, tx_bytes, rx_packets, tx_packets,"
                           " rx_errors, tx_errors, rx_drops, tx_drops FROM baselines"
                           " WHERE series = ?1",

    /* An amount replaces the one stored for the same series and interval (store_amount.c). */
    [NP_S_AMOUNT_PUT] = "INSERT INTO amounts (start, series, end, rx_bytes, tx_bytes, rx_packets,"
                        " tx_packets, rx_errors, tx_errors, rx_drops, tx_drops)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                        " ON CONFLICT (start, series, end) DO UPDATE SET"
                        " rx_bytes = excluded.rx_bytes, tx_bytes = excluded.tx_bytes,"
                        " rx_packets = excluded.rx_packets, tx_packets = excluded.tx_packets,"
                        " rx_errors = excluded.rx_errors, tx_errors = excluded.tx_errors,"
                        " rx_drops = excluded.rx_drops, tx_drops = excluded.tx_drops",
    /* One amounts_series seek per series of the device (the series UNIQUE index finds them). */
    [NP_S_AMOUNT_MARK] = "SELECT max((SELECT max(end) FROM amounts WHERE series = s.id))"
                         " FROM series s WHERE s.source = ?1 AND (?2 IS NULL OR s.device = ?2)"
                         " AND (?3 IS NULL OR s.interface = ?3)",

    [NP_S_ROLLUP_5M] = ROLLUP_UPSERT("rollup_5m"),
    [NP_S_ROLLUP_1H] = ROLLUP_UPSERT("rollup_1h"),
    [NP_S_ROLLUP_1D] = ROLLUP_UPSERT("rollup_1d"),
    [NP_S_VERDICT] = "INSERT INTO verdicts (series, verdict, count, last) VALUES (?1, ?2, 1, ?3)"
                     " ON CONFLICT (series, verdict) DO UPDATE SET count = count + 1,"
                     " last = max(last, excluded.last)",
    [NP_S_NOTE] = "INSERT INTO verdicts (series, verdict, count, last) VALUES (?1, ?2, ?3, ?4)"
                  " ON CONFLICT (series, verdict) DO UPDATE SET count = count + excluded.count,"
                  " last = max(last, excluded.last)",

    [NP_S_TRANSITION] = "INSERT INTO transitions (time, device, interface, state, previous, source,"
                        " outage_seconds, alert, flapping, time_ms)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    /* The deciding sources for `status`; the state fields are np_store_link_save's. */
    [NP_S_LINK_SOURCES] =
        "INSERT INTO links (device, interface, state, since, last_known, ever_up,"
        " flapping, sources) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT (device, interface) DO UPDATE SET sources = excluded.sources",
    /* At most one open interval per link, so a repeated event cannot double-count. */
    [NP_S_OUTAGE_OPEN] = "INSERT INTO outages (device, interface, start) SELECT ?1, ?2, ?3"
                         " WHERE NOT EXISTS (SELECT 1 FROM outages WHERE device = ?1"
                         " AND interface = ?2 AND end IS NULL)",
    /* ?4: the outage's length if known (store_event.c interval: clock steps). */
    [NP_S_OUTAGE_CLOSE] = "UPDATE outages SET end = CASE WHEN ?4 IS NULL THEN max(start, ?3)"
                          " ELSE start + ?4 END"
                          " WHERE device = ?1 AND interface = ?2 AND end IS NULL",
    /* Maintenance windows (store_window.c). */
    [NP_S_MAINT_MARK] = "UPDATE transitions SET maintenance = 1 WHERE id = ?1",
    [NP_S_MAINT_EXTEND] = "UPDATE maintenance SET end = ?4 WHERE device = ?1 AND interface = ?2"
                          " AND end = ?3 AND window = ?5",
    [NP_S_MAINT_ADD] = "INSERT INTO maintenance (device, interface, start, end, window)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    /* The values of one label on a link's series. */
    [NP_S_MAINT_LABELS] = "SELECT j.value FROM series s, json_each(s.labels) j"
                          " WHERE s.device = ?1 AND s.interface = ?2 AND j.key = ?3"
                          " AND j.type = 'text'",
    [NP_S_PRUNE_MAINT] = "DELETE FROM maintenance WHERE id IN (SELECT id FROM maintenance"
                         " WHERE end < ?1 ORDER BY id LIMIT ?2)",
    [NP_S_UNOBS_OPEN] = "INSERT INTO unobserved (device, interface, start) SELECT ?1, ?2, ?3"
                        " WHERE NOT EXISTS (SELECT 1 FROM unobserved WHERE device = ?1"
                        " AND interface = ?2 AND end IS NULL)",
    [NP_S_UNOBS_CLOSE] = "UPDATE unobserved SET end = max(start, ?3)"
                         " WHERE device = ?1 AND interface = ?2 AND end IS NULL",

    [NP_S_OUTBOX_ADD] = "INSERT INTO outbox (created, msgid, severity, device, interface, state,"
                        " previous, since, source, outage_seconds, message, created_ms, details)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [NP_S_OUTBOX_SINK_ADD] = "INSERT INTO outbox_sink (outbox, sink, queued) VALUES (?1, ?2, ?3)",
    /* After ?3: a sink pipelines, so the rows in flight are not read again. */
    [NP_S_OUTBOX_PENDING] = "SELECT o.id, o.created, o.msgid, o.severity, o.device, o.interface,"
                            " o.state, o.previous, o.source, o.since, o.outage_seconds,"
                            " o.message, s.attempts, coalesce(o.created_ms, o.created * 1000),"
                            " o.details FROM outbox_sink s JOIN outbox o ON o.id = s.outbox"
                            " WHERE s.sink = ?1 AND s.delivered IS NULL AND s.dead IS NULL"
                            " AND s.outbox > ?3 ORDER BY s.outbox LIMIT ?2",
    [NP_S_OUTBOX_DONE] = "UPDATE outbox_sink SET delivered = ?3 WHERE outbox = ?1 AND sink = ?2",
    [NP_S_OUTBOX_ATTEMPT] = "UPDATE outbox_sink SET attempts = attempts + 1"
                            " WHERE outbox = ?1 AND sink = ?2",
    [NP_S_OUTBOX_COUNT] = "SELECT count(*) FROM outbox_sink WHERE sink = ?1 AND delivered IS NULL"
                          " AND dead IS NULL",
    [NP_S_OUTBOX_COUNT_ALL] = "SELECT count(*) FROM outbox_sink WHERE delivered IS NULL"
                              " AND dead IS NULL",
    /* Undelivered rows queued before ?2 become dead letters (alerts.max_age). */
    [NP_S_OUTBOX_EXPIRE] = "UPDATE outbox_sink SET dead = ?3 WHERE sink = ?1 AND delivered IS NULL"
                           " AND dead IS NULL AND coalesce(queued, (SELECT created FROM outbox"
                           " WHERE id = outbox_sink.outbox)) < ?2",
    /* ?1: 0 pending, 1 dead. */
    [NP_S_OUTBOX_LIST] = "SELECT o.id, coalesce(o.created_ms, o.created * 1000), o.msgid,"
                         " o.device, o.interface, o.state, o.message, s.sink, s.attempts,"
                         " coalesce(s.queued, o.created), s.dead FROM outbox_sink s"
                         " JOIN outbox o ON o.id = s.outbox WHERE s.delivered IS NULL AND"
                         " (s.dead IS NOT NULL) = ?1 ORDER BY s.outbox, s.sink",
    [NP_S_OUTBOX_RETRY] = "UPDATE outbox_sink SET dead = NULL, queued = ?2, attempts = 0"
                          " WHERE dead IS NOT NULL AND delivered IS NULL AND sink = ?1",
    [NP_S_OUTBOX_RETRY_ALL] = "UPDATE outbox_sink SET dead = NULL, queued = ?2, attempts = 0"
                              " WHERE dead IS NOT NULL AND delivered IS NULL",
    [NP_S_TRANSITION_ALERT] = "UPDATE transitions SET alert_id = ?1 WHERE id = ?2",
    /* Alerts held for a group summary (alerts.group_window) when the daemon stopped. */
    [NP_S_HELD_LOAD] = "SELECT id, time, device, interface, state, previous, source,"
                       " outage_seconds, alert, coalesce(time_ms, time * 1000)"
                       " FROM transitions WHERE alert_id = -1 ORDER BY id",
    [NP_S_OUTBOX_SINKS] = "SELECT sink, count(*) FROM outbox_sink WHERE delivered IS NULL"
                          " AND dead IS NULL GROUP BY sink ORDER BY sink",
    /* Pending rows of ?1 move to ?2; one already queued for ?2 keeps its place (IGNORE)... */
    [NP_S_OUTBOX_REKEY] = "UPDATE OR IGNORE outbox_sink SET sink = ?2"
                          " WHERE sink = ?1 AND delivered IS NULL",
    /* ... and its twin under ?1, the same alert for the same target, goes. */
    [NP_S_OUTBOX_REKEY_DUPS] = "DELETE FROM outbox_sink WHERE sink = ?1 AND delivered IS NULL"
                               " AND EXISTS (SELECT 1 FROM outbox_sink t"
                               " WHERE t.outbox = outbox_sink.outbox AND t.sink = ?2)",

    /* sources NULL (?12) keeps what the row has (set by an event or an earlier save). */
    [NP_S_LINK_SAVE] = "INSERT INTO links (device, interface, state, since, last_known, ever_up,"
                       " flapping, outage_start, pending, pending_since, last_change, sources)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, coalesce(?12, ''))"
                       " ON CONFLICT (device, interface) DO UPDATE SET state = excluded.state,"
                       " since = excluded.since, last_known = excluded.last_known,"
                       " ever_up = excluded.ever_up, flapping = excluded.flapping,"
                       " outage_start = excluded.outage_start, pending = excluded.pending,"
                       " pending_since = excluded.pending_since,"
                       " last_change = excluded.last_change, sources = coalesce(?12, sources)",
    /* Only while it still is in that state (?3): a row written since is another life. */
    [NP_S_LINK_DELETE] = "DELETE FROM links WHERE device = ?1 AND interface = ?2 AND state = ?3",
    [NP_S_LINKS_LOAD] = "SELECT device, interface, state, since, last_known, ever_up, flapping,"
                        " outage_start, pending, pending_since, last_change, sources FROM links"
                        " ORDER BY device, interface",
    [NP_S_COLLECTOR_SAVE] = "INSERT INTO collectors (source, ok, since, last_error, failures,"
                            " skipped, skip_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                            " ON CONFLICT (source) DO UPDATE SET ok = excluded.ok,"
                            " since = excluded.since, last_error = excluded.last_error,"
                            " failures = excluded.failures, skipped = excluded.skipped,"
                            " skip_reason = excluded.skip_reason",
    [NP_S_COLLECTOR_LOAD] =
        "SELECT ok, since, failures, last_error FROM collectors WHERE source = ?1",
    [NP_S_RUN_START] = "INSERT INTO runs (started, last_alive, version) VALUES (?1, ?1, ?2)",
    [NP_S_RUN_ALIVE] = "UPDATE runs SET last_alive = max(last_alive, ?2) WHERE id = ?1",

    /* ?1 = cutoff (UTC s): a row goes only when all of it is older than the cutoff. */
    /* Never a bucket not folded yet (a crash, then downtime longer than the retention). */
    [NP_S_PRUNE_5M] = "DELETE FROM rollup_5m WHERE bucket = (SELECT min(bucket) FROM rollup_5m)"
                      " AND bucket <= ?1 - 300 AND bucket < (SELECT next_5m FROM fold)",
    [NP_S_PRUNE_1H] = "DELETE FROM rollup_1h WHERE bucket = (SELECT min(bucket) FROM rollup_1h)"
                      " AND bucket <= ?1 - 3600",
    [NP_S_PRUNE_1D] = "DELETE FROM rollup_1d WHERE bucket = (SELECT min(bucket) FROM rollup_1d)"
                      " AND bucket <= ?1 - 86400",
    /* Amounts wholly before the cutoff, oldest first, at most ?2 of them. */
    [NP_S_PRUNE_AMOUNTS] = "DELETE FROM amounts WHERE (start, series, end) IN"
                           " (SELECT start, series, end FROM amounts WHERE start < ?1"
                           " AND end <= ?1 ORDER BY start LIMIT ?2)",
    [NP_S_PRUNE_TRANSITIONS] = "DELETE FROM transitions WHERE id IN (SELECT id FROM transitions"
                               " WHERE time < ?1 ORDER BY id LIMIT ?2)",
    /* Open intervals (end NULL) are kept whatever their age: they still count. */
    [NP_S_PRUNE_OUTAGES] = "DELETE FROM outages WHERE id IN (SELECT id FROM outages"
                           " WHERE end < ?1 ORDER BY id LIMIT ?2)",
    [NP_S_PRUNE_UNOBSERVED] = "DELETE FROM unobserved WHERE id IN (SELECT id FROM unobserved"
                              " WHERE end < ?1 ORDER BY id LIMIT ?2)",
    [NP_S_FOLD_GET] = "SELECT next_5m, pass_end, cursor FROM fold WHERE id = 1",
    [NP_S_FOLD_SET] = "UPDATE fold SET next_5m = ?1, pass_end = ?2, cursor = ?3 WHERE id = 1",
    [NP_S_FOLD_FIRST] = "SELECT min(bucket) FROM rollup_5m WHERE bucket >= ?1",
    [NP_S_FOLD_MAXID] = "SELECT max(id) FROM series",
    /*
     * The 5-minute rows of buckets [?1, ?2) inside the hour starting ?5, series ids [?3, ?4).
     * The IN list names the hour's twelve buckets so that SQLite seeks (bucket, series) once
     * per bucket instead of scanning every series of the hour.
     */
    [NP_S_FOLD_READ] = "SELECT series, secs, rx_bytes, tx_bytes, rx_packets, tx_packets,"
                       " rx_errors, tx_errors, rx_drops, tx_drops, peak_rx, peak_tx,"
                       " coalesce(gauge_min, 0), coalesce(gauge_max, 0), gauge_sum, gauge_n"
                       " FROM rollup_5m WHERE bucket IN (?5, ?5 + 300, ?5 + 600, ?5 + 900,"
                       " ?5 + 1200, ?5 + 1500, ?5 + 1800, ?5 + 2100, ?5 + 2400, ?5 + 2700,"
                       " ?5 + 3000, ?5 + 3300) AND bucket >= ?1 AND bucket < ?2"
                       " AND series >= ?3 AND series < ?4",
    [NP_S_FOLD_LAST] = "SELECT max(bucket) FROM rollup_5m",
    /* Alerts every sink has delivered; outbox_sink rows go with them (ON DELETE CASCADE). */
    [NP_S_PRUNE_OUTBOX] = "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE"
                          " created < ?1 AND id < (SELECT max(id) FROM outbox) AND NOT EXISTS"
                          " (SELECT 1 FROM outbox_sink WHERE outbox = outbox.id AND delivered IS "
                          "NULL) ORDER BY id LIMIT ?2)",
};

const char *
np_store_sql(enum np_stmt id)
{
	return (unsigned)id < NP_S_MAX ? sql[id] : NULL;
}
