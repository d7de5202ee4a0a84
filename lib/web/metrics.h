#ifndef NP_WEB_METRICS_H
#define NP_WEB_METRICS_H
/*
 * The /metrics exposition (Prometheus text 0.0.4, or OpenMetrics when asked), read from the
 * daemon's memory only: the pipeline's links and series, the poll figures per source, the
 * dispatcher's sinks. Names follow Prometheus' conventions: base units, _total counters.
 *
 * Links: netpulse_link_up{device,interface} is 1 (up) or 0 (down); a link that is stale,
 * unknown or removed has no netpulse_link_up sample (absent, not NaN: `count(netpulse_link_up
 * == 0)` counts down links and absence says "not observed") but keeps its other series.
 * Counters of a series (netpulse_rx_bytes_total...) are the sums of the deltas netpulse took
 * (resets and wraps already judged) since the series entered memory; interval amounts (usage
 * that an HTTP source may revise) are not counters and are not exposed.
 */
#include <stdint.h>

#include "core/dispatch.h"
#include "core/pipeline.h"
#include "web/expo.h"
#include "web/srcstats.h"

struct np_metrics_ctx {
	struct np_pipeline *pl;
	struct np_dispatch *disp;       /* NULL: no sink figures */
	const struct np_srcstats *srcs; /* NULL: no source figures */
	int64_t started_ms;             /* wall clock at start */
};

/* Appends the whole exposition at (now_ms, mono_ms) to e. */
void np_metrics_render(const struct np_metrics_ctx *c, int64_t now_ms, int64_t mono_ms,
                       struct np_expo *e);

#endif
