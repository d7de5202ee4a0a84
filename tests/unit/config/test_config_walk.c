/*
 * The walker's list types and secret forms, on a table of this test's own (the way a
 * collector's ops->options is walked): values, positioned errors, free and equal.
 */
#include "testutil.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_table.h"
#include "config/diag.h"
#include "config/walk.h"
#include "config/ydoc.h"
#include "util/xmalloc.h"

struct grp {
	char *name;
	char **subnets;
	size_t nsubnets;
	int weight;
};

struct conf {
	char **filter;
	size_t nfilter;
	struct grp *groups;
	size_t ngroups;
	char *key;
};

static const struct np_config_opt grp_opts[] = {
    {.name = "name",
     .type = NP_CFG_NAME,
     .off = offsetof(struct grp, name),
     .max = 64,
     .required = NP_CFG_ALL,
     .help = "group"},
    {.name = "subnets",
     .type = NP_CFG_STRINGS,
     .off = offsetof(struct grp, subnets),
     .off2 = offsetof(struct grp, nsubnets),
     .help = "subnets"},
    {.name = "weight",
     .type = NP_CFG_INT,
     .off = offsetof(struct grp, weight),
     .min = 0,
     .max = 9,
     .def = "1",
     .help = "weight"},
    {.name = NULL},
};

static const struct np_config_opt opts[] = {
    {.name = "filter",
     .type = NP_CFG_STRINGS,
     .off = offsetof(struct conf, filter),
     .off2 = offsetof(struct conf, nfilter),
     .max = 3,
     .def = "dtype:mx",
     .help = "filter"},
    {.name = "groups",
     .type = NP_CFG_MAPLIST,
     .off = offsetof(struct conf, groups),
     .off2 = offsetof(struct conf, ngroups),
     .max = sizeof(struct grp),
     .sub = grp_opts,
     .help = "groups"},
    {.name = "api_key",
     .type = NP_CFG_SECRET,
     .flags = NP_CFG_F_SECRET_FORMS,
     .off = offsetof(struct conf, key),
     .required = NP_CFG_ALL,
     .help = "key"},
    {.name = NULL},
};

/* Walks text into c; returns the rendered errors ("" when none). */
static char *
walk(const char *text, struct conf *c)
{
	struct np_config_diag *errs = np_config_diag_new("t.yaml");
	struct np_config_ynode *root = np_config_ydoc_parse(text, strlen(text), errs);
	assert_non_null(root);
	struct np_config_scope sc = {
	    .errs = errs, .owner = "source 'm'", .kind = "source", .type_name = "x"};
	memset(c, 0, sizeof(*c));
	np_config_walk_defaults(opts, c, 0);
	np_config_walk(opts, root, c, &sc);
	char *out = np_config_diag_count(errs) ? np_config_diag_render(errs) : np_xstrdup("");
	np_config_diag_free(errs);
	np_config_ydoc_free(root);
	return out;
}

static void
test_lists_and_secret_env(void **state)
{
	setenv("NP_WALK_KEY", "k-123", 1);
	struct conf c;
	char *e = walk("filter: [\"org:Acme\", \"dtype:all\"]\n"
	               "groups:\n"
	               "  - { name: Corp, subnets: [10.0.0.0/8, 172.16.0.0/12] }\n"
	               "  - { name: Guest, weight: 3 }\n"
	               "api_key_env: NP_WALK_KEY\n",
	               &c);
	assert_string_equal(e, "");
	assert_int_equal(c.nfilter, 2);
	assert_string_equal(c.filter[1], "dtype:all");
	assert_int_equal(c.ngroups, 2);
	assert_string_equal(c.groups[0].name, "Corp");
	assert_int_equal(c.groups[0].nsubnets, 2);
	assert_string_equal(c.groups[0].subnets[1], "172.16.0.0/12");
	assert_int_equal(c.groups[0].weight, 1); /* each entry gets the defaults */
	assert_string_equal(c.groups[1].name, "Guest");
	assert_int_equal(c.groups[1].nsubnets, 0);
	assert_int_equal(c.groups[1].weight, 3);
	assert_string_equal(c.key, "k-123");

	struct conf d;
	free(walk("filter: [\"org:Acme\", \"dtype:all\"]\n"
	          "groups:\n"
	          "  - { name: Corp, subnets: [10.0.0.0/8, 172.16.0.0/12] }\n"
	          "  - { name: Guest, weight: 3 }\n"
	          "api_key_env: NP_WALK_KEY\n",
	          &d));
	assert_true(np_config_table_equal(opts, &c, &d));
	d.groups[1].weight = 4;
	assert_false(np_config_table_equal(opts, &c, &d));
	np_config_table_free(opts, &d);
	np_config_table_free(opts, &c);
	assert_null(c.groups);
	assert_null(c.key);
	free(e);
	unsetenv("NP_WALK_KEY");
}

static void
test_defaults(void **state)
{
	setenv("NP_WALK_KEY", "k", 1);
	struct conf c;
	char *e = walk("api_key_env: NP_WALK_KEY\n", &c);
	assert_string_equal(e, "");
	assert_int_equal(c.nfilter, 1);
	assert_string_equal(c.filter[0], "dtype:mx");
	assert_int_equal(c.ngroups, 0);
	np_config_table_free(opts, &c);
	free(e);
	unsetenv("NP_WALK_KEY");
}

static void
test_errors(void **state)
{
	struct conf c;
	char *e = walk("filter: [a, b, c, d]\n"
	               "groups:\n"
	               "  - { subnets: [x] }\n"
	               "  - 7\n"
	               "  - { name: G, subnets: [\"\"], colour: red }\n"
	               "api_key: clear-text-secret\n",
	               &c);
	assert_string_equal(
	    e,
	    "t.yaml:1:9: bad value for 'filter' in source 'm': expected at most 3 entries, got 4\n"
	    "t.yaml:3:5: missing required key 'name' in source 'm' groups[1]\n"
	    "t.yaml:4:5: bad value for 'groups' in source 'm': entry 2: expected a mapping, got "
	    "'7'\n"
	    "t.yaml:5:26: bad value for 'subnets' in source 'm' groups[3]: expected a non-empty "
	    "string, got ''\n"
	    "t.yaml:5:31: unknown key 'colour' in source 'm' groups[3]\n"
	    "t.yaml:6:10: source 'm': an api_key in clear is not accepted; put it in a file "
	    "(api_key_file, e.g. a systemd credential) or the environment (api_key_env)");
	assert_null(strstr(e, "clear-text-secret"));
	np_config_table_free(opts, &c);
	free(e);

	e = walk("api_key_file: /nonexistent/netpulse-key\napi_key_env: X\n", &c);
	assert_string_equal(e, "t.yaml:2:14: keys 'api_key_file' and 'api_key_env' in source 'm' "
	                       "cannot be used together");
	np_config_table_free(opts, &c);
	free(e);

	e = walk("filter: []\n", &c);
	assert_string_equal(e, "t.yaml:1:1: missing required key 'api_key_file' or 'api_key_env' "
	                       "in source 'm'");
	np_config_table_free(opts, &c);
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists_and_secret_env),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
