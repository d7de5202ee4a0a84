/*
 * The `local` collector's I/O glue: netlink sockets on the event loop, the /proc + sysfs
 * fallback, include/exclude filtering. Parsing is in local_parse.c, the link table in
 * local_table.c. Steady-state polls allocate nothing: the batch, the receive buffer and the
 * table are reused.
 */
#include "collectors/local.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h> /* before linux/if.h, which then skips what glibc defines */
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "collectors/local_parse.h"
#include "collectors/local_table.h"
#include "collectors/netlink.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/str.h"
#include "util/xmalloc.h"

#define DEFAULT_PROC "/proc/self/net/dev"
#define DEFAULT_SYS "/sys/class/net"
/* The kernel fills dump datagrams up to 32 KiB; twice that leaves room for any future. */
#define NLBUF_SIZE (64 * 1024)
/* Link notifications of a burst (e.g. 10k interfaces created) overrun this; we resync. */
#define EV_RCVBUF (4 * 1024 * 1024)
/*
 * A link closed (IFF_UP cleared) is said down this much later: the kernel closes every
 * interface it deletes first (RTM_NEWLINK down, then RTM_DELLINK once RCU readers are done),
 * and a deletion must be said as one, not as a down (an IFDOWN) followed by it.
 */
#define CLOSE_HOLD_MS 250

/* A watched interface the kernel deleted, to be said in the next batch. */
struct gone {
	char name[IFNAMSIZ];
};

struct local {
	struct np_collector_ctx ctx;
	char host[NP_NAME_MAX];
	uint8_t counter_bits;
	regex_t *inc, *exc, *aod;
	size_t ninc, nexc, naod;
	struct gone *gone; /* deleted since the last batch (RTM_DELLINK while draining, sweeps) */
	size_t ngone, capgone;
	/* Owned copies: a reload that keeps this source frees the config they came from. */
	char *proc_path, *sys_path;
	int64_t timeout_ms;

	int req_fd, ev_fd; /* -1 with the /proc fallback */
	struct event *ev;
	struct event *hold_ev; /* ends the holds of closed links (NULL: no loop, no holds) */
	const char *why_proc;  /* why netlink is not used although asked for */
	char *why_buf;

	uint32_t seq, gen;
	struct np_local_table *table;
	struct np_batch batch, pushb;
	uint8_t *nlbuf;
	char *text;
	size_t textcap;

	bool quiet;  /* draining from poll(): update the table, push nothing */
	bool resync; /* notifications were lost: re-dump the links */
	size_t unknown;
	/*
	 * Batch slots whose names match their epoch (see on_stats), and the batch's string bytes
	 * after the last poll that named every slot: rewinding lets the pool grow to twice that.
	 */
	size_t filled, named_len;
};

static bool
wanted(const struct local *l, const char *name)
{
	for (size_t i = 0; i < l->nexc; i++)
		if (regexec(&l->exc[i], name, 0, NULL, 0) == 0)
			return false;
	if (l->ninc == 0)
		return true;
	for (size_t i = 0; i < l->ninc; i++)
		if (regexec(&l->inc[i], name, 0, NULL, 0) == 0)
			return true;
	return false;
}

static enum np_link_obs
entry_state(const struct np_local_entry *e)
{
	return np_local_link_state(e->operstate, e->carrier);
}

/* What pushes and polls say of it: while its close is held, what they said before. */
static enum np_link_obs
said_state(const struct np_local_entry *e)
{
	return e->held ? (enum np_link_obs)e->held_from : entry_state(e);
}

/* What a deletion of the interface says: removed, with IFDOWN if alert_on_delete matches. */
static enum np_link_obs
gone_state(const struct local *l, const char *name)
{
	for (size_t i = 0; i < l->naod; i++)
		if (regexec(&l->aod[i], name, 0, NULL, 0) == 0)
			return NP_LINK_GONE_ALERT;
	return NP_LINK_GONE;
}

