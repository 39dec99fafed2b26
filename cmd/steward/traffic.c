/* SPDX-License-Identifier: Apache-2.0 */
/* steward traffic ingest|find|export|erase|bill */
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int do_ingest(cli *c, const cli_args *a)
{
    if (a->n_pos != 1)
        return cli_usage("traffic ingest ", "give a file, or - for stdin");
    const char *name = a->pos[0];
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (!f)
        return cli_fail("%s: cannot open", name);
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc) {
        if (f != stdin)
            fclose(f);
        return rc;
    }
    sw_ingest_options o = {a->set[O_SKIP_BAD], 0, NULL, NULL};
    if (isatty(2))
        o.progress = cli_progress_lines;
    sw_ingest_result r;
    sw_diags *d = sw_diags_new();
    sw_status st = sw_traffic_ingest(s, f, name, &o, d, &r);
    if (o.progress)
        fputs("\n", stderr);
    if (f != stdin)
        fclose(f);
    cli_print_diags(stderr, d);
    sw_diags_free(d);
    if (st != SW_OK)
        rc = cli_store_fail(s, "ingest refused");
    else if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:I, s:I, s:I, s:I}", "format",
                      r.csv ? "csv" : "ndjson", "lines", (json_int_t)r.lines,
                      "stored", (json_int_t)r.stored, "bad", (json_int_t)r.bad,
                      "stored_without_identifiers", (json_int_t)r.stripped));
    else
        printf("%s (%s): %zu lines, %zu stored, %zu bad skipped, %zu past "
               "their period stored without identifiers\n",
               name, r.csv ? "csv" : "ndjson", r.lines, r.stored, r.bad,
               r.stripped);
    cli_close_store(s, p);
    return rc;
}

static int print_row(const sw_traffic_row *r, void *ctx)
{
    json_t *list = ctx;
    char at[SW_INSTANT_BUFSZ];
    sw_instant_format(r->at, at);
    if (list) {
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:I, "
                      "s:s, s:s, s:s, s:s, s:b}",
                      "id", r->id, "account", r->account, "channel", r->channel,
                      "time", at, "sender", r->sender, "destination",
                      r->identifiers ? json_string(r->destination)
                                     : json_null(),
                      "country", r->country, "imsi",
                      r->imsi[0] ? json_string(r->imsi) : json_null(), "imei",
                      r->imei[0] ? json_string(r->imei) : json_null(),
                      "duration", (json_int_t)r->duration, "operator",
                      r->operator_, "route", r->route, "price", r->price,
                      "currency", r->currency, "identifiers", r->identifiers));
    } else {
        printf("%s  %s  %-8s %-10s %s  %s%s%s  %ld s  %s %s\n", r->id, at,
               r->channel, r->account, r->sender,
               r->identifiers ? r->destination : "(identifiers gone)",
               r->imsi[0] ? " imsi " : "", r->imsi, r->duration, r->price,
               r->currency);
    }
    return 0;
}

static int do_find(cli *c, const cli_args *a)
{
    if (!!a->v[O_MSISDN] + !!a->v[O_EMAIL] != 1)
        return cli_usage("traffic find ", "give --msisdn or --email");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    size_t n = 0;
    sw_status st = sw_traffic_find(
        s, a->v[O_MSISDN] ? "msisdn" : "email",
        a->v[O_MSISDN] ? a->v[O_MSISDN] : a->v[O_EMAIL], print_row, list, &n);
    if (st != SW_OK) {
        rc = cli_store_fail(s, "look-up failed");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(
            json_pack("{s:I, s:o}", "found", (json_int_t)n, "records", list));
    } else if (!n) {
        printf("no detail record with identifiers for this %s\n",
               a->v[O_MSISDN] ? "MSISDN" : "e-mail address");
    }
    cli_close_store(s, p);
    return rc;
}

/* The end user an instruction names: --msisdn (or --phone) or --email. */
static int instruction_of(const cli_args *a, const char *verb,
                          sw_instruction *in)
{
    const char *num = a->v[O_MSISDN] ? a->v[O_MSISDN] : a->v[O_PHONE];
    if (!a->v[O_ACCOUNT] || !!num + !!a->v[O_EMAIL] != 1 ||
        (a->v[O_MSISDN] && a->v[O_PHONE]))
        return cli_usage(verb, "give --account and one of --msisdn or --email");
    in->account = a->v[O_ACCOUNT];
    in->type = num ? "msisdn" : "email";
    in->value = num ? num : a->v[O_EMAIL];
    in->instruction = a->v[O_INSTRUCTION];
    return 0;
}

