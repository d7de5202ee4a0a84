/* The /metrics exposition (metrics.h). A scrape of 10,000 links builds one buffer
 * (bench/bench_scrape.c prints its cost): every name is escaped once, then each family is a
 * pass over arrays. */
#include "web/metrics.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/str.h"
#include "util/xmalloc.h"

struct mlink {
	size_t lab; /* offset of its labels in the arena */
	enum np_state state;
	bool flapping;
	uint64_t changes;
	int64_t down_s;
};

struct mseries {
	size_t lab;
	uint32_t mask;
	uint64_t total[NP_C_MAX];
};

struct scrape {
	struct np_buf arena; /* every escaped label set, NUL-separated */
	struct mlink *links;
	size_t nlinks, caplinks;
	struct mseries *series;
	size_t nseries, capseries;
};

static size_t
arena_labels(struct np_buf *a, const char *source, const char *device, const char *interface,
             const char *extra)
{
	size_t off = a->len;
	if (source != NULL) {
		np_buf_puts(a, "source=\"");
		np_prom_escape(a, source);
		np_buf_puts(a, "\",");
	}
	np_buf_puts(a, "device=\"");
	np_prom_escape(a, device);
	np_buf_puts(a, "\",interface=\"");
	np_prom_escape(a, interface);
	np_buf_puts(a, "\"");
	np_buf_puts(a, extra);
	np_buf_add(a, "", 1); /* keeps the NUL */
	return off;
}

static void
link_cb(const struct np_link_view *v, void *arg)
{
	struct scrape *s = arg;
	if (s->nlinks == s->caplinks) {
		s->caplinks = s->caplinks ? s->caplinks * 2 : 256;
		s->links = np_xreallocarray(s->links, s->caplinks, sizeof *s->links);
	}
	s->links[s->nlinks++] = (struct mlink){
	    .lab = arena_labels(&s->arena, NULL, v->device, v->interface, ""),
	    .state = v->state,
	    .flapping = v->flapping,
	    .changes = v->changes,
	    .down_s = v->down_s,
	};
}

static void
series_cb(const struct np_series_view *v, void *arg)
{
	struct scrape *s = arg;
	if (s->nseries == s->capseries) {
		s->capseries = s->capseries ? s->capseries * 2 : 256;
		s->series = np_xreallocarray(s->series, s->capseries, sizeof *s->series);
	}
	struct mseries *m = &s->series[s->nseries++];
	m->lab = arena_labels(&s->arena, v->source, v->device, v->interface, v->labels);
	m->mask = v->mask;
	memcpy(m->total, v->total, sizeof m->total);
}

static void
links_out(struct np_expo *e, const struct scrape *s)
{
	const char *a = s->arena.s;
	np_expo_family(e, "netpulse_link_up", "gauge",
	               "Link state: 1 up, 0 down; absent while stale, unknown or removed.");
	for (size_t i = 0; i < s->nlinks; i++)
		if (s->links[i].state == NP_ST_UP || s->links[i].state == NP_ST_DOWN)
			np_expo_u64(e, "netpulse_link_up", a + s->links[i].lab,
			            s->links[i].state == NP_ST_UP);
	np_expo_family(e, "netpulse_link_flapping", "gauge", "1 while the link is flapping.");
	for (size_t i = 0; i < s->nlinks; i++)
		np_expo_u64(e, "netpulse_link_flapping", a + s->links[i].lab, s->links[i].flapping);
	np_expo_family(e, "netpulse_link_state_changes_total", "counter",
	               "Link state transitions since the daemon started.");
	for (size_t i = 0; i < s->nlinks; i++)
		np_expo_u64(e, "netpulse_link_state_changes_total", a + s->links[i].lab,
		            s->links[i].changes);
	np_expo_family(e, "netpulse_link_down_seconds_total", "counter",
	               "Seconds the link was down (as stored; goes on across restarts).");
	for (size_t i = 0; i < s->nlinks; i++)
		np_expo_i64(e, "netpulse_link_down_seconds_total", a + s->links[i].lab,
		            s->links[i].down_s);
}

