/* SPDX-License-Identifier: Apache-2.0 */
/* steward key create|list|revoke: the API keys stewardd accepts. */
#include <jansson.h>

#include "commands.h"

static int do_create(cli *c, const cli_args *a)
{
    sw_key_role role;
    if (!sw_key_role_parse(a->v[O_ROLE], &role))
        return cli_usage("key create ",
                         "--role: admin, dpo, service or auditor");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    char id[SW_ID_BUFSZ], token[SW_APIKEY_BUFSZ];
    if (sw_key_create_for(s, role, a->v[O_LABEL], a->v[O_ACCOUNT], id, token) !=
        SW_OK)
        rc = cli_store_fail(s, "key not created");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s, s:s, s:s}", "id", id, "role",
                                      sw_key_role_name(role), "key", token));
    else
        printf("%s\n", token);
    if (!rc && !c->json)
        fprintf(stderr,
                "steward: key %s (%s) created; it is shown only "
                "this once\n",
                id, sw_key_role_name(role));
    cli_close_store(s, p);
    return rc;
}

static int print_key(const sw_key_view *k, void *ctx)
{
    json_t *list = ctx;
    char at[SW_INSTANT_BUFSZ], rev[SW_INSTANT_BUFSZ];
    sw_instant_format(k->created_at, at);
    if (k->revoked)
        sw_instant_format(k->revoked_at, rev);
    if (list) {
        json_array_append_new(list, sv_key_view(k));
    } else {
        printf("%s  %-8s created %s%s%s%s%s  %s\n", k->id,
               sw_key_role_name(k->role), at, k->revoked ? ", revoked " : "",
               k->revoked ? rev : "", k->account[0] ? ", account " : "",
               k->account, k->label);
    }
    return 0;
}

static int do_list(cli *c, const cli_args *a)
{
    (void)a;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    if (sw_key_list(s, print_key, list) != SW_OK) {
        rc = cli_store_fail(s, "keys not listed");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:o}", "keys", list));
    }
    cli_close_store(s, p);
    return rc;
}

static int do_revoke(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("key revoke ", "give the key id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    if (sw_key_revoke(s, a->pos[0]) != SW_OK)
        rc = cli_store_fail(s, "key not revoked");
    else if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:b}", "id", a->pos[0], "revoked", 1));
    else
        printf("revoked %s\n", a->pos[0]);
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"create", do_create,
     "steward key create --role admin|dpo|service|auditor [--label TEXT] "
     "[--account ACC] [--json]",
     "Creates an API key for stewardd and prints it. It is shown only this\n"
     "once; the store keeps its keyed hash. Roles: service (ingest, events,\n"
     "decisions), dpo (requests, holds, consents, reports), auditor\n"
     "(read-only reports and audit), admin (keys and everything).\n"
     "--account ACC makes a service key of one customer: it may only export\n"
     "or erase its own end users' traffic on its instructions. Audited.",
     OPT(O_ROLE) | OPT(O_LABEL) | OPT(O_ACCOUNT), 0, 0},
    {"list", do_list, "steward key list [--json]",
     "Lists the keys (ids, roles, labels; never the keys themselves).", 0, 0,
     0},
    {"revoke", do_revoke, "steward key revoke ID [--json]",
     "Revokes a key: stewardd refuses it from then on. Audited.", 0, 1, 0},
};

int cmd_key(int argc, char **argv, cli *c)
{
    return cli_run_family("key", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
