/*
 * The curl_* functions of <curl/curl.h> this tree calls, forwarding to libcurl.so.4 loaded by
 * np_curl_load() (curl_dl.h says why). The variadic setopt/getinfo take one argument whose type
 * the option number tells (CURLOPTTYPE_* ranges, CURLINFO_* type bits), as curl's own
 * documentation defines them.
 */
#define CURL_DISABLE_TYPECHECK 1 /* plain prototypes: these are the definitions */
#include "io/curl_dl.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/cause.h"

#define CURL_SONAME "libcurl.so.4"

/*
 * Process-wide like the library itself (lib/ has no other mutable globals): loaded once, never
 * unloaded; single-threaded lib/, no lock.
 */
static struct {
	bool tried, ok;
	char why[256];
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	void (*free)(void *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	const char *(*multi_strerror)(CURLMcode);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
	CURLMcode (*multi_assign)(CURLM *, curl_socket_t, void *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	const char *(*url_strerror)(CURLUcode);
	CURLSH *(*share_init)(void);
	CURLSHcode (*share_setopt)(CURLSH *, CURLSHoption, ...);
	CURLSHcode (*share_cleanup)(CURLSH *);
	const char *(*share_strerror)(CURLSHcode);
} C;

static bool
sym(void *lib, const char *name, void *fp)
{
	void *p = dlsym(lib, name);
	if (p == NULL)
		return false;
	/* POSIX: a dlsym result converts to a function pointer (void * and back). */
	*(void **)fp = p;
	return true;
}

static bool
load(void)
{
	if (C.tried)
		return C.ok;
	C.tried = true;
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		const char *e = dlerror();
		snprintf(C.why, sizeof(C.why), "%s", e != NULL ? e : "cannot load " CURL_SONAME);
		return false;
	}
	const struct {
		const char *name;
		void *fp;
	} t[] = {
	    {"curl_global_init", &C.global_init},
	    {"curl_easy_init", &C.easy_init},
	    {"curl_easy_setopt", &C.easy_setopt},
	    {"curl_easy_perform", &C.easy_perform},
	    {"curl_easy_cleanup", &C.easy_cleanup},
	    {"curl_easy_getinfo", &C.easy_getinfo},
	    {"curl_easy_strerror", &C.easy_strerror},
	    {"curl_slist_append", &C.slist_append},
	    {"curl_slist_free_all", &C.slist_free_all},
	    {"curl_free", &C.free},
	    {"curl_multi_init", &C.multi_init},
	    {"curl_multi_add_handle", &C.multi_add_handle},
	    {"curl_multi_remove_handle", &C.multi_remove_handle},
	    {"curl_multi_cleanup", &C.multi_cleanup},
	    {"curl_multi_info_read", &C.multi_info_read},
	    {"curl_multi_strerror", &C.multi_strerror},
	    {"curl_multi_setopt", &C.multi_setopt},
	    {"curl_multi_socket_action", &C.multi_socket_action},
	    {"curl_multi_assign", &C.multi_assign},
	    {"curl_url", &C.url},
	    {"curl_url_cleanup", &C.url_cleanup},
	    {"curl_url_set", &C.url_set},
	    {"curl_url_get", &C.url_get},
	    {"curl_url_strerror", &C.url_strerror},
	    {"curl_share_init", &C.share_init},
	    {"curl_share_setopt", &C.share_setopt},
	    {"curl_share_cleanup", &C.share_cleanup},
	    {"curl_share_strerror", &C.share_strerror},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!sym(lib, t[i].name, t[i].fp)) {
			snprintf(C.why, sizeof(C.why), CURL_SONAME " lacks %s", t[i].name);
			return false;
		}
	}
	CURLcode rc = C.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(C.why, sizeof(C.why), "curl_global_init: %s", C.easy_strerror(rc));
		return false;
	}
	C.ok = true;
	return true;
}

int
np_curl_load(char **cause)
{
	if (load())
		return 0;
	np_cause(cause, "libcurl: %s", C.why);
	return -1;
}

/* One option's argument, by the type its number encodes. */
union arg {
	long l;
	void *p;
	void (*f)(void);
	curl_off_t o;
};

static int
arg_kind(long option)
{
	if (option >= CURLOPTTYPE_BLOB)
		return 'p';
	if (option >= CURLOPTTYPE_OFF_T)
		return 'o';
	if (option >= CURLOPTTYPE_FUNCTIONPOINT)
		return 'f';
	if (option >= CURLOPTTYPE_OBJECTPOINT)
		return 'p';
	return 'l';
}

CURLcode
curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	if (!load())
		return CURLE_FAILED_INIT;
	va_list ap;
	va_start(ap, option);
	CURLcode rc;
	switch (arg_kind(option)) {
	case 'l':
		rc = C.easy_setopt(curl, option, va_arg(ap, long));
		break;
	case 'o':
		rc = C.easy_setopt(curl, option, va_arg(ap, curl_off_t));
		break;
	case 'f':
		rc = C.easy_setopt(curl, option, va_arg(ap, void (*)(void)));
		break;
	default:
		rc = C.easy_setopt(curl, option, va_arg(ap, void *));
		break;
	}
	va_end(ap);
	return rc;
}

