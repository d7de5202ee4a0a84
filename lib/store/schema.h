#ifndef NP_STORE_SCHEMA_H
#define NP_STORE_SCHEMA_H
/* The SQL of migration `version` (1-based), or NULL. */
const char *np_schema_migration(int version);
/* The schema version this build writes (= number of migrations). */
int np_schema_version(void);
#endif
