/* SPDX-License-Identifier: Apache-2.0 */
/* steward record add */
#include <jansson.h>
#include <string.h>

#include "commands.h"

static int do_add(cli *c, const cli_args *a)
{
    if (!a->v[O_SUBJECT] || !a->v[O_ACTIVITY] || !a->v[O_CATEGORY] ||
        !a->v[O_VALUE])
        return cli_usage("record add ", "--subject, --activity, --category "
                                        "and --value are required");
    sw_record_spec spec = {a->v[O_SUBJECT],
                           a->v[O_ACTIVITY],
                           a->v[O_CATEGORY],
                           a->v[O_VALUE],
                           strlen(a->v[O_VALUE]),
                           a->v[O_SOURCE],
                           false,
                           0,
                           a->v[O_EVENT]};
    int rc;
    if (a->v[O_AT]) {
        if ((rc = cli_instant("--at", a->v[O_AT], &spec.collected_at)))
            return rc;
        spec.has_collected_at = true;
    }
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    char id[SW_ID_BUFSZ], due[SW_INSTANT_BUFSZ];
    sw_due d;
    if (sw_record_add(s, &spec, id, &d) != SW_OK) {
        rc = cli_store_fail(s, "record not added");
    } else if (c->json) {
        rc = cli_print_json(
            json_pack("{s:s, s:o, s:o}", "id", id, "rule",
                      d.rule[0] ? json_string(d.rule) : json_null(), "due",
                      d.has_due ? json_string(sw_instant_format(d.due_at, due))
                                : json_null()));
    } else if (d.has_due) {
        printf("%s due %s (%s)\n", id, sw_instant_format(d.due_at, due),
               d.rule);
    } else {
        printf("%s (no due date yet%s%s)\n", id, d.rule[0] ? ": " : "", d.rule);
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"add", do_add,
     "steward record add --subject ID --activity A --category C --value V "
     "[--at INSTANT] [--source S] [--event EV] [--json]",
     "Adds one personal-data item under an activity and category of the\n"
     "policy, encrypted under the subject's key; prints its id and the due\n"
     "date the policy gives it (--at: when it was collected; default now).\n"
     "--event ties it to an event (a webinar, a breakfast: its id, as you\n"
     "name it): events recorded with 'event add --event EV' date it, and\n"
     "another event's do not.",
     OPT(O_SUBJECT) | OPT(O_ACTIVITY) | OPT(O_CATEGORY) | OPT(O_VALUE) |
         OPT(O_AT) | OPT(O_SOURCE) | OPT(O_EVENT),
     0, 0},
};

int cmd_record(int argc, char **argv, cli *c)
{
    return cli_run_family("record", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
