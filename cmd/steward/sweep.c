/* SPDX-License-Identifier: Apache-2.0 */
/* steward sweep [--dry-run] */
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"

static int do_sweep(cli *c, const cli_args *a)
{
    sw_sweep_options o = {a->set[O_DRY_RUN], 0, NULL, NULL};
    if (isatty(2))
        o.progress = cli_progress_records;
    if (a->v[O_BATCH]) {
        char *end;
        long n = strtol(a->v[O_BATCH], &end, 10);
        if (*end || n < 1 || n > 1000000)
            return cli_usage("sweep ", "--batch '%s': 1 to 1000000 records",
                             a->v[O_BATCH]);
        o.batch = (size_t)n;
    }
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_sweep_report *r = NULL;
    sw_status st = sw_sweep(s, &o, &r);
    if (o.progress && r && r->batches)
        fputs("\n", stderr);
    if (st != SW_OK) {
        rc = cli_store_fail(s, "sweep stopped (run it again to finish)");
    } else if (c->json) {
        char *text = sw_sweep_report_json(r);
        rc = text ? cli_print_text(text) : cli_fail("out of memory");
        free(text);
    } else {
        char t[SW_INSTANT_BUFSZ], d1[SW_INSTANT_BUFSZ], d2[SW_INSTANT_BUFSZ];
        printf("%s at %s (policy %s): %zu record%s %s, %zu subject%s "
               "%sremoved, %zu kept by holds\n",
               r->dry_run ? "sweep plan" : "sweep",
               sw_instant_format(r->now, t), r->policy_version, r->records,
               r->records == 1 ? "" : "s",
               r->dry_run ? "due" : "deleted or anonymised",
               r->subjects_removed, r->subjects_removed == 1 ? "" : "s",
               r->dry_run ? "to be " : "", r->held);
        for (size_t i = 0; i < r->n_groups; i++) {
            const sw_sweep_group *g = &r->groups[i];
            printf("  %-32s %6zu  %s (notice %s), after %s, due %s .. %s\n",
                   g->rule[0] ? g->rule : "(no rule)", g->records, g->action,
                   g->section, g->trigger, sw_instant_format(g->first_due, d1),
                   sw_instant_format(g->last_due, d2));
        }
        for (size_t i = 0; i < r->n_held; i++)
            printf("  kept by %s (%s): %zu record%s\n", r->held_by[i].hold,
                   r->held_by[i].kind, r->held_by[i].records,
                   r->held_by[i].records == 1 ? "" : "s");
        printf("  traffic: %zu day%s of identifiers %s, %zu rows kept under "
               "holds, %zu stripped after release, %zu rows past 10 years "
               "deleted (%zu kept), %zu months dropped\n",
               r->epochs_destroyed, r->epochs_destroyed == 1 ? "" : "s",
               r->dry_run ? "due to be destroyed" : "destroyed",
               r->traffic_rekeyed, r->traffic_stripped, r->traffic_deleted,
               r->traffic_held, r->months_dropped);
        printf("  consent: %zu consent%s %sexpired, %zu unconfirmed "
               "subscription%s %sremoved, %zu suppression entr%s %sremoved\n",
               r->consents_expired, r->consents_expired == 1 ? "" : "s",
               r->dry_run ? "due to be " : "", r->unconfirmed_removed,
               r->unconfirmed_removed == 1 ? "" : "s",
               r->dry_run ? "due to be " : "", r->suppression_removed,
               r->suppression_removed == 1 ? "y" : "ies",
               r->dry_run ? "due to be " : "");
        if (r->requests_removed)
            printf("  requests: %zu closed request record%s past their "
                   "period %s\n",
                   r->requests_removed, r->requests_removed == 1 ? "" : "s",
                   r->dry_run ? "due to be deleted" : "deleted");
        if (r->requests_lapsed)
            printf("  requests: %zu never verified by their deadline %s\n",
                   r->requests_lapsed,
                   r->dry_run ? "due to be closed as refused"
                              : "closed as refused");
        if (r->answers_removed)
            printf("  requests: %zu answer%s kept for download past their "
                   "period %s\n",
                   r->answers_removed, r->answers_removed == 1 ? "" : "s",
                   r->dry_run ? "due to be deleted" : "deleted");
        for (size_t i = 0; i < r->n_systems; i++) {
            const sw_system_expiry *e = &r->systems[i];
            if (e->error[0])
                printf("  system %s: not swept: %s\n", e->system, e->error);
            else
                printf("  system %s, table %s (%s): %zu row%s %s, %zu kept "
                       "by holds\n",
                       e->system, e->table, e->rule, e->rows,
                       e->rows == 1 ? "" : "s",
                       r->dry_run ? "due" : "deleted or anonymised", e->held);
        }
        if (r->dry_run && r->system_statements && *r->system_statements)
            printf("  the systems' statements (values bound, never written "
                   "into them):\n%s",
                   r->system_statements);
    }
    sw_sweep_report_free(r);
    cli_close_store(s, p);
    return rc;
}

static const cli_verb sweep_verb = {
    "sweep",
    do_sweep,
    "steward sweep [--dry-run] [--batch N] [--json]",
    "Deletes (or anonymises) every record whose due date has come and no\n"
    "hold covers, destroys the day keys of traffic identifiers past their\n"
    "period and deletes traffic past its own; writes a deletion certificate\n"
    "into the audit trail. --dry-run prints the plan and changes nothing.\n"
    "Interrupted, it leaves whole batches: run it again to finish.",
    OPT(O_DRY_RUN) | OPT(O_BATCH),
    0,
    0};

int cmd_sweep(int argc, char **argv, cli *c)
{
    return cli_run_single(argc, argv, c, &sweep_verb);
}
