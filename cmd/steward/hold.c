/* SPDX-License-Identifier: Apache-2.0 */
/* steward hold place|release|list */
#include <jansson.h>

#include "commands.h"

static int do_place(cli *c, const cli_args *a)
{
    if (!a->v[O_SCOPE] || !a->v[O_KIND] || !a->v[O_REASON])
        return cli_usage("hold place ",
                         "--scope, --kind and --reason are required");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    char id[SW_ID_BUFSZ];
    if (sw_hold_place(s, a->v[O_SCOPE], a->v[O_KIND], a->v[O_REASON], id) !=
        SW_OK)
        rc = cli_store_fail(s, "hold not placed");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s, s:s, s:s}", "id", id, "kind",
                                      a->v[O_KIND], "scope", a->v[O_SCOPE]));
    else
        printf("%s\n", id);
    cli_close_store(s, p);
    return rc;
}

static int do_release(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("hold release ", "give the hold id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    if (sw_hold_release(s, a->pos[0]) != SW_OK)
        rc = cli_store_fail(s, "hold not released");
    else if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:b}", "id", a->pos[0], "released", 1));
    else
        printf("released %s: the next sweep deletes what it kept\n", a->pos[0]);
    cli_close_store(s, p);
    return rc;
}

static int print_hold(const sw_hold_view *h, void *ctx)
{
    json_t *list = ctx;
    char at[SW_INSTANT_BUFSZ], rel[SW_INSTANT_BUFSZ];
    sw_instant_format(h->placed_at, at);
    if (h->released)
        sw_instant_format(h->released_at, rel);
    if (list) {
        json_array_append_new(list, sv_hold_view(h));
    } else {
        printf("%s  %-15s %s:%s  placed %s%s%s  %s\n", h->id, h->kind, h->scope,
               h->target, at, h->released ? ", released " : "",
               h->released ? rel : "", h->reason);
    }
    return 0;
}

static int do_list(cli *c, const cli_args *a)
{
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    if (sw_hold_list(s, a->set[O_ALL], print_hold, list) != SW_OK) {
        rc = cli_store_fail(s, "holds not listed");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:o}", "holds", list));
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"place", do_place,
     "steward hold place --scope subject:ID|account:A|activity:ID|record:ID "
     "--kind litigation|law_enforcement|investigation|billing_dispute "
     "--reason TEXT [--json]",
     "Places a legal hold: every deletion it covers is suspended until it\n"
     "is released. Prints the hold id. Audited.",
     OPT(O_SCOPE) | OPT(O_KIND) | OPT(O_REASON), 0, 0},
    {"release", do_release, "steward hold release ID [--json]",
     "Releases a hold; the next sweep deletes what is due. Audited.", 0, 1, 0},
    {"list", do_list, "steward hold list [--all] [--json]",
     "Lists active holds (--all: released ones too).", OPT(O_ALL), 0, 0},
};

int cmd_hold(int argc, char **argv, cli *c)
{
    return cli_run_family("hold", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
