/* SPDX-License-Identifier: Apache-2.0 */
/* steward subject add|find|show|erase */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static int do_add(cli *c, const cli_args *a)
{
    if (!a->v[O_KIND])
        return cli_usage("subject add ", "--kind is required");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_subject_spec spec = {a->v[O_KIND], a->v[O_ACCOUNT], a->v[O_TENANT],
                            a->v[O_ROLE], a->n_idents,     a->idents};
    char id[SW_ID_BUFSZ];
    if (sw_subject_add(s, &spec, id) != SW_OK) {
        rc = cli_store_fail(s, "subject not added");
    } else if (c->json) {
        rc = cli_print_json(json_pack("{s:s, s:s, s:I}", "id", id, "kind",
                                      spec.kind, "identifiers",
                                      (json_int_t)spec.n_idents));
    } else {
        printf("%s\n", id);
    }
    cli_close_store(s, p);
    return rc;
}

static int print_id(const char *id, void *ctx)
{
    json_t *list = ctx;
    if (list)
        json_array_append_new(list, json_string(id));
    else
        printf("%s\n", id);
    return 0;
}

static int do_find(cli *c, const cli_args *a)
{
    if (a->n_idents + (a->v[O_ACCOUNT] != NULL) != 1)
        return cli_usage("subject find ",
                         "give exactly one of --email, --phone, --msisdn, "
                         "--imsi, --imei, --ip, --account-id, --ident or "
                         "--account");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    if (a->v[O_ACCOUNT]) {
        json_t *list = c->json ? json_array() : NULL;
        if (sw_subject_find_account(s, a->v[O_ACCOUNT], print_id, list) !=
            SW_OK)
            rc = cli_store_fail(s, "look-up failed");
        else if (list)
            rc = cli_print_json(json_pack("{s:o}", "subjects", list));
        if (rc && list)
            json_decref(list);
    } else {
        char id[SW_ID_BUFSZ];
        sw_status st = sw_subject_find(s, &a->idents[0], id);
        if (st != SW_OK)
            rc = cli_store_fail(s, "not found");
        else if (c->json)
            rc = cli_print_json(json_pack("{s:[s]}", "subjects", id));
        else
            printf("%s\n", id);
    }
    cli_close_store(s, p);
    return rc;
}

static int do_show(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("subject show ", "give the subject id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_subject_view *v;
    if (sw_subject_show(s, a->pos[0], &v) != SW_OK) {
        rc = cli_store_fail(s, "cannot show");
        cli_close_store(s, p);
        return rc;
    }
    if (c->json) {
        rc = cli_print_json(sv_subject_view(v, p));
    } else {
        char t1[SW_INSTANT_BUFSZ], t2[SW_INSTANT_BUFSZ], words[512];
        printf("subject   %s\nkind      %s (%s)\n", v->id, v->kind, v->role);
        if (v->account)
            printf("account   %s\n", v->account);
        if (v->tenant)
            printf("tenant    %s\n", v->tenant);
        printf("created   %s\n", sw_instant_format(v->created_at, t1));
        for (size_t i = 0; i < v->n_idents; i++)
            printf("%-9s %s\n", v->idents[i].type, v->idents[i].value);
        printf("\n%zu record%s\n", v->n_records, v->n_records == 1 ? "" : "s");
        for (size_t i = 0; i < v->n_records; i++) {
            const sw_record_view *r = &v->records[i];
            const sw_rule *rule =
                r->due.rule[0] ? sw_policy_rule(p, r->due.rule) : NULL;
            printf("%s  %s / %s\n  value     %s\n  collected %s\n", r->id,
                   r->activity, r->category, r->value,
                   sw_instant_format(r->collected_at, t1));
            if (r->due.has_due)
                printf("  due       %s (%s, %s)\n",
                       sw_instant_format(r->due.due_at, t2), rule->id,
                       sw_rule_describe(p, rule, words, sizeof(words)));
            else if (rule)
                printf("  due       not yet: %s (%s)\n",
                       sw_rule_describe(p, rule, words, sizeof(words)),
                       rule->id);
            else
                printf("  due       no retention rule covers this record\n");
        }
    }
    sw_subject_view_free(v);
    cli_close_store(s, p);
    return rc;
}

static int do_erase(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("subject erase ", "give the subject id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_erase_result r;
    if (sw_subject_erase(s, a->pos[0], &r) != SW_OK)
        rc = cli_store_fail(s, "not erased");
    else if (c->json)
        rc = cli_print_json(sv_erase_result(a->pos[0], &r));
    else
        printf("erased %s: data key destroyed; %zu records, %zu identifiers, "
               "%zu events deleted\n",
               a->pos[0], r.records, r.identifiers, r.events);
    cli_close_store(s, p);
    return rc;
}

static int do_flag(cli *c, const cli_args *a)
{
    if (a->n_pos != 1 || !a->set[O_CHILD])
        return cli_usage("subject flag ", "give the subject id and --child");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    sw_erase_result r;
    if (sw_subject_child(s, a->pos[0], &r) != SW_OK)
        rc = cli_store_fail(s, "not flagged");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s, s:b, s:I}", "subject", a->pos[0],
                                      "erased", 1, "records",
                                      (json_int_t)r.records));
    else
        printf("%s is a child under %d: erased at once (%zu records)\n",
               a->pos[0], p->children.min_age ? p->children.min_age : 16,
               r.records);
    cli_close_store(s, p);
    return rc;
}

