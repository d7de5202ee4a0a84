/*
 * The HTTP engine's core: one CURLM driven by the libevent loop through libcurl's
 * multi-socket API, as in curl's docs/examples/hiperfifo.c. curl tells us which sockets to
 * watch (CURLMOPT_SOCKETFUNCTION) and when to call it back (CURLMOPT_TIMERFUNCTION); events
 * on either call curl_multi_socket_action, and finished transfers are read with
 * curl_multi_info_read. Clients and their requests live in http_client.c and http_call.c.
 */
#include "io/http_int.h"

#include "io/curl_dl.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/cause.h"
#include "util/clock.h"
#include "util/hmap.h"
#include "util/xmalloc.h"

/* One socket curl asked us to watch; curl keeps the pointer (curl_multi_assign). */
struct sockev {
	struct np_http *h;
	curl_socket_t fd;
	struct event *ev;
	LIST_ENTRY(sockev) entry;
};

static void
check_multi_info(struct np_http *h)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode res = msg->data.result;
		struct foreign *f;
		LIST_FOREACH(f, &h->foreign, entry)
		if (f->easy == easy)
			break;
		if (f != NULL) {
			curl_multi_remove_handle(h->multi, easy);
			LIST_REMOVE(f, entry);
			np_http_easy_cb cb = f->cb;
			void *arg = f->arg;
			free(f);
			cb(arg, easy, (int)res);
			continue;
		}
		struct np_http_call *call = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&call);
		if (call != NULL)
			np_http_attempt_done(call, res);
	}
}

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct sockev *s = arg;
	struct np_http *h = s->h;
	int flags =
	    ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
	int running;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	check_multi_info(h);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct np_http *h = arg;
	int running;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi_info(h);
}

static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct np_http *h = userp;
	struct sockev *s = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			LIST_REMOVE(s, entry);
			free(s);
			curl_multi_assign(h->multi, fd, NULL);
		}
		return 0;
	}
	short kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	             ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (s == NULL) {
		s = np_xcalloc(1, sizeof(*s));
		s->h = h;
		s->fd = fd;
		s->ev = event_new(h->base, fd, kind, on_socket, s);
		LIST_INSERT_HEAD(&h->socks, s, entry);
		curl_multi_assign(h->multi, fd, s);
	} else {
		/* Often called from this socket's own callback: the event is re-armed in place
		 * (as hiperfifo.c does), never freed under libevent's feet. */
		event_del(s->ev);
		event_assign(s->ev, h->base, fd, kind, on_socket, s);
	}
	event_add(s->ev, NULL);
	return 0;
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct np_http *h = userp;
	if (timeout_ms < 0) {
		evtimer_del(h->timer);
		return 0;
	}
	/* 0 = as soon as possible: still from the loop, never from inside curl. */
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	evtimer_add(h->timer, &tv);
	return 0;
}

struct np_http *
np_http_new(struct event_base *base, const struct np_logger *log, char **cause)
{
	if (np_curl_load(cause) == -1)
		return NULL;
	struct np_http *h = np_xcalloc(1, sizeof(*h));
	h->base = base;
	h->log = log;
	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		np_cause(cause, "libcurl: cannot create a multi handle");
		free(h);
		return NULL;
	}
	h->timer = evtimer_new(base, on_timer, h);
	h->limiters = np_hmap_new();
	LIST_INIT(&h->socks);
	LIST_INIT(&h->foreign);
	if (getrandom(&h->rng, sizeof(h->rng), GRND_NONBLOCK) != sizeof(h->rng))
		h->rng = (uint64_t)np_mono_ms() ^ (uint64_t)(uintptr_t)h;
	h->rng |= 1;
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

void
np_http_free(struct np_http *h)
{
	if (h == NULL)
		return;
	struct foreign *f;
	while ((f = LIST_FIRST(&h->foreign)) != NULL) {
		curl_multi_remove_handle(h->multi, f->easy);
		LIST_REMOVE(f, entry);
		free(f);
	}
	curl_multi_cleanup(h->multi);
	/* Sockets curl did not hand back while cleaning up. */
	struct sockev *s;
	while ((s = LIST_FIRST(&h->socks)) != NULL) {
		event_free(s->ev);
		LIST_REMOVE(s, entry);
		free(s);
	}
	event_free(h->timer);
	np_hmap_free(h->limiters, NULL);
	free(h);
}

int
np_http_multi_add(struct np_http *h, CURL *easy, char **cause)
{
	CURLMcode rc = curl_multi_add_handle(h->multi, easy);
	if (rc != CURLM_OK) {
		np_cause(cause, "libcurl: %s", curl_multi_strerror(rc));
		return -1;
	}
	return 0;
}

void
np_http_multi_remove(struct np_http *h, CURL *easy)
{
	curl_multi_remove_handle(h->multi, easy);
}

double
np_http_random(struct np_http *h)
{
	/* xorshift64*: enough for jitter, and the engine's own (no global rand() state). */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return (double)((h->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

struct np_http_limiter *
np_http_limiter_get(struct np_http *h, const char *key, double rate, double burst)
{
	return np_http_limiter_get_in(h->limiters, key, rate, burst, np_mono_ms());
}

void
np_http_stats(const struct np_http *h, struct np_http_stats *out)
{
	*out = h->stats;
}

int
np_http_add_easy(struct np_http *h, void *easy, np_http_easy_cb cb, void *arg, char **cause)
{
	if (easy == NULL || cb == NULL) {
		np_cause(cause, "no handle or no callback");
		return -1;
	}
	if (np_http_multi_add(h, easy, cause) == -1)
		return -1;
	struct foreign *f = np_xcalloc(1, sizeof(*f));
	f->easy = easy;
	f->cb = cb;
	f->arg = arg;
	LIST_INSERT_HEAD(&h->foreign, f, entry);
	return 0;
}

void
np_http_remove_easy(struct np_http *h, void *easy)
{
	struct foreign *f;
	LIST_FOREACH(f, &h->foreign, entry)
	if (f->easy == easy) {
		curl_multi_remove_handle(h->multi, easy);
		LIST_REMOVE(f, entry);
		free(f);
		return;
	}
}
