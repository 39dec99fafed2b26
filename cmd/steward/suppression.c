/* SPDX-License-Identifier: Apache-2.0 */
/* steward unsubscribe and steward suppression: the suppression list */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int do_unsubscribe(cli *c, const cli_args *a)
{
    if (a->set[O_EMAIL] == a->set[O_PHONE])
        return cli_usage("unsubscribe ", "give --email or --phone");
    sw_ident id = {a->set[O_EMAIL] ? "email" : "phone",
                   a->v[a->set[O_EMAIL] ? O_EMAIL : O_PHONE]};
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_objection_result r;
    if (sw_suppression_add(s, &id, a->v[O_CHANNEL], &r) != SW_OK)
        rc = cli_store_fail(s, "not unsubscribed");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:b, s:I}", "suppressed", 1,
                                      "consents_withdrawn",
                                      (json_int_t)r.consents_withdrawn));
    else
        printf("suppressed: no marketing to this address from now on "
               "(%zu consent%s withdrawn)\n",
               r.consents_withdrawn, r.consents_withdrawn == 1 ? "" : "s");
    cli_close_store(s, p);
    return rc;
}

static const cli_verb unsubscribe_verb = {
    "unsubscribe",
    do_unsubscribe,
    "steward unsubscribe (--email E | --phone P) [--channel email|sms|voice] "
    "[--json]",
    "Puts the address on the suppression list (only its keyed hash, the\n"
    "channel and the date are kept) and withdraws its marketing consents.\n"
    "No account needed. Every marketing decision for it is denied from now\n"
    "on, even after the subject is erased.",
    OPT(O_EMAIL) | OPT(O_PHONE) | OPT(O_CHANNEL),
    0,
    0};

int cmd_unsubscribe(int argc, char **argv, cli *c)
{
    return cli_run_single(argc, argv, c, &unsubscribe_verb);
}

static int sup_one(const sw_suppression_view *v, void *ctx)
{
    json_t *list = ctx;
    char since[SW_INSTANT_BUFSZ], due[SW_INSTANT_BUFSZ] = "";
    sw_instant_format(v->since, since);
    if (v->has_due)
        sw_instant_format(v->due_at, due);
    if (list)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s, s:s, s:o}", "hash",
                                        v->hash, "channel", v->channel, "since",
                                        since, "rule", v->rule, "due_at",
                                        sv_instant(v->has_due, v->due_at)));
    else
        printf("%s  %-6s since %s  %s%s%s\n", v->hash, v->channel, since,
               v->rule, v->has_due ? ", due " : "", due);
    return 0;
}

static int do_sup_list(cli *c, const cli_args *a)
{
    (void)a;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    if (sw_suppression_list(s, sup_one, list) != SW_OK) {
        rc = cli_store_fail(s, "suppression list not read");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:o}", "suppression", list));
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb suppression_verbs[] = {
    {"list", do_sup_list, "steward suppression list [--json]",
     "Lists the suppression list: keyed hashes, channels, dates and the rule\n"
     "each entry stays under. No address is stored, so none is shown.",
     0, 0, 0},
};

int cmd_suppression(int argc, char **argv, cli *c)
{
    return cli_run_family("suppression", argc, argv, c, suppression_verbs,
                          sizeof(suppression_verbs) /
                              sizeof(suppression_verbs[0]));
}
