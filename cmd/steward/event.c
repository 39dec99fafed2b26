/* SPDX-License-Identifier: Apache-2.0 */
/* steward event add */
#include <jansson.h>

#include "commands.h"

static int do_add(cli *c, const cli_args *a)
{
    if (!a->v[O_TYPE] || !a->v[O_AT])
        return cli_usage("event add ", "--type and --at are required");
    if (!!a->v[O_SUBJECT] + !!a->v[O_ACCOUNT] + !!a->v[O_TENANT] +
            !!a->v[O_RECORD] + !!a->v[O_EVENT] !=
        1)
        return cli_usage("event add ", "give exactly one of --subject, "
                                       "--account, --tenant, --record or "
                                       "--event");
    sw_event_spec spec = {a->v[O_TYPE],   a->v[O_SUBJECT], a->v[O_ACCOUNT],
                          a->v[O_TENANT], a->v[O_RECORD],  0,
                          a->v[O_EVENT]};
    int rc = cli_instant("--at", a->v[O_AT], &spec.at);
    if (rc)
        return rc;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    char id[SW_ID_BUFSZ];
    size_t moved = 0;
    if (sw_event_add(s, &spec, id, &moved) != SW_OK)
        rc = cli_store_fail(s, "event not recorded");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s, s:s, s:I}", "id", id, "type",
                                      spec.type, "records_moved",
                                      (json_int_t)moved));
    else
        printf("%s: %s; %zu record%s got a new due date\n", id, spec.type,
               moved, moved == 1 ? "" : "s");
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"add", do_add,
     "steward event add --type T (--subject ID | --account A | --tenant T | "
     "--record ID | --event EV) --at INSTANT [--json]",
     "Records a lifecycle event (account_closed, relationship_ended,\n"
     "ticket_closed, last_contact...: the policy's triggers) and moves the\n"
     "due date of every record it affects, in one transaction. A later event\n"
     "of the same type moves them again. --event EV: the event entity\n"
     "(event_held of webinar EV-7) dates only the records added with\n"
     "--event EV.",
     OPT(O_TYPE) | OPT(O_SUBJECT) | OPT(O_ACCOUNT) | OPT(O_TENANT) |
         OPT(O_RECORD) | OPT(O_AT) | OPT(O_EVENT),
     0, 0},
};

int cmd_event(int argc, char **argv, cli *c)
{
    return cli_run_family("event", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
