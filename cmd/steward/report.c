/* SPDX-License-Identifier: Apache-2.0 */
/* steward report requests */
#include <jansson.h>
#include <string.h>

#include "commands.h"

static int do_requests(cli *c, const cli_args *a)
{
    sw_instant since = 0;
    int rc;
    if (a->v[O_SINCE] && (rc = cli_instant("--since", a->v[O_SINCE], &since)))
        return rc;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_request_stats st;
    if (sw_request_stats_since(s, since, &st) != SW_OK) {
        rc = cli_store_fail(s, "no report");
        cli_close_store(s, p);
        return rc;
    }
    json_t *o = sv_request_stats(&st);
    if (c->json) {
        rc = cli_print_json(o);
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(o, "by_type"), i, v) printf(
            "%-18s %-5s %lld\n", json_string_value(json_object_get(v, "type")),
            json_string_value(json_object_get(v, "regulation")),
            (long long)json_integer_value(json_object_get(v, "count")));
        printf("completed %zu, refused %zu, withdrawn %zu, open %zu "
               "(overdue %zu)\ntime to complete: median %.2f days, "
               "longest %.2f days\n",
               st.completed, st.refused, st.withdrawn, st.open, st.overdue,
               st.median_days_x100 / 100.0, st.max_days_x100 / 100.0);
        json_decref(o);
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"requests", do_requests,
     "steward report requests [--since INSTANT] [--json]",
     "Data-subject requests received since INSTANT (default: all): counts\n"
     "per type and regulation, outcomes, median and longest time to\n"
     "complete, open and overdue ones.",
     OPT(O_SINCE), 0, 0},
};

int cmd_report(int argc, char **argv, cli *c)
{
    return cli_run_family("report", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