static const char *const counter_metric[NP_C_MAX] = {
    [NP_C_RX_BYTES] = "netpulse_rx_bytes_total",
    [NP_C_TX_BYTES] = "netpulse_tx_bytes_total",
    [NP_C_RX_PACKETS] = "netpulse_rx_packets_total",
    [NP_C_TX_PACKETS] = "netpulse_tx_packets_total",
    [NP_C_RX_ERRORS] = "netpulse_rx_errors_total",
    [NP_C_TX_ERRORS] = "netpulse_tx_errors_total",
    [NP_C_RX_DROPS] = "netpulse_rx_drops_total",
    [NP_C_TX_DROPS] = "netpulse_tx_drops_total",
};
static const char *const counter_help[NP_C_MAX] = {
    [NP_C_RX_BYTES] = "Bytes received, as counted by netpulse since the series entered memory.",
    [NP_C_TX_BYTES] = "Bytes sent, as counted by netpulse since the series entered memory.",
    [NP_C_RX_PACKETS] = "Packets received.",
    [NP_C_TX_PACKETS] = "Packets sent.",
    [NP_C_RX_ERRORS] = "Receive errors.",
    [NP_C_TX_ERRORS] = "Transmit errors.",
    [NP_C_RX_DROPS] = "Received packets dropped.",
    [NP_C_TX_DROPS] = "Packets dropped on transmit.",
};

static void
series_out(struct np_expo *e, const struct scrape *s)
{
	const char *a = s->arena.s;
	for (int c = 0; c < NP_C_MAX; c++) {
		np_expo_family(e, counter_metric[c], "counter", counter_help[c]);
		for (size_t i = 0; i < s->nseries; i++)
			if ((s->series[i].mask & (1u << c)) != 0)
				np_expo_u64(e, counter_metric[c], a + s->series[i].lab,
				            s->series[i].total[c]);
	}
}

static void
sources_out(struct np_expo *e, const struct np_srcstats *ss)
{
	size_t n;
	const struct np_srcstat *v = np_srcstats_list(ss, &n);
	struct np_buf lab = {0};
	size_t *off = np_xcalloc(n + 1, sizeof *off);
	for (size_t i = 0; i < n; i++) {
		off[i] = lab.len;
		np_buf_puts(&lab, "source=\"");
		np_prom_escape(&lab, v[i].name);
		np_buf_puts(&lab, "\"");
		np_buf_add(&lab, "", 1);
	}
	np_expo_family(e, "netpulse_source_up", "gauge",
	               "1 when the source's last poll worked, 0 when it failed (absent before its "
	               "first poll).");
	struct np_buf tl = {0};
	for (size_t i = 0; i < n; i++) {
		if (!v[i].polled)
			continue;
		tl.len = 0;
		np_buf_puts(&tl, lab.s + off[i]);
		np_buf_puts(&tl, ",type=\"");
		np_prom_escape(&tl, v[i].type);
		np_buf_puts(&tl, "\"");
		np_expo_u64(e, "netpulse_source_up", tl.s, v[i].up);
	}
	np_expo_family(e, "netpulse_source_failures_total", "counter",
	               "Polls of the source that failed.");
	for (size_t i = 0; i < n; i++)
		np_expo_u64(e, "netpulse_source_failures_total", lab.s + off[i], v[i].failures);
	np_expo_family(e, "netpulse_source_poll_duration_seconds", "histogram",
	               "How long a poll took, from its start to its batch stored.");
	for (size_t i = 0; i < n; i++) {
		uint64_t cum = 0;
		for (size_t k = 0; k <= NP_SRCSTATS_BUCKETS; k++) {
			char le[40];
			if (k < NP_SRCSTATS_BUCKETS) {
				cum += v[i].bucket[k];
				snprintf(le, sizeof le, ",le=\"%g\"", np_srcstats_bounds[k]);
			} else {
				cum += v[i].over; /* polls above the last bound: +Inf only */
				snprintf(le, sizeof le, ",le=\"+Inf\"");
			}
			tl.len = 0;
			np_buf_puts(&tl, lab.s + off[i]);
			np_buf_puts(&tl, le);
			np_expo_u64(e, "netpulse_source_poll_duration_seconds_bucket", tl.s, cum);
		}
		np_expo_double(e, "netpulse_source_poll_duration_seconds_sum", lab.s + off[i],
		               v[i].sum_s);
		np_expo_u64(e, "netpulse_source_poll_duration_seconds_count", lab.s + off[i], cum);
	}
	np_buf_free(&tl);
	np_buf_free(&lab);
	free(off);
}

