#ifndef NP_COLLECTORS_MERAKI_PARSE_H
#define NP_COLLECTORS_MERAKI_PARSE_H
/*
 * Pure parsers of the Meraki Dashboard API answers the meraki source reads (MERAKI.md): one
 * function per response, each taking one page (a JSON array; body need not be NUL-terminated)
 * and APPENDING its elements to a list, so the pages of a paginated call accumulate in one
 * list. Both API generations are read: v1 (tags arrays, string VLAN ids) and v0 (tags as one
 * space-separated string, integer VLAN ids). Unknown fields are ignored.
 *
 * Failure of a page (-1, *cause "networks: ...", the list untouched): the body is not JSON or
 * its top level is not an array. A page is never failed for one bad element: an element that
 * cannot be used is skipped and counted (list->skipped; the first reason is kept, e.g.
 * "networks: element 3: 'id' is not a string") and the rest still counts. Skipping is chosen
 * for every parser because a page that fails for good (the same bad element every poll) would
 * stop the whole network or organization forever, while a skipped element costs only itself
 * and is reported. What makes an element unusable is documented on each struct.
 *
 * Every string is owned by its list (np_meraki_*_free frees the elements and the array; the
 * list may then be reused after zeroing).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_MERAKI_REASON_MAX 160

/* Counts of skipped elements with the first reason, shared by every list. */
struct np_meraki_skips {
	size_t skipped;
	char reason[NP_MERAKI_REASON_MAX];
};

/* GET /organizations. Skipped: not an object, `id` neither a string nor an integer, `name`
 * neither a string nor null. A missing or null name is the id. */
struct np_meraki_org {
	char *id; /* integer ids (old answers) are turned into decimal text */
	char *name;
};
struct np_meraki_orgs {
	struct np_meraki_org *v;
	size_t n, cap;
	struct np_meraki_skips skips;
};

/*
 * GET /organizations/{id}/networks. Skipped: not an object, `id` not a string, `name` neither
 * a string nor null (a null or missing name is the id), `tags` neither an array, a string nor
 * null. Tags: a v1 array (non-string entries ignored) or a v0 space-separated string (split
 * into tokens); null or missing = none. timeZone / organizationId: NULL when absent or not a
 * string.
 */
struct np_meraki_net {
	char *id;
	char *name;
	char *org_id;
	char *time_zone;
	char **tags;
	size_t ntags;
};
struct np_meraki_nets {
	struct np_meraki_net *v;
	size_t n, cap;
	struct np_meraki_skips skips;
};

/*
 * GET /organizations/{id}/devices (or /networks/{id}/devices). Skipped: not an object,
 * `serial` not a string, `tags` of a wrong type (as for networks). name, model, networkId,
 * productType: NULL when absent, null or not a string.
 */
struct np_meraki_device {
	char *serial;
	char *name;
	char *model;
	char *net_id;
	char *product_type;
	char **tags;
	size_t ntags;
};
struct np_meraki_devices {
	struct np_meraki_device *v;
	size_t n, cap;
	struct np_meraki_skips skips;
};

enum np_meraki_status {
	NP_MERAKI_ST_UNKNOWN, /* absent or a value this code does not know */
	NP_MERAKI_ST_ONLINE,
	NP_MERAKI_ST_ALERTING,
	NP_MERAKI_ST_OFFLINE,
	NP_MERAKI_ST_DORMANT,
};

/* GET /organizations/{id}/devices/statuses. Skipped: not an object, `serial` not a string.
 * status: compared case-sensitively with the documented lower-case words. */
struct np_meraki_status_entry {
	char *serial;
	char *name;
	char *net_id;
	char *product_type;
	enum np_meraki_status status;
};
struct np_meraki_statuses {
	struct np_meraki_status_entry *v;
	size_t n, cap;
	struct np_meraki_skips skips;
};

/* GET /networks/{id}/appliance/vlans (v0: /networks/{id}/vlans). Skipped: not an object, `id`
 * not an integer 0..4095 or a string of one (v1 "10", v0 10). name/subnet: NULL if absent. */
struct np_meraki_vlan {
	int id;
	char *name;
	char *subnet;
};
struct np_meraki_vlans {
	struct np_meraki_vlan *v;
	size_t n, cap;
	struct np_meraki_skips skips;
};

/* Above any real usage (10^15 kB = 1 EB): such a value is an error, not traffic. */
#define NP_MERAKI_USAGE_MAX 1e15

/*
 * GET /networks/{id}/clients (and v0/v1 /devices/{serial}/clients). Skipped: not an object,
 * `usage` not an object, usage.sent / usage.recv not numbers in [0, NP_MERAKI_USAGE_MAX] (kB,
 * may be fractional). Not skipped, only less known: `ip` null, absent, not a string or not
 * IPv4 text (has_ip4 false: such a client matches no subnet); `vlan` null, absent, or not an
 * integer 0..4095 / a string of one (vlan -1: matches no VLAN).
 */
struct np_meraki_client {
	char *id;     /* NULL if absent */
	char *mac;    /* NULL if absent */
	char *ip;     /* as given; NULL if null/absent */
	uint32_t ip4; /* host byte order, when has_ip4 */
	bool has_ip4;
	int vlan; /* -1 = none */
	double sent_kb, recv_kb;
};
struct np_meraki_clients {
	struct np_meraki_client *v;
	size_t n, cap;
	struct np_meraki_skips skips;
};

int np_meraki_parse_orgs(const char *body, size_t len, struct np_meraki_orgs *out, char **cause);
int np_meraki_parse_nets(const char *body, size_t len, struct np_meraki_nets *out, char **cause);
int np_meraki_parse_devices(const char *body, size_t len, struct np_meraki_devices *out,
                            char **cause);
int np_meraki_parse_statuses(const char *body, size_t len, struct np_meraki_statuses *out,
                             char **cause);
int np_meraki_parse_vlans(const char *body, size_t len, struct np_meraki_vlans *out, char **cause);
int np_meraki_parse_clients(const char *body, size_t len, struct np_meraki_clients *out,
                            char **cause);

void np_meraki_orgs_free(struct np_meraki_orgs *l);
void np_meraki_nets_free(struct np_meraki_nets *l);
void np_meraki_devices_free(struct np_meraki_devices *l);
void np_meraki_statuses_free(struct np_meraki_statuses *l);
void np_meraki_vlans_free(struct np_meraki_vlans *l);
void np_meraki_clients_free(struct np_meraki_clients *l);

/* Parses a VLAN id as the API gives it: digits only, 0..4095. -1 otherwise. */
int np_meraki_vlan_id(const char *s);

#endif