CURLMcode
curl_multi_setopt(CURLM *multi, CURLMoption option, ...)
{
	if (!load())
		return CURLM_INTERNAL_ERROR;
	va_list ap;
	va_start(ap, option);
	CURLMcode rc;
	switch (arg_kind(option)) {
	case 'l':
		rc = C.multi_setopt(multi, option, va_arg(ap, long));
		break;
	case 'o':
		rc = C.multi_setopt(multi, option, va_arg(ap, curl_off_t));
		break;
	case 'f':
		rc = C.multi_setopt(multi, option, va_arg(ap, void (*)(void)));
		break;
	default:
		rc = C.multi_setopt(multi, option, va_arg(ap, void *));
		break;
	}
	va_end(ap);
	return rc;
}

/* Every CURLINFO_* takes a pointer to where the value goes. */
CURLcode
curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	if (!load())
		return CURLE_FAILED_INIT;
	va_list ap;
	va_start(ap, info);
	void *p = va_arg(ap, void *);
	va_end(ap);
	return C.easy_getinfo(curl, info, p);
}

CURLcode
curl_global_init(long flags)
{
	return load() ? CURLE_OK : CURLE_FAILED_INIT; /* load() ran it */
}

CURL *
curl_easy_init(void)
{
	return load() ? C.easy_init() : NULL;
}

CURLcode
curl_easy_perform(CURL *curl)
{
	return load() ? C.easy_perform(curl) : CURLE_FAILED_INIT;
}

void
curl_easy_cleanup(CURL *curl)
{
	if (load())
		C.easy_cleanup(curl);
}

const char *
curl_easy_strerror(CURLcode rc)
{
	return load() ? C.easy_strerror(rc) : C.why;
}

struct curl_slist *
curl_slist_append(struct curl_slist *list, const char *data)
{
	return load() ? C.slist_append(list, data) : NULL;
}

void
curl_slist_free_all(struct curl_slist *list)
{
	if (load())
		C.slist_free_all(list);
}

void
curl_free(void *p)
{
	if (load())
		C.free(p);
}

CURLM *
curl_multi_init(void)
{
	return load() ? C.multi_init() : NULL;
}

CURLMcode
curl_multi_add_handle(CURLM *m, CURL *e)
{
	return load() ? C.multi_add_handle(m, e) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_remove_handle(CURLM *m, CURL *e)
{
	return load() ? C.multi_remove_handle(m, e) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_cleanup(CURLM *m)
{
	return load() ? C.multi_cleanup(m) : CURLM_INTERNAL_ERROR;
}

CURLMsg *
curl_multi_info_read(CURLM *m, int *left)
{
	return load() ? C.multi_info_read(m, left) : NULL;
}

const char *
curl_multi_strerror(CURLMcode rc)
{
	return load() ? C.multi_strerror(rc) : C.why;
}

CURLMcode
curl_multi_socket_action(CURLM *m, curl_socket_t s, int ev, int *running)
{
	return load() ? C.multi_socket_action(m, s, ev, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_assign(CURLM *m, curl_socket_t s, void *p)
{
	return load() ? C.multi_assign(m, s, p) : CURLM_INTERNAL_ERROR;
}

CURLU *
curl_url(void)
{
	return load() ? C.url() : NULL;
}

void
curl_url_cleanup(CURLU *u)
{
	if (load())
		C.url_cleanup(u);
}

CURLUcode
curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return load() ? C.url_set(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode
curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	return load() ? C.url_get(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

const char *
curl_url_strerror(CURLUcode rc)
{
	return load() ? C.url_strerror(rc) : C.why;
}

CURLSH *
curl_share_init(void)
{
	return load() ? C.share_init() : NULL;
}

/* CURLSHOPT_SHARE/UNSHARE take a curl_lock_data (an int through the varargs), LOCKFUNC and
 * UNLOCKFUNC a function, USERDATA a pointer. */
CURLSHcode
curl_share_setopt(CURLSH *sh, CURLSHoption option, ...)
{
	if (!load())
		return CURLSHE_NOT_BUILT_IN;
	va_list ap;
	va_start(ap, option);
	CURLSHcode rc;
	switch (option) {
	case CURLSHOPT_SHARE:
	case CURLSHOPT_UNSHARE:
		rc = C.share_setopt(sh, option, va_arg(ap, int));
		break;
	case CURLSHOPT_LOCKFUNC:
	case CURLSHOPT_UNLOCKFUNC:
		rc = C.share_setopt(sh, option, va_arg(ap, void (*)(void)));
		break;
	case CURLSHOPT_USERDATA:
		rc = C.share_setopt(sh, option, va_arg(ap, void *));
		break;
	default:
		rc = CURLSHE_BAD_OPTION;
		break;
	}
	va_end(ap);
	return rc;
}

CURLSHcode
curl_share_cleanup(CURLSH *sh)
{
	return load() ? C.share_cleanup(sh) : CURLSHE_NOT_BUILT_IN;
}

const char *
curl_share_strerror(CURLSHcode rc)
{
	return load() ? C.share_strerror(rc) : C.why;
}