static int do_export(cli *c, const cli_args *a)
{
    sw_instruction in;
    int rc = instruction_of(a, "traffic export ", &in);
    sw_store *s;
    sw_policy *p;
    if (rc || (rc = cli_open_store(c, &s, &p)))
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    size_t n = 0;
    if (sw_traffic_export(s, &in, print_row, list, &n) != SW_OK) {
        rc = cli_store_fail(s, "export failed");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:s, s:I, s:o}", "account", in.account,
                                      "found", (json_int_t)n, "records", list));
    } else if (!n) {
        printf("no detail record of %s with identifiers for this %s\n",
               in.account, a->v[O_EMAIL] ? "e-mail address" : "number");
    }
    cli_close_store(s, p);
    return rc;
}

static int do_erase(cli *c, const cli_args *a)
{
    sw_instruction in;
    int rc = instruction_of(a, "traffic erase ", &in);
    if (!rc && !in.instruction)
        rc = cli_usage("traffic erase ",
                       "--instruction REF (the customer's instruction) is "
                       "required");
    sw_store *s;
    sw_policy *p;
    if (rc || (rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_traffic_erased r;
    if (sw_traffic_erase(s, &in, &r) != SW_OK)
        rc = cli_store_fail(s, "nothing erased");
    else if (c->json)
        rc = cli_print_json(json_pack(
            "{s:s, s:s, s:I, s:I}", "account", in.account, "instruction",
            in.instruction, "erased", (json_int_t)r.erased, "kept_under_hold",
            (json_int_t)r.kept_held));
    else
        printf("%s, instruction %s: identifiers erased from %zu record%s, %zu "
               "kept under a hold; the customer's billing part stays\n",
               in.account, in.instruction, r.erased, r.erased == 1 ? "" : "s",
               r.kept_held);
    cli_close_store(s, p);
    return rc;
}

static int do_bill(cli *c, const cli_args *a)
{
    if (!a->v[O_ACCOUNT] || !a->v[O_PERIOD] || !a->v[O_STATUS])
        return cli_usage("traffic bill ",
                         "--account, --period and --status are required");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    if (sw_traffic_bill(s, a->v[O_ACCOUNT], a->v[O_PERIOD], a->v[O_STATUS]) !=
        SW_OK)
        rc = cli_store_fail(s, "bill not recorded");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s, s:s, s:s}", "account",
                                      a->v[O_ACCOUNT], "period", a->v[O_PERIOD],
                                      "status", a->v[O_STATUS]));
    else
        printf("bill of %s for %s: %s\n", a->v[O_ACCOUNT], a->v[O_PERIOD],
               a->v[O_STATUS]);
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"ingest", do_ingest, "steward traffic ingest FILE|- [--skip-bad] [--json]",
     "Ingests detail records, NDJSON or CSV with a header (detected).\n"
     "Fields: id, account, channel, time, sender, destination (MSISDN or\n"
     "e-mail), country, imsi, imei, duration, operator, route, price,\n"
     "currency. Bad lines are reported by number and nothing is stored,\n"
     "unless --skip-bad. End users' identifiers are sealed under the key of\n"
     "their day; the rest is kept in clear.",
     OPT(O_SKIP_BAD), 1, 0},
    {"find", do_find, "steward traffic find --msisdn N | --email E [--json]",
     "Lists a person's detail records across every day whose identifiers\n"
     "are still kept. Audited as a disclosure.",
     OPT(O_MSISDN) | OPT(O_EMAIL), 0, 0},
    {"export", do_export,
     "steward traffic export --account ACC --msisdn N | --email E "
     "[--instruction REF] [--json]",
     "On a customer's instruction (steward's operator is its processor):\n"
     "the end user's detail records in that customer's traffic only, with\n"
     "their identifiers. Other customers' records are not read. Audited\n"
     "with the account and the instruction's reference.",
     OPT(O_ACCOUNT) | OPT(O_MSISDN) | OPT(O_PHONE) | OPT(O_EMAIL) |
         OPT(O_INSTRUCTION),
     0, 0},
    {"erase", do_erase,
     "steward traffic erase --account ACC --msisdn N | --email E "
     "--instruction REF [--json]",
     "On a customer's documented instruction: erases the end user's\n"
     "identifiers (destination, IMSI, IMEI) in that customer's records\n"
     "only. The customer's own part of each record (time, type, duration,\n"
     "routing, price) stays for its billing; records a legal hold keeps are\n"
     "left and counted. Audited with the instruction's reference.",
     OPT(O_ACCOUNT) | OPT(O_MSISDN) | OPT(O_PHONE) | OPT(O_EMAIL) |
         OPT(O_INSTRUCTION),
     0, 0},
    {"bill", do_bill,
     "steward traffic bill --account A --period YYYY-MM --status "
     "unpaid|disputed|settled|closed [--json]",
     "Records a bill's status. Unpaid and disputed bills keep that month's\n"
     "identifiers past their 12 months until settled or closed.",
     OPT(O_ACCOUNT) | OPT(O_PERIOD) | OPT(O_STATUS), 0, 0},
};

int cmd_traffic(int argc, char **argv, cli *c)
{
    return cli_run_family("traffic", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