/* subject restrict / unrestrict */
static int restriction(cli *c, const cli_args *a, bool on)
{
    if (a->n_pos != 1)
        return cli_usage(on ? "subject restrict " : "subject unrestrict ",
                         "give the subject id");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    if (sw_subject_restrict(s, a->pos[0], on, a->v[O_REASON]) != SW_OK)
        rc = cli_store_fail(s, "not changed");
    else if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:b}", "subject", a->pos[0], "restricted", on));
    else if (on)
        printf("%s restricted: every purpose but storage is denied\n",
               a->pos[0]);
    else
        printf("%s: restriction lifted. Tell the person before processing "
               "resumes (Art. 18(3)).\n",
               a->pos[0]);
    cli_close_store(s, p);
    return rc;
}

static int do_restrict(cli *c, const cli_args *a)
{
    return restriction(c, a, true);
}

static int do_unrestrict(cli *c, const cli_args *a)
{
    return restriction(c, a, false);
}

static const cli_verb verbs[] = {
    {"add", do_add,
     "steward subject add --kind K [--account A] [--tenant T] [--role R] "
     "[--email E] [--phone P] [--msisdn M] [--imsi I] [--imei I] [--ip IP] "
     "[--account-id ID] [--ident TYPE=VALUE]... [--json]",
     "Adds a data subject of a kind the policy names, with its identifiers\n"
     "(normalised, blind-indexed, encrypted). Prints the subject id.\n"
     "An identifier that belongs to another subject is refused.",
     OPT(O_KIND) | OPT(O_ACCOUNT) | OPT(O_TENANT) | OPT(O_ROLE) | OPTS_IDENT, 0,
     0},
    {"find", do_find,
     "steward subject find --email E | --phone P | --msisdn M | --imsi I | "
     "--imei I | --ip IP | --account-id ID | --ident TYPE=VALUE | "
     "--account A [--json]",
     "Finds the subject an identifier belongs to (or the subjects of an\n"
     "account) without decrypting anything.",
     OPT(O_ACCOUNT) | OPTS_IDENT, 0, 0},
    {"show", do_show, "steward subject show ID [--json]",
     "Shows everything held on a subject, decrypted, with each record's\n"
     "retention. Audited as a disclosure.",
     0, 1, 0},
    {"erase", do_erase, "steward subject erase ID [--json]",
     "Crypto-shreds a subject: destroys its data key, then deletes its\n"
     "records, identifiers and events.",
     0, 1, 0},
    {"flag", do_flag, "steward subject flag ID --child [--json]",
     "Records that the subject is a child under the policy's minimum age:\n"
     "everything held on them is erased at once (notice section 14).",
     OPT(O_CHILD), 1, 0},
    {"restrict", do_restrict,
     "steward subject restrict ID [--reason R] [--json]",
     "Restricts processing (Art. 18): every decision but storage is denied.\n"
     "Audited.",
     OPT(O_REASON), 1, 0},
    {"unrestrict", do_unrestrict,
     "steward subject unrestrict ID [--reason R] [--json]",
     "Lifts a restriction (audited); tell the person first.", OPT(O_REASON), 1,
     0},
};

int cmd_subject(int argc, char **argv, cli *c)
{
    return cli_run_family("subject", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
