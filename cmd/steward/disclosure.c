/* SPDX-License-Identifier: Apache-2.0 */
/* steward disclosure add|list: the disclosure log. */
#include <jansson.h>
#include <string.h>

#include "commands.h"

#define MAX_CATEGORIES 32

static int do_add(cli *c, const cli_args *a)
{
    if (!a->v[O_RECIPIENT_KIND] || !a->v[O_RECIPIENT] || !a->v[O_BASIS] ||
        !a->v[O_REFERENCE] || !a->v[O_SCOPE])
        return cli_usage("disclosure add ",
                         "--recipient-kind, --recipient, --basis, --reference "
                         "and --scope are required");
    sw_disclosure_spec d;
    memset(&d, 0, sizeof(d));
    d.recipient_kind = a->v[O_RECIPIENT_KIND];
    d.recipient = a->v[O_RECIPIENT];
    d.basis = a->v[O_BASIS];
    d.reference = a->v[O_REFERENCE];
    d.scope = a->v[O_SCOPE];
    char cats[1024];
    const char *list[MAX_CATEGORIES];
    snprintf(cats, sizeof(cats), "%s",
             a->v[O_CATEGORIES] ? a->v[O_CATEGORIES] : "");
    for (char *save = NULL, *t = strtok_r(cats, ", ", &save); t;
         t = strtok_r(NULL, ", ", &save)) {
        if (d.n_categories == MAX_CATEGORIES)
            return cli_usage("disclosure add ", "--categories: at most %d",
                             MAX_CATEGORIES);
        list[d.n_categories++] = t;
    }
    d.categories = list;
    int rc = 0;
    if (a->v[O_CONFIDENTIAL_UNTIL]) {
        d.has_confidential_until = true;
        rc = cli_instant("--confidential-until", a->v[O_CONFIDENTIAL_UNTIL],
                         &d.confidential_until);
    }
    if (!rc && a->v[O_AT]) {
        d.has_at = true;
        rc = cli_instant("--at", a->v[O_AT], &d.at);
    }
    sw_store *s;
    sw_policy *p;
    if (rc || (rc = cli_open_store(c, &s, &p)))
        return rc;
    char id[SW_ID_BUFSZ];
    if (sw_disclosure_add(s, &d, id) != SW_OK)
        rc = cli_store_fail(s, "disclosure not recorded");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s}", "id", id));
    else
        printf("%s\n", id);
    cli_close_store(s, p);
    return rc;
}

static int print_disclosure(const sw_disclosure_view *d, void *ctx)
{
    if (ctx) {
        json_array_append_new(ctx, sv_disclosure_view(d));
        return 0;
    }
    char at[SW_INSTANT_BUFSZ], until[SW_INSTANT_BUFSZ] = "";
    sw_instant_format(d->at, at);
    if (d->has_confidential_until)
        sw_instant_format(d->confidential_until, until);
    printf("%s  %s  %s %s (%s, %s)  %s:%s  %s%s%s\n", d->id, at,
           d->recipient_kind, d->recipient, d->basis, d->reference,
           d->scope_kind, d->scope, d->categories,
           d->confidential ? "  confidential until " : "",
           d->confidential ? until : "");
    if (d->confidential)
        printf("    withheld from access and right-to-know answers until "
               "%s (confidentiality order)\n",
               until);
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
    if (sw_disclosure_list(s, a->v[O_SUBJECT], print_disclosure, list) !=
        SW_OK) {
        rc = cli_store_fail(s, "disclosures not listed");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:o}", "disclosures", list));
    }
    cli_close_store(s, p);
    return rc;
}

/* Each option lands in the word of bits it belongs to. */
#define ADD_OPTS(F)                                                            \
    (F(O_SCOPE) | F(O_AT) | F(O_RECIPIENT_KIND) | F(O_RECIPIENT) |             \
     F(O_BASIS) | F(O_REFERENCE) | F(O_CATEGORIES) | F(O_CONFIDENTIAL_UNTIL))

static const cli_verb verbs[] = {
    {"add", do_add,
     "steward disclosure add --recipient-kind law_enforcement|authority|"
     "auditor|tax_authority|court|acquirer --recipient NAME --basis BASIS "
     "--reference ORDER --scope subject:ID|msisdn:N|email:E|account:ACC "
     "--categories C1,C2 [--confidential-until DATE] [--at TIME] [--json]",
     "Records that personal data was given to a recipient outside the\n"
     "ordinary ones (notice 6): who, on which legal basis (such as\n"
     "6(1)(c)), under which order, whose data and which categories of the\n"
     "policy. An access answer lists it (Art. 15(1)(c)), and a CCPA\n"
     "right-to-know answer lists its categories, unless a confidentiality\n"
     "order forbids telling the person: then not before its date. Whom it\n"
     "concerns is kept blind-indexed and sealed. Audited.",
     ADD_OPTS(OPT), 0, ADD_OPTS(OPT_HI)},
    {"list", do_list, "steward disclosure list [--subject ID] [--json]",
     "Lists the disclosures, newest first (with --subject, those of one\n"
     "person: by its id, an identifier or its account), with whom each\n"
     "concerns, and which a confidentiality order still keeps from the\n"
     "person. Audited.",
     OPT(O_SUBJECT), 0, 0},
};

int cmd_disclosure(int argc, char **argv, cli *c)
{
    return cli_run_family("disclosure", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
