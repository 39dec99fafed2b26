/* SPDX-License-Identifier: Apache-2.0 */
/* steward init: a new store and its master key. */
#include <jansson.h>

#include "commands.h"

static int do_init(cli *c, const cli_args *a)
{
    (void)a;
    sw_policy *p;
    int rc = cli_load_policy(c, &p);
    if (rc)
        return rc;
    sw_store_options o;
    char actor[160], key[1024];
    cli_store_options(c, p, &o, actor, sizeof(actor));
    sw_store_key_path(c->store_path, &o, key, sizeof(key));
    sw_error err;
    sw_status st = sw_store_create(c->store_path, &o, &err);
    sw_store *s = NULL;
    if (st == SW_OK) /* the first open records the policy as version 1 */
        st = sw_store_open(c->store_path, &o, &s, &err);
    sw_store_close(s);
    char shown[512];
    sw_store_uri_shown(c->store_path, shown, sizeof(shown));
    sw_policy_free(p);
    if (st != SW_OK)
        return cli_fail("%s", err.msg);
    if (c->json)
        return cli_print_json(json_pack("{s:s, s:s, s:i}", "store", shown,
                                        "key", key, "schema",
                                        sw_store_schema_latest()));
    printf("created store %s (schema %d)\n"
           "created key   %s (mode 0600): keep a copy somewhere safe; "
           "without it the data cannot be read\n",
           shown, sw_store_schema_latest(), key);
    return 0;
}

static const cli_verb init_verb = {
    "init",
    do_init,
    "steward init [--store PATH] [--key FILE] [--json]",
    "Creates a store (default ./steward.db, or STEWARD_STORE) and its master\n"
    "key file (default PATH.key, or STEWARD_KEY_FILE), mode 0600. Refuses to\n"
    "overwrite either.",
    0,
    0,
    0};

int cmd_init(int argc, char **argv, cli *c)
{
    return cli_run_single(argc, argv, c, &init_verb);
}
