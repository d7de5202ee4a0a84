#include "d_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "d_log_remote.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static const char *prog = "netpulsed";
static enum np_log_target target = NP_LOG_STDERR;
static int max_priority = LOG_INFO;
static char *file_path;
static FILE *file;
static bool stderr_journal; /* stderr is systemd's journal stream */

static const int level_priority[] = {
    [NP_LOG_ERR] = LOG_ERR,   [NP_LOG_WARNING] = LOG_WARNING, [NP_LOG_NOTICE] = LOG_NOTICE,
    [NP_LOG_INFO] = LOG_INFO, [NP_LOG_DEBUG] = LOG_DEBUG,
};

static const char *
priority_name(int priority)
{
	switch (priority) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

static void
lib_log(void *arg, int priority, const char *msg)
{
	log_msg(priority, "%s", msg);
}

const struct np_logger log_lib = {.fn = lib_log, .arg = NULL};

/*
 * JOURNAL_STREAM ("DEV:INODE", systemd.exec(5)) names the journal stream systemd connected
 * stdout/stderr to; stderr is that stream only if its device and inode match (a service that
 * redirected it, or a child started from one, inherits the variable but not the stream).
 */
static bool
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	char end;
	struct stat st;
	if (e == NULL || sscanf(e, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) == -1)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname)
{
	prog = progname;
	stderr_journal = stderr_is_journal();
}

const char *
log_stderr_prefix(int priority)
{
	static const char *const prefix[] = {"<0>", "<1>", "<2>", "<3>",
	                                     "<4>", "<5>", "<6>", "<7>"};
	if (!stderr_journal)
		return "";
	return prefix[priority & 7];
}

int
log_configure(enum np_log_target t, const char *path, const struct np_alert_cfg *remote,
              enum np_log_level level, bool verbose, char **cause)
{
	FILE *nf = NULL;
	if (t == NP_LOG_REMOTE) {
		if (remote == NULL) {
			np_cause(cause, "daemon.log: no remote target");
			return -1;
		}
		if (logr_configure(remote, cause) == -1)
			return -1;
	}
	if (t == NP_LOG_FILE) {
		nf = fopen(path, "a");
		if (nf == NULL) {
			np_cause(cause, "log file %s: %s", path, strerror(errno));
			return -1;
		}
		setvbuf(nf, NULL, _IOLBF, 0);
	}
	if (file != NULL)
		fclose(file);
	file = nf;
	free(file_path);
	file_path = path != NULL ? np_xstrdup(path) : NULL;
	if (t == NP_LOG_SYSLOG && target != NP_LOG_SYSLOG)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (t != NP_LOG_REMOTE)
		logr_configure(NULL, NULL);
	target = t;
	max_priority = verbose ? LOG_DEBUG : level_priority[level];
	return 0;
}

void
log_reopen(void)
{
	if (target != NP_LOG_FILE || file_path == NULL)
		return;
	FILE *nf = fopen(file_path, "a");
	if (nf == NULL) {
		log_warn("reopening log file %s", file_path);
		return;
	}
	setvbuf(nf, NULL, _IOLBF, 0);
	fclose(file);
	file = nf;
}

void
log_set_base(struct event_base *base)
{
	logr_set_base(base);
}

void
log_close(void)
{
	logr_close();
	if (file != NULL)
		fclose(file);
	file = NULL;
	free(file_path);
	file_path = NULL;
}

static void
vlog(int priority, const char *fmt, va_list ap)
{
	if (priority > max_priority)
		return;
	int saved = errno;
	if (target == NP_LOG_SYSLOG) {
		vsyslog(priority, fmt, ap);
		errno = saved;
		return;
	}
	FILE *out = target == NP_LOG_FILE && file != NULL ? file : stderr;
	/*
	 * The journal timestamps every line itself, and takes a leading "<N>" (sd-daemon(3)) as
	 * the line's priority: `journalctl -p err` finds errors.
	 */
	const char *pfx = out == stderr ? log_stderr_prefix(priority) : "";
	char ts[32] = "";
	if (out != stderr || !stderr_journal) {
		struct timespec now;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	}
	char *msg = np_xvasprintf(fmt, ap);
	fprintf(out, "%s%s%s: %s: %s\n", pfx, ts, prog, priority_name(priority), msg);
	if (target == NP_LOG_REMOTE)
		logr_line(priority, msg);
	free(msg);
	errno = saved;
}

void
log_msg(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(priority, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	char *msg = np_xvasprintf(fmt, ap);
	va_end(ap);
	log_msg(LOG_WARNING, "%s: %s", msg, strerror(saved));
	free(msg);
	errno = saved;
}

#define LOG_AT(name, prio)                                                                         \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vlog(prio, fmt, ap);                                                               \
		va_end(ap);                                                                        \
	}
LOG_AT(log_warnx, LOG_WARNING)
LOG_AT(log_info, LOG_INFO)
LOG_AT(log_debug, LOG_DEBUG)
