#ifndef NP_UTIL_LOGCB_H
#define NP_UTIL_LOGCB_H
/*
 * lib/ never prints: modules that have something to say in steady state (the pipeline, the
 * scheduler, the dispatcher) get a logger from the daemon. Priorities are syslog.h values
 * (LOG_ERR ...). Strings from devices or APIs must go through np_escape() first.
 */
struct np_logger {
	void (*fn)(void *arg, int priority, const char *msg);
	void *arg;
};

/* Formats and passes the message to lg->fn; a NULL logger or fn discards it. */
void np_logf(const struct np_logger *lg, int priority, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
