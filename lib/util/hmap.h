#ifndef NP_UTIL_HMAP_H
#define NP_UTIL_HMAP_H
/*
 * String-keyed hash map (open addressing, linear probing, power-of-two capacity). Keys are
 * copied; values are caller-owned pointers. Iteration order is unspecified.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np_hmap;

struct np_hmap *np_hmap_new(void);
/* Frees the map and its key copies; calls free_value on each value if non-NULL. */
void np_hmap_free(struct np_hmap *m, void (*free_value)(void *));
void *np_hmap_get(const struct np_hmap *m, const char *key, size_t keylen);
/* Inserts or replaces; returns the previous value or NULL. */
void *np_hmap_put(struct np_hmap *m, const char *key, size_t keylen, void *value);
/* Removes and returns the value, or NULL. */
void *np_hmap_del(struct np_hmap *m, const char *key, size_t keylen);
size_t np_hmap_count(const struct np_hmap *m);
/*
 * Removes every entry for which pred returns true (calling free_value on its value if
 * non-NULL) and returns how many. A map that held many entries and now holds few shrinks, as
 * it does after np_hmap_del, so memory follows what the map holds.
 */
size_t np_hmap_remove_if(struct np_hmap *m,
                         bool (*pred)(const char *key, size_t keylen, void *value, void *arg),
                         void *arg, void (*free_value)(void *));
/* Calls fn for each entry; fn must not modify the map. */
void np_hmap_foreach(const struct np_hmap *m,
                     void (*fn)(const char *key, size_t keylen, void *value, void *arg), void *arg);
uint64_t np_hash_bytes(const void *data, size_t len);
/* The key "a\0b" of a pair of strings (a link: device, interface); malloc'd, *len its length. */
char *np_hmap_key2(const char *a, const char *b, size_t *len);

#endif
