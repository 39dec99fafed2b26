/* SPDX-License-Identifier: Apache-2.0 */
/* steward retention audit [--json] */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const char *const class_names[] = {"dated", "kept", "UNEXPLAINED"};

static int do_audit(cli *c, const cli_args *a)
{
    (void)a;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_retention_audit *r = NULL;
    if (sw_retention_audit_run(s, &r) != SW_OK) {
        rc = cli_store_fail(s, "retention not audited");
    } else if (c->json) {
        char *text = sw_retention_audit_json(r);
        rc = text ? cli_print_text(text) : cli_fail("out of memory");
        free(text);
    } else {
        char t[SW_INSTANT_BUFSZ];
        printf("retention audit at %s (policy %s): %zu personal item%s, "
               "%zu unexplained\n",
               sw_instant_format(r->now, t), r->policy_version,
               r->personal_items, r->personal_items == 1 ? "" : "s",
               r->unexplained);
        for (size_t i = 0; i < r->n_kinds; i++) {
            const sw_audit_kind *k = &r->kinds[i];
            printf("  %-16s %8zu  dated %zu, kept %zu, unexplained %zu%s\n",
                   k->kind, k->items, k->dated, k->kept, k->unexplained,
                   k->personal ? "" : " (not personal)");
            for (size_t j = 0; j < r->n_reasons; j++)
                if (strcmp(r->reasons[j].kind, k->kind) == 0)
                    printf("      %-11s %8zu  %s\n",
                           class_names[r->reasons[j].cls], r->reasons[j].count,
                           r->reasons[j].reason);
        }
        for (size_t i = 0; i < r->n_items; i++)
            printf("  unexplained %s %s: %s\n", r->items[i].kind,
                   r->items[i].id, r->items[i].why);
        if (r->unexplained > r->n_items)
            printf("  (%zu more not listed)\n", r->unexplained - r->n_items);
    }
    if (rc == 0 && r->unexplained)
        rc = EXIT_REFUSED;
    sw_retention_audit_free(r);
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"audit", do_audit, "steward retention audit [--json]",
     "Walks the whole store and reports, per kind of data, how many items\n"
     "have a due date, how many are kept for a reason that ends (which),\n"
     "and every item with neither. Exit status 1 when any item has neither.\n"
     "Changes nothing.",
     0, 0, 0},
};

int cmd_retention(int argc, char **argv, cli *c)
{
    return cli_run_family("retention", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
