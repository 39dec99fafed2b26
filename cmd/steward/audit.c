/* SPDX-License-Identifier: Apache-2.0 */
/* steward audit verify|log */
#include <jansson.h>
#include <stdlib.h>

#include "commands.h"

static int do_verify(cli *c, const cli_args *a)
{
    (void)a;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_audit_verdict v;
    if (sw_audit_verify(s, &v) != SW_OK) {
        rc = cli_store_fail(s, "audit trail not verified");
    } else if (c->json) {
        json_t *o = json_pack("{s:b, s:I, s:s}", "intact", v.intact,
                              "entries", (json_int_t)v.entries, "head",
                              v.head);
        if (!v.intact) {
            json_object_set_new(o, "first_bad", json_integer(v.first_bad));
            json_object_set_new(o, "reason", json_string(v.reason));
        }
        rc = cli_print_json(o);
        if (!rc && !v.intact)
            rc = EXIT_REFUSED;
    } else if (v.intact) {
        printf("audit trail intact: %lld entries, head %s\n",
               (long long)v.entries, v.head);
    } else {
        rc = cli_fail("audit trail broken at entry %lld: %s",
                      (long long)v.first_bad, v.reason);
    }
    cli_close_store(s, p);
    return rc;
}

static int print_entry(const sw_audit_entry *e, void *ctx)
{
    json_t *list = ctx;
    char at[SW_INSTANT_BUFSZ];
    sw_instant_format(e->at, at);
    if (list) {
        json_error_t err;
        json_t *objs = json_loads(e->objects, 0, &err);
        json_t *det = json_loads(e->details, 0, &err);
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "seq",
                            (json_int_t)e->seq, "at", at, "actor", e->actor,
                            "action", e->action, "subject",
                            e->subject ? json_string(e->subject) : json_null(),
                            "objects", objs ? objs : json_null(), "details",
                            det ? det : json_null(), "hash", e->hash));
    } else {
        printf("%6lld %s %-18s %-16s %s %s\n", (long long)e->seq, at,
               e->action, e->actor, e->objects, e->details);
    }
    return 0;
}

static int do_log(cli *c, const cli_args *a)
{
    sw_audit_filter f = {false, 0, a->v[O_SUBJECT]};
    int rc;
    if (a->v[O_SINCE]) {
        if ((rc = cli_instant("--since", a->v[O_SINCE], &f.since)))
            return rc;
        f.has_since = true;
    }
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    if (sw_audit_log(s, &f, print_entry, list) != SW_OK) {
        rc = cli_store_fail(s, "audit log not read");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:o}", "entries", list));
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"verify", do_verify, "steward audit verify [--json]",
     "Recomputes the audit hash chain. Exit 0 with the entry count when\n"
     "intact; exit 1 naming the first broken entry otherwise. The head hash\n"
     "printed can be recorded elsewhere to anchor the trail.",
     0, 0},
    {"log", do_log, "steward audit log [--since INSTANT] [--subject ID] "
                    "[--json]",
     "Lists audit entries, oldest first: sequence, time, action, actor,\n"
     "object ids and details (never personal values).",
     OPT(O_SINCE) | OPT(O_SUBJECT), 0},
};

int cmd_audit(int argc, char **argv, cli *c)
{
    return cli_run_family("audit", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
