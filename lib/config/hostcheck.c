#include "config/hostcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cause.h"
#include "util/xmalloc.h"

/* Lines of one kind (errors or warnings), each "file:line:column: message". */
struct lines {
	char *text;
};

static void __attribute__((format(printf, 4, 5)))
add(struct lines *out, const struct np_config *cfg, const struct np_config_file *f, const char *fmt,
    ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = np_xvasprintf(fmt, ap);
	va_end(ap);
	char *line = f->line > 0
	                 ? np_xasprintf("%s:%d:%d: %s: %s", cfg->path, f->line, f->col, f->key, msg)
	                 : np_xasprintf("%s: %s: %s", cfg->path, f->key, msg);
	free(msg);
	if (out->text == NULL) {
		out->text = line;
		return;
	}
	char *joined = np_xasprintf("%s\n%s", out->text, line);
	free(out->text);
	free(line);
	out->text = joined;
}

/* O_NONBLOCK: a FIFO named by mistake must not hang a reload. */
static void
check_read(struct lines *errs, const struct np_config *cfg, const struct np_config_file *f)
{
	int fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		add(errs, cfg, f, "cannot read %s: %s", f->path, strerror(errno));
		return;
	}
	struct stat st;
	if (fstat(fd, &st) == -1)
		add(errs, cfg, f, "cannot read %s: %s", f->path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		add(errs, cfg, f, "%s is not a regular file", f->path);
	close(fd);
}

/*
 * SQLite creates the file and, in WAL mode, its -wal and -shm companions next to it: the
 * directory must be writable, not only the file.
 */
static void
check_database(struct lines *out, const struct np_config *cfg, const struct np_config_file *f,
               bool warn)
{
	const char *note = warn ? " (checked as another user than the daemon's: a warning)" : "";
	const char *slash = strrchr(f->path, '/');
	char *dir = slash == NULL      ? np_xstrdup(".")
	            : slash == f->path ? np_xstrdup("/")
	                               : np_xstrndup(f->path, (size_t)(slash - f->path));
	struct stat st;
	if (stat(dir, &st) == -1)
		add(out, cfg, f, "directory %s: %s%s", dir, strerror(errno), note);
	else if (!S_ISDIR(st.st_mode))
		add(out, cfg, f, "%s is not a directory%s", dir, note);
	else if (access(dir, W_OK | X_OK) == -1)
		add(out, cfg, f, "directory %s is not writable: %s%s", dir, strerror(errno), note);
	else if (access(f->path, F_OK) == 0 && access(f->path, R_OK | W_OK) == -1)
		add(out, cfg, f, "%s is not writable: %s%s", f->path, strerror(errno), note);
	free(dir);
}

int
np_config_check_host(const struct np_config *cfg, unsigned what, char **warnings, char **cause)
{
	struct lines errs = {NULL}, warns = {NULL};
	bool db_seen = false;
	bool db_warn = (what & NP_CONFIG_CHECK_DB_WARN) != 0;
	for (size_t i = 0; i < cfg->nfiles; i++) {
		const struct np_config_file *f = &cfg->files[i];
		if (f->use == NP_CONFIG_FILE_READ && (what & NP_CONFIG_CHECK_FILES))
			check_read(&errs, cfg, f);
		if (f->use == NP_CONFIG_FILE_DATABASE && (what & NP_CONFIG_CHECK_DATABASE)) {
			check_database(db_warn ? &warns : &errs, cfg, f, db_warn);
			db_seen = true;
		}
	}
	if (!db_seen && (what & NP_CONFIG_CHECK_DATABASE) && cfg->database != NULL) {
		/* The default: no key to point at. */
		char key[] = "daemon.database (the default)";
		struct np_config_file f = {cfg->database, key, 0, 0, NP_CONFIG_FILE_DATABASE};
		check_database(db_warn ? &warns : &errs, cfg, &f, db_warn);
	}
	if (warnings != NULL)
		*warnings = warns.text;
	else
		free(warns.text);
	if (errs.text == NULL)
		return 0;
	np_cause(cause, "%s", errs.text);
	free(errs.text);
	return -1;
}

void
np_config_file_add(struct np_config *cfg, const char *path, const char *name, const char *where,
                   int line, int col, enum np_config_file_use use)
{
	if (path == NULL)
		return;
	cfg->files = np_xreallocarray(cfg->files, cfg->nfiles + 1, sizeof(*cfg->files));
	cfg->files[cfg->nfiles++] = (struct np_config_file){
	    .path = np_xstrdup(path),
	    .key = np_xasprintf("'%s'%s", name, where),
	    .line = line,
	    .col = col,
	    .use = use,
	};
}

void
np_config_files_free(struct np_config *cfg)
{
	for (size_t i = 0; i < cfg->nfiles; i++) {
		free(cfg->files[i].path);
		free(cfg->files[i].key);
	}
	free(cfg->files);
	cfg->files = NULL;
	cfg->nfiles = 0;
}
