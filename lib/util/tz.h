#ifndef NP_UTIL_TZ_H
#define NP_UTIL_TZ_H
/*
 * Time zones for reports, read from the system's TZif files (RFC 8536) instead of through
 * setenv("TZ") + localtime(), so lib/ changes no process state and a zone is a value that
 * can be passed around and tested. A zone is a sorted list of UTC instants at which the UTC
 * offset changes; the file's POSIX TZ footer is expanded into explicit transitions up to the
 * year 2400, later instants keep the last offset.
 */
#include <stddef.h>
#include <stdint.h>

struct np_tz;

#define NP_TZ_DIR "/usr/share/zoneinfo"
/* "2026-12-01T09:00:00+01:00" plus room for large years and second offsets. */
#define NP_TZ_ISO_MAX 40

/*
 * Loads the IANA zone `name` from `dir` (NULL = NP_TZ_DIR). "UTC" works even without tzdata.
 * Names that are absolute, contain "..", or are not TZif files are refused with a cause.
 */
struct np_tz *np_tz_load(const char *dir, const char *name, char **cause);
/* Loads the TZif file at path, whatever its name; `name` is what np_tz_name() returns. */
struct np_tz *np_tz_load_file(const char *path, const char *name, char **cause);
/*
 * The zone the C library would take for local time: the TZ variable's value tz_env (NULL =
 * unset; a leading ':' is dropped) as a zone name under zonedir (NULL = NP_TZ_DIR), an
 * absolute TZif path or a POSIX rule, "" being UTC; with TZ unset, the TZif file localtime
 * (NULL = /etc/localtime), named after its link into a zoneinfo directory, and UTC when that
 * file does not exist. A TZ value that is none of these is an error, not UTC.
 */
struct np_tz *np_tz_local(const char *tz_env, const char *localtime, const char *zonedir,
                          char **cause);
/* Parses TZif bytes (v1, v2+ with footer). `name` is what np_tz_name() returns. */
struct np_tz *np_tz_from_tzif(const char *name, const void *buf, size_t len, char **cause);
/* A zone from a POSIX TZ rule alone, e.g. "CET-1CEST,M3.5.0,M10.5.0/3". */
struct np_tz *np_tz_from_posix(const char *rule, char **cause);
struct np_tz *np_tz_utc(void);
void np_tz_free(struct np_tz *tz);

const char *np_tz_name(const struct np_tz *tz);
/* UTC offset in seconds (east positive) in effect at UTC instant t. */
int32_t np_tz_offset(const struct np_tz *tz, int64_t t);
/*
 * The UTC instant of local wall time `local` (seconds as if the local clock were UTC). A
 * time that occurs twice (clocks going back) gives the earlier instant; a time that does not
 * exist (clocks going forward) gives the instant of the jump, the first that exists after it.
 */
int64_t np_tz_to_utc(const struct np_tz *tz, int64_t local);
/* Local wall time (seconds) of UTC instant t. */
int64_t np_tz_to_local(const struct np_tz *tz, int64_t t);
/* The local day (days since 1970-01-01 on the zone's calendar) of UTC instant t. */
int64_t np_tz_day(const struct np_tz *tz, int64_t t);
/* The UTC instant of the local midnight that starts `day` (np_tz_to_utc's rules for gaps). */
int64_t np_tz_midnight(const struct np_tz *tz, int64_t day);
/* ISO 8601 with numeric offset ("+00:00" for UTC, never "Z"), NUL-terminated. */
void np_tz_iso(const struct np_tz *tz, int64_t t, char buf[NP_TZ_ISO_MAX]);

#endif