struct sink_ctx {
	struct np_expo *e;
	struct np_buf lab;
};

/* A webhook URL may carry a token in its path or query: only its host is shown. */
static void
sink_cb(const char *key, uint64_t sent, void *arg)
{
	struct sink_ctx *c = arg;
	c->lab.len = 0;
	np_buf_puts(&c->lab, "sink=\"");
	if (strncmp(key, "webhook:", 8) == 0) {
		char *host = np_url_host(key + 8);
		np_buf_puts(&c->lab, "webhook:");
		np_prom_escape(&c->lab, host != NULL ? host : "?");
		free(host);
	} else {
		np_prom_escape(&c->lab, key);
	}
	np_buf_puts(&c->lab, "\"");
	np_expo_u64(c->e, "netpulse_alerts_sent_total", c->lab.s, sent);
}

static void
daemon_out(struct np_expo *e, const struct np_metrics_ctx *c)
{
	if (c->disp != NULL) {
		np_expo_family(e, "netpulse_outbox_pending", "gauge",
		               "Alerts (per sink) waiting for delivery in the outbox.");
		np_expo_i64(e, "netpulse_outbox_pending", "", np_dispatch_pending(c->disp));
		np_expo_family(e, "netpulse_alerts_sent_total", "counter",
		               "Alerts delivered per sink since the daemon started.");
		struct sink_ctx sc = {e, {0}};
		np_dispatch_each_sink(c->disp, sink_cb, &sc);
		np_buf_free(&sc.lab);
	}
	np_expo_family(e, "netpulse_build_info", "gauge", "Always 1; the version as a label.");
	np_expo_u64(e, "netpulse_build_info", "version=\"" NP_VERSION "\"", 1);
	np_expo_family(e, "netpulse_start_time_seconds", "gauge",
	               "When the daemon started, seconds since the Unix epoch.");
	np_expo_double(e, "netpulse_start_time_seconds", "", (double)c->started_ms / 1000.0);
}

static void
process_out(struct np_expo *e, const struct np_metrics_ctx *c)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	np_expo_family(e, "process_cpu_seconds_total", "counter",
	               "User and system CPU time spent in seconds.");
	np_expo_double(e, "process_cpu_seconds_total", "",
	               (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	                   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			pages = rss = 0;
		fclose(f);
	}
	long psz = sysconf(_SC_PAGESIZE);
	np_expo_family(e, "process_resident_memory_bytes", "gauge",
	               "Resident memory size in bytes.");
	np_expo_i64(e, "process_resident_memory_bytes", "", (int64_t)rss * psz);
	np_expo_family(e, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
	np_expo_i64(e, "process_virtual_memory_bytes", "", (int64_t)pages * psz);
	int64_t fds = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d != NULL) {
		for (struct dirent *de; (de = readdir(d)) != NULL;)
			fds += de->d_name[0] != '.';
		closedir(d);
		fds--; /* the directory's own descriptor */
	}
	np_expo_family(e, "process_open_fds", "gauge", "Number of open file descriptors.");
	np_expo_i64(e, "process_open_fds", "", fds);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		np_expo_family(e, "process_max_fds", "gauge",
		               "Maximum number of open file descriptors.");
		np_expo_u64(e, "process_max_fds", "", (uint64_t)rl.rlim_cur);
	}
	np_expo_family(e, "process_start_time_seconds", "gauge",
	               "Start time of the process since unix epoch in seconds.");
	np_expo_double(e, "process_start_time_seconds", "", (double)c->started_ms / 1000.0);
}

void
np_metrics_render(const struct np_metrics_ctx *c, int64_t now_ms, int64_t mono_ms,
                  struct np_expo *e)
{
	struct scrape s = {0};
	np_pipeline_each_link(c->pl, now_ms, mono_ms, link_cb, &s);
	np_pipeline_each_series(c->pl, series_cb, &s);
	/* Each link's labels appear in 4 families, a series' in up to 8: one allocation. */
	np_buf_reserve(&e->b, s.arena.len * 8 + (s.nlinks * 4 + s.nseries * 8) * 48 + 65536);
	links_out(e, &s);
	series_out(e, &s);
	if (c->srcs != NULL)
		sources_out(e, c->srcs);
	daemon_out(e, c);
	process_out(e, c);
	np_expo_end(e);
	np_buf_free(&s.arena);
	free(s.links);
	free(s.series);
}
