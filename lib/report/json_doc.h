#ifndef NP_REPORT_JSON_DOC_H
#define NP_REPORT_JSON_DOC_H
/*
 * The JSON documents netpulse prints. Every one is an object whose first member is
 * "version": NP_JSON_VERSION, the version of the document formats (netpulse(1) JSON OUTPUT;
 * it changes when a key is renamed, removed or changes meaning, not when one is added).
 * In every array of objects, every object has the same keys in the same order: a key one
 * object lacks is null there, not omitted.
 */
#include <jansson.h>

#define NP_JSON_VERSION 1

/*
 * Renders body as a document: an object's members follow "version"; anything else goes
 * under `key` ({"version": 1, "links": [...]}). Arrays of objects anywhere inside get the
 * union of their objects' keys (first-seen order), missing ones null. body is not changed.
 * malloc'd (np_json_dump's layout).
 */
char *np_json_doc(json_t *body, const char *key);

#endif