static void
note_gone(void *arg, const struct np_local_entry *e)
{
	struct local *l = arg;
	if (!e->keep)
		return;
	if (l->ngone == l->capgone) {
		l->capgone = l->capgone ? l->capgone * 2 : 8;
		l->gone = np_xreallocarray(l->gone, l->capgone, sizeof(*l->gone));
	}
	memcpy(l->gone[l->ngone++].name, e->name, sizeof(e->name));
}

/*
 * Says the noted deletions in b. Each dates from just before the batch: the same name alive
 * in the same batch (deleted and created again between two polls) is the newer observation.
 */
static void
add_gone(struct local *l, struct np_batch *b)
{
	for (size_t i = 0; i < l->ngone; i++) {
		struct np_obs *o = np_batch_add(b);
		np_obs_set_names(b, o, l->host, l->gone[i].name);
		o->time_ms = b->time_ms - 1;
		o->link = gone_state(l, l->gone[i].name);
		o->ever_up = NP_EVER_UNKNOWN;
	}
	l->ngone = 0;
}

/* ---- sysfs ---- */

/* Opens the interface's sysfs directory (O_PATH: no file is read through it), relative to
 * base (an open sys_path) when base >= 0. -1 if it does not exist. */
static int
sys_dir(const struct local *l, int base, const char *ifname)
{
	if (base >= 0)
		return openat(base, ifname, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", l->sys_path, ifname);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static ssize_t
sys_read(int dir, const char *attr, char *buf, size_t cap)
{
	int fd = openat(dir, attr, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	ssize_t r = read(fd, buf, cap - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return r;
}

/* Reads a decimal sysfs value; false if absent, unreadable (EINVAL on a down link) or not a
 * plain non-negative number (speed is "-1" when unknown). */
static bool
sys_u64(int dir, const char *attr, uint64_t *v)
{
	char buf[32];
	ssize_t n = sys_read(dir, attr, buf, sizeof(buf));
	if (n <= 0)
		return false;
	uint64_t x = 0;
	ssize_t i = 0;
	for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
		uint64_t d = (uint64_t)(buf[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	if (i == 0 || (i < n && buf[i] != '\n'))
		return false;
	*v = x;
	return true;
}

/* Link speed from sysfs (Mb/s), only if sysfs shows the same interface: a process in another
 * network namespace than the sysfs mount would read someone else's eth0. dir may be -1. */
static void
refresh_speed(const struct local *l, struct np_local_entry *e, int dir)
{
	uint64_t ifindex, mbps;
	e->speed_bps = 0;
	if (!e->carrier)
		return;
	int d = dir >= 0 ? dir : sys_dir(l, -1, e->name);
	if (d == -1)
		return;
	if (sys_u64(d, "ifindex", &ifindex) && ifindex == (uint64_t)e->ifindex &&
	    sys_u64(d, "speed", &mbps) && mbps < UINT64_MAX / 1000000)
		e->speed_bps = mbps * 1000000;
	if (d != dir)
		close(d);
}

/* ---- observations ---- */

static void
fill_obs(const struct local *l, struct np_batch *b, struct np_obs *o,
         const struct np_local_entry *e)
{
	np_obs_set_names(b, o, l->host, e->name);
	o->epoch = (uint64_t)e->ifindex;
	o->speed_bps = e->speed_bps;
	o->link = said_state(e);
	o->ever_up = NP_EVER_UNKNOWN;
	o->carrier_changes = e->carrier_changes;
	o->has_carrier_changes = e->has_carrier_changes;
}

static void
push_entry(struct local *l, const struct np_local_entry *e, enum np_link_obs state)
{
	if (l->ctx.push == NULL)
		return;
	np_batch_reset(&l->pushb, np_wall_ms());
	struct np_obs *o = np_batch_add(&l->pushb);
	fill_obs(l, &l->pushb, o, e);
	o->link = state;
	l->ctx.push(l->ctx.arg, &l->pushb);
}

static void
push_all(struct local *l)
{
	if (l->ctx.push == NULL)
		return;
	np_batch_reset(&l->pushb, np_wall_ms());
	l->pushb.complete = true;
	size_t it = 0;
	struct np_local_entry *e;
	while ((e = np_local_table_next(l->table, &it)) != NULL)
		if (e->keep)
			fill_obs(l, &l->pushb, np_batch_add(&l->pushb), e);
	add_gone(l, &l->pushb);
	l->ctx.push(l->ctx.arg, &l->pushb);
}

/* ---- netlink: link records ---- */

/* Applies a RTM_NEWLINK record to the table; returns the entry, *created, *old state. */
static struct np_local_entry *
apply_link(struct local *l, const struct np_local_link *r, bool *created, enum np_link_obs *old)
{
	struct np_local_entry *e = np_local_table_put(l->table, r->ifindex, created);
	*old = *created ? NP_LINK_NONE : said_state(e);
	bool rising = !*created && !e->carrier && r->carrier;
	if (*created || strcmp(e->name, r->name) != 0) {
		memcpy(e->name, r->name, sizeof(e->name));
		e->keep = wanted(l, e->name);
		l->filled = 0; /* batch slots may hold another name for this ifindex */
	}
	e->operstate = r->operstate;
	e->carrier = r->carrier;
	e->has_carrier_changes = r->has_carrier_changes;
	e->carrier_changes = r->carrier_changes;
	e->gen = l->gen;
	if (e->keep && (*created || rising))
		refresh_speed(l, e, -1);
	return e;
}

static void
on_dump_link(void *arg, const struct np_local_link *r)
{
	struct local *l = arg;
	bool created;
	enum np_link_obs old;
	if (!r->deleted)
		apply_link(l, r, &created, &old);
}

/* Holds the close of a watched link (see CLOSE_HOLD_MS); false if it cannot be held. */
static bool
hold_close(struct local *l, struct np_local_entry *e, enum np_link_obs said)
{
	if (l->hold_ev == NULL)
		return false;
	if (!e->held) {
		e->held = true;
		e->held_from = (uint8_t)said;
	}
	if (!evtimer_pending(l->hold_ev, NULL)) {
		struct timeval tv = {0, CLOSE_HOLD_MS * 1000};
		evtimer_add(l->hold_ev, &tv);
	}
	return true;
}

static void
on_event_link(void *arg, const struct np_local_link *r)
{
	struct local *l = arg;
	if (r->deleted) {
		struct np_local_entry *e = np_local_table_get(l->table, r->ifindex);
		if (e == NULL)
			return;
		/* Deleted (tun/ppp/veth removed, or moved to another namespace): removed, not
		 * down then stale. While a poll drains, its batch says it. */
		if (!l->quiet && e->keep)
			push_entry(l, e, gone_state(l, e->name));
		else
			note_gone(l, e);
		np_local_table_del(l->table, r->ifindex);
		return;
	}
	bool created;
	enum np_link_obs old;
	struct np_local_entry *e = apply_link(l, r, &created, &old);
	/* New links wait for the next poll: a burst of creations must not become a burst of
	 * batches. */
	if (created || !e->keep)
		return;
	enum np_link_obs now = entry_state(e);
	if (now == NP_LINK_DOWN && old != NP_LINK_DOWN && !(r->flags & IFF_UP) &&
	    hold_close(l, e, old))
		return;
	e->held = false;
	if (!l->quiet && now != old)
		push_entry(l, e, now);
}

static void drain_events(struct local *l, bool quiet);

/* The holds end: links closed and not deleted meanwhile are said down now. */
static void
on_hold_end(evutil_socket_t fd, short what, void *arg)
{
	struct local *l = arg;
	drain_events(l, false); /* a deletion already queued is said as one */
	if (l->ctx.push != NULL)
		np_batch_reset(&l->pushb, np_wall_ms());
	size_t it = 0;
	struct np_local_entry *e;
	while ((e = np_local_table_next(l->table, &it)) != NULL) {
		if (!e->held)
			continue;
		e->held = false;
		if (l->ctx.push != NULL && e->keep)
			fill_obs(l, &l->pushb, np_batch_add(&l->pushb), e);
	}
	if (l->ctx.push != NULL && l->pushb.n > 0)
		l->ctx.push(l->ctx.arg, &l->pushb);
}

static int
parse_links(void *arg, const void *buf, size_t len, char **cause)
{
	struct np_local_nl_handler *h = arg;
	return np_local_nl_parse(buf, len, h, cause);
}

/* One RTM_GETLINK dump replaces the table (links not in it are dropped). */
static int
resync(struct local *l, char **cause)
{
	/* An interrupted dump may miss links: once more, else keep what we have and leave the
	 * resync pending for the next poll. */
	for (int attempt = 0; attempt < 2; attempt++) {
		uint8_t req[NP_LOCAL_NL_REQ_MAX];
		uint32_t seq = ++l->seq;
		size_t len = np_local_nl_getlink_req(req, seq);
		struct np_local_nl_handler h = {
		    .link = on_dump_link, .arg = l, .check_seq = true, .seq = seq};
		l->gen++;
		if (np_netlink_dump(l->req_fd, req, len, l->nlbuf, NLBUF_SIZE, l->timeout_ms,
		                    parse_links, &h, cause) == -1) {
			np_cause_prefix(cause, "RTM_GETLINK");
			return -1;
		}
		if (!h.intr) {
			/* Links missed in between (notifications were lost) were deleted. */
			np_local_table_sweep(l->table, l->gen, note_gone, l);
			l->resync = false;
			return 0;
		}
	}
	l->resync = true;
	return 0;
}

/* Reads every queued notification; after an overrun, re-dumps (and, unless quiet, pushes a
 * complete batch of states, since changes were lost). */
static void
drain_events(struct local *l, bool quiet)
{
	if (l->ev_fd == -1)
		return;
	l->quiet = quiet;
	struct np_local_nl_handler h = {.link = on_event_link, .arg = l, .check_seq = false};
	for (;;) {
		ssize_t n = np_netlink_recv(l->ev_fd, l->nlbuf, NLBUF_SIZE, -1, NULL);
		if (n == 0)
			break;
		if (n == -1) {
			l->resync = true; /* ENOBUFS: the kernel dropped notifications */
			if (errno == ENOBUFS)
				continue;
			break;
		}
		if (np_local_nl_parse(l->nlbuf, (size_t)n, &h, NULL) == -1)
			l->resync = true;
	}
	if (l->resync && resync(l, NULL) == 0 && !quiet)
		push_all(l);
	l->quiet = false;
}

static void
on_event(evutil_socket_t fd, short what, void *arg)
{
	drain_events(arg, false);
}

/* ---- netlink: counters ---- */

static void
on_stats(void *arg, const struct np_local_stats *s)
{
	struct local *l = arg;
	const struct np_local_entry *e = np_local_table_get(l->table, s->ifindex);
	if (e == NULL) {
		l->unknown++; /* created after the last notification we read: next poll */
		return;
	}
	if (!e->keep)
		return;
	struct np_batch *b = &l->batch;
	struct np_obs *o;
	if (b->n < l->filled && b->obs[b->n].epoch == (uint64_t)e->ifindex) {
		/*
		 * The same interface in the same slot as in the last poll (the steady state; any
		 * link creation or rename resets `filled`): the batch was rewound, not reset, so
		 * the slot's names are still there; refresh the rest. Naming 10k interfaces again
		 * every poll would double the collector's own CPU time.
		 */
		o = &b->obs[b->n++];
		o->time_ms = b->time_ms;
		o->speed_bps = e->speed_bps;
		o->link = said_state(e);
		o->carrier_changes = e->carrier_changes;
		o->has_carrier_changes = e->has_carrier_changes;
	} else {
		o = np_batch_add(b);
		fill_obs(l, b, o, e);
		if (b->n > l->filled)
			l->filled = b->n;
	}
	memcpy(o->counters, s->counters, sizeof(o->counters));
	o->counter_mask = (1u << NP_C_MAX) - 1;
	o->counter_bits = l->counter_bits;
}

static int
poll_netlink(struct local *l, char **cause)
{
	/* The table must be current before counters are labelled with its states. */
	drain_events(l, true);
	if (l->resync && resync(l, cause) == -1)
		return -1;
	/* Slots renamed after a link went away (the others shift) add strings while rewinding:
	 * past twice the size of a fully named batch, start over. */
	bool fresh = l->filled == 0 || l->batch.pool_len > 2 * l->named_len;
	if (fresh) {
		np_batch_reset(&l->batch, np_wall_ms());
		l->filled = 0;
	}
	struct np_local_nl_handler h;
	/* An interrupted dump (links changed under it) may repeat or miss interfaces, and the
	 * batch claims to be complete: dump again, once. */
	for (int attempt = 0; attempt < 2; attempt++) {
		np_batch_rewind(&l->batch, np_wall_ms());
		l->batch.complete = true;
		l->unknown = 0;
		uint8_t req[NP_LOCAL_NL_REQ_MAX];
		uint32_t seq = ++l->seq;
		size_t len = np_local_nl_getstats_req(req, seq);
		h = (struct np_local_nl_handler){
		    .stats = on_stats, .arg = l, .check_seq = true, .seq = seq};
		if (np_netlink_dump(l->req_fd, req, len, l->nlbuf, NLBUF_SIZE, l->timeout_ms,
		                    parse_links, &h, cause) == -1) {
			np_cause_prefix(cause, "RTM_GETSTATS");
			return -1;
		}
		if (!h.intr)
			break;
	}
	if (fresh)
		l->named_len = l->batch.pool_len;
	/* Still interrupted: an interface may be missing; it must not go stale for that. */
	if (h.intr)
		l->batch.complete = false;
	add_gone(l, &l->batch);
	if (h.bad > 0)
		np_batch_skip(&l->batch, "malformed RTM_NEWSTATS record");
	return 0;
}

/* ---- /proc + sysfs fallback ---- */

static int
read_text(struct local *l, size_t *len, char **cause)
{
	int fd = open(l->proc_path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		np_cause(cause, "%s: %s", l->proc_path, strerror(errno));
		return -1;
	}
	size_t n = 0;
	for (;;) {
		if (l->textcap - n < 4096) {
			l->textcap = l->textcap ? l->textcap * 2 : 64 * 1024;
			l->text = np_xreallocarray(l->text, 1, l->textcap);
		}
		ssize_t r = read(fd, l->text + n, l->textcap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			np_cause(cause, "%s: %s", l->proc_path, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return 0;
}

/* Fills link state, epoch and carrier changes of a /proc observation from sysfs; returns
 * false when the interface is filtered out. base: sys_path opened for this poll, or -1. */
static bool
sysfs_obs(struct local *l, struct np_obs *o, int base)
{
	const char *name = np_obs_interface(&l->batch, o);
	int dir = sys_dir(l, base, name);
	uint64_t ifindex = 0;
	struct np_local_entry *e = NULL;
	bool created = false;
	if (dir >= 0 && sys_u64(dir, "ifindex", &ifindex) && ifindex > 0 && ifindex <= INT32_MAX) {
		e = np_local_table_put(l->table, (int32_t)ifindex, &created);
		if (created || strcmp(e->name, name) != 0) {
			np_strlcpy(e->name, name, sizeof(e->name));
			e->keep = wanted(l, name);
			created = true;
		}
		e->gen = l->gen;
	} else if (!wanted(l, name)) {
		goto out;
	}
	if (e != NULL && !e->keep)
		goto out;

	char buf[32];
	ssize_t n = dir >= 0 ? sys_read(dir, "operstate", buf, sizeof(buf)) : -1;
	int operstate = n > 0 ? np_local_operstate_parse(buf, (size_t)n) : -1;
	/* The rule needs the carrier only without an oper state (an up oper state implies it).
	 * Reading it fails with EINVAL while the link is admin down: that is "no carrier". */
	uint64_t carrier = operstate == IF_OPER_UP ? 1 : 0, changes = 0;
	if (operstate == IF_OPER_UNKNOWN && !sys_u64(dir, "carrier", &carrier))
		carrier = 0;
	bool has_changes = dir >= 0 && sys_u64(dir, "carrier_changes", &changes);

	o->epoch = ifindex;
	o->link = operstate >= 0 ? np_local_link_state(operstate, carrier == 1) : NP_LINK_NONE;
	o->ever_up = NP_EVER_UNKNOWN;
	o->carrier_changes = changes;
	o->has_carrier_changes = has_changes;
	if (e != NULL) {
		bool rising = !e->carrier && carrier == 1;
		e->operstate = operstate >= 0 ? operstate : IF_OPER_UNKNOWN;
		e->carrier = carrier == 1;
		e->carrier_changes = changes;
		e->has_carrier_changes = has_changes;
		if (created || rising)
			refresh_speed(l, e, dir);
		o->speed_bps = e->speed_bps;
	}
	if (dir >= 0)
		close(dir);
	return true;
out:
	if (dir >= 0)
		close(dir);
	return false;
}

static int
poll_proc(struct local *l, char **cause)
{
	size_t len;
	if (read_text(l, &len, cause) == -1)
		return -1;
	np_batch_reset(&l->batch, np_wall_ms());
	l->batch.complete = true;
	np_local_parse_procnetdev(l->text, len, l->host, l->counter_bits, &l->batch);
	l->gen++;
	int base = open(l->sys_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	size_t j = 0;
	for (size_t i = 0; i < l->batch.n; i++) {
		if (!sysfs_obs(l, &l->batch.obs[i], base))
			continue;
		if (j != i)
			l->batch.obs[j] = l->batch.obs[i];
		j++;
	}
	l->batch.n = j;
	if (base >= 0)
		close(base);
	/* Interfaces no longer in /proc/net/dev were deleted. */
	np_local_table_sweep(l->table, l->gen, note_gone, l);
	add_gone(l, &l->batch);
	return 0;
}

/* ---- ops ---- */

static uint8_t
kernel_counter_bits(void)
{
	struct utsname u;
	if (uname(&u) == -1)
		return 0;
	/* 32-bit kernels keep unsigned long counters in many drivers: they wrap at 2^32. */
	if (strstr(u.machine, "64") != NULL || strcmp(u.machine, "s390x") == 0)
		return 64;
	return 32;
}

static int
compile(regex_t **out, size_t *nout, char **pats, size_t n, const char *what, char **cause)
{
	*out = n ? np_xcalloc(n, sizeof(**out)) : NULL;
	for (size_t i = 0; i < n; i++) {
		int rc = regcomp(&(*out)[i], pats[i], REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char msg[128];
			regerror(rc, &(*out)[i], msg, sizeof(msg));
			np_cause(cause, "%s[%zu] \"%s\": %s", what, i, pats[i], msg);
			return -1;
		}
		(*nout)++;
	}
	return 0;
}

static void local_destroy(void *inst);

/* Opens both netlink sockets and loads the link table; -1 (with *why) to fall back. */
static int
open_netlink(struct local *l, char **why)
{
	l->ev_fd = np_netlink_open(RTMGRP_LINK, EV_RCVBUF, why);
	if (l->ev_fd == -1)
		return -1;
	l->req_fd = np_netlink_open(0, 0, why);
	if (l->req_fd == -1)
		return -1;
	l->nlbuf = np_xmalloc(NLBUF_SIZE);
	/* Subscribed before the dump, so no change falls between the two. */
	if (resync(l, why) == -1)
		return -1;
	return 0;
}

static void
close_netlink(struct local *l)
{
	if (l->ev != NULL)
		event_free(l->ev);
	l->ev = NULL;
	if (l->hold_ev != NULL)
		event_free(l->hold_ev);
	l->hold_ev = NULL;
	if (l->ev_fd != -1)
		close(l->ev_fd);
	if (l->req_fd != -1)
		close(l->req_fd);
	l->ev_fd = l->req_fd = -1;
}

static void *
local_create(const struct np_collector_ctx *ctx, char **cause)
{
	const struct np_source_cfg *cfg = ctx->cfg;
	/* A source built by hand (tests, bench) may carry no parsed conf: the table's defaults. */
	static const struct np_local_conf defaults = {.netlink = true};
	const struct np_local_conf *lc = cfg->conf != NULL ? cfg->conf : &defaults;
	struct local *l = np_xcalloc(1, sizeof(*l));
	l->ctx = *ctx;
	l->ctx.cfg = NULL; /* valid during create only */
	l->req_fd = l->ev_fd = -1;
	if (gethostname(l->host, sizeof(l->host) - 1) == -1) {
		np_cause(cause, "gethostname: %s", strerror(errno));
		goto fail;
	}
	l->counter_bits = kernel_counter_bits();
	if (compile(&l->inc, &l->ninc, lc->include, lc->ninclude, "include", cause) == -1 ||
	    compile(&l->exc, &l->nexc, lc->exclude, lc->nexclude, "exclude", cause) == -1 ||
	    compile(&l->aod, &l->naod, lc->alert_on_delete, lc->nalert_on_delete, "alert_on_delete",
	            cause) == -1)
		goto fail;
	l->proc_path = np_xstrdup(lc->proc_path != NULL ? lc->proc_path : DEFAULT_PROC);
	l->sys_path = np_xstrdup(lc->sys_path != NULL ? lc->sys_path : DEFAULT_SYS);
	l->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 20000;
	l->table = np_local_table_new();
	const char *name = cfg->name != NULL ? cfg->name : "local";
	np_batch_init(&l->batch, name, 0);
	np_batch_init(&l->pushb, name, 0);

	if (lc->netlink) {
		if (open_netlink(l, &l->why_buf) == -1) {
			close_netlink(l);
			free(l->nlbuf);
			l->nlbuf = NULL;
			l->why_proc = l->why_buf != NULL ? l->why_buf : "netlink unavailable";
		} else if (ctx->base != NULL) {
			l->ev = event_new(ctx->base, l->ev_fd, EV_READ | EV_PERSIST, on_event, l);
			l->hold_ev = evtimer_new(ctx->base, on_hold_end, l);
			if (l->ev == NULL || l->hold_ev == NULL || event_add(l->ev, NULL) == -1) {
				np_cause(cause, "cannot watch the netlink socket");
				goto fail;
			}
		}
	}
	return l;
fail:
	local_destroy(l);
	return NULL;
}

static int
local_poll(void *inst, char **cause)
{
	struct local *l = inst;
	char *err = NULL;
	int r = l->req_fd != -1 ? poll_netlink(l, &err) : poll_proc(l, &err);
	if (r == -1) {
		if (err == NULL)
			err = np_xstrdup("local poll failed");
		l->ctx.done(l->ctx.arg, NULL, -1, err, 0);
	} else {
		l->ctx.done(l->ctx.arg, &l->batch, 0, NULL, 0);
	}
	return 0;
}

static void
local_cancel(void *inst)
{
	/* Polls are synchronous: nothing is ever in flight. */
}

static void
local_destroy(void *inst)
{
	struct local *l = inst;
	if (l == NULL)
		return;
	close_netlink(l);
	for (size_t i = 0; i < l->ninc; i++)
		regfree(&l->inc[i]);
	for (size_t i = 0; i < l->nexc; i++)
		regfree(&l->exc[i]);
	for (size_t i = 0; i < l->naod; i++)
		regfree(&l->aod[i]);
	free(l->inc);
	free(l->exc);
	free(l->aod);
	free(l->gone);
	np_local_table_free(l->table);
	np_batch_free(&l->batch);
	np_batch_free(&l->pushb);
	free(l->nlbuf);
	free(l->text);
	free(l->why_buf);
	free(l->proc_path);
	free(l->sys_path);
	free(l);
}

const char *
np_local_reader(const void *inst, const char **why)
{
	const struct local *l = inst;
	if (why != NULL)
		*why = l->req_fd == -1 ? l->why_proc : NULL;
	return l->req_fd != -1 ? "netlink" : "proc";
}

const struct np_collector_ops np_local_ops = {
    .type = "local",
    .options = np_local_options,
    .conf_size = sizeof(struct np_local_conf),
    .create = local_create,
    .poll = local_poll,
    .cancel = local_cancel,
    .destroy = local_destroy,
};
