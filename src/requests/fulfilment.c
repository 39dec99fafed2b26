/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The answers to data-subject requests (notice 9 to 15): the access report
 * (Art. 15) in JSON and HTML, portability (Art. 20) in JSON and CSV, the
 * CCPA right to know, rectification (Art. 16, 19), erasure with what is
 * kept and why (Art. 17(3)), and the forwarding notice for data processed
 * for a customer (notice 2). Everything is read from the ledger and the
 * policy: an answer explains itself the way a decision does.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "disclosures/disclosures_sql.h"
#include "requests/request_int.h"
#include "steward/ident.h"
#include "steward/report.h"
#include "steward/request.h"
#include "steward/traffic.h"

static json_t *instant_json(sw_instant t)
{
    char buf[SW_INSTANT_BUFSZ];
    return json_string(sw_instant_format(t, buf));
}

/* Pretty JSON text of o (its reference taken); NULL when out of memory. */
static char *json_text(json_t *o)
{
    char *t = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return t;
}

/* Hands text (taken) to out as the answer; NULL is out of memory. */
static sw_status take_answer(sw_store *s, sw_fulfilment *out, char *text)
{
    if (!text)
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    out->answer = text;
    out->answer_len = strlen(text);
    return SW_OK;
}

static const char *def_name(const sw_def *v, size_t n, const char *id)
{
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            return v[i].name;
    return id;
}

static const char *category_name(const sw_policy *p, const char *id)
{
    const sw_category *c = sw_policy_category(p, id);
    return c && c->name ? c->name : id;
}

static const char *recipient_name(const sw_policy *p, const char *id)
{
    const sw_recipient *r = sw_policy_recipient(p, id);
    return r && r->name ? r->name : id;
}

/* What a record is processed for, on which basis, shared with whom, kept
 * how long: the Art. 15(1) and 13 information, from the policy. */
static json_t *record_info(const sw_policy *p, const sw_record_view *r)
{
    const sw_activity *a = sw_policy_activity(p, r->activity);
    json_t *purposes = json_array(), *bases = json_array(),
           *recips = json_array(), *transfers = json_array();
    for (size_t i = 0; a && i < a->purposes.n; i++)
        json_array_append_new(
            purposes,
            json_pack("{s:s, s:s}", "id", a->purposes.v[i], "name",
                      def_name(p->purposes, p->n_purposes, a->purposes.v[i])));
    for (size_t i = 0; a && i < a->n_bases; i++) {
        const char *label = sw_basis_label(a->bases[i].basis);
        json_array_append_new(
            bases, json_pack("{s:s, s:s, s:s}", "basis", a->bases[i].basis,
                             "label", label ? label : "", "when",
                             a->bases[i].when ? a->bases[i].when : ""));
    }
    for (size_t i = 0; a && i < a->recipients.n; i++)
        json_array_append_new(
            recips, json_string(recipient_name(p, a->recipients.v[i])));
    for (size_t i = 0; a && i < a->n_transfers; i++)
        json_array_append_new(
            transfers,
            json_pack("{s:s, s:s, s:s}", "to", a->transfers[i].to, "safeguard",
                      a->transfers[i].safeguard, "note",
                      a->transfers[i].note ? a->transfers[i].note : ""));
    const sw_rule *rule =
        r->due.rule[0] ? sw_policy_rule(p, r->due.rule) : NULL;
    char words[512] = "";
    if (rule)
        sw_rule_describe(p, rule, words, sizeof(words));
    json_t *retention = json_pack(
        "{s:s, s:s, s:s, s:o}", "rule", rule ? rule->id : "", "section",
        rule && rule->section ? rule->section : "", "period",
        words[0] ? words : "no rule of the policy applies yet", "due_at",
        r->due.has_due ? instant_json(r->due.due_at) : json_null());
    return json_pack(
        "{s:s, s:s, s:s, s:s%, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
        "id", r->id, "category", r->category, "category_name",
        category_name(p, r->category), "value", r->value, r->value_len,
        "activity", r->activity, "activity_name", a ? a->name : r->activity,
        "source",
        r->source[0] ? def_name(p->sources, p->n_sources, r->source)
                     : "not recorded",
        "collected_at", instant_json(r->collected_at), "purposes", purposes,
        "legal_basis", bases, "recipients", recips, "transfers", transfers,
        "retention", retention);
}

static json_t *rights_json(const sw_policy *p)
{
    json_t *rights = json_array();
    for (size_t i = 0; i < p->n_rights; i++)
        json_array_append_new(rights, json_pack("{s:s, s:s, s:s}", "name",
                                                p->rights[i].name, "article",
                                                p->rights[i].article, "how",
                                                p->rights[i].route));
    return rights;
}

static json_t *controller_json(const sw_policy *p)
{
    return json_pack("{s:s, s:s, s:s}", "name", p->controller.name, "address",
                     p->controller.address, "dpo", p->controller.dpo_email);
}

/* ---- HTML ---- */

static void esc(sw_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': sw_buf_puts(b, "&lt;"); break;
        case '>': sw_buf_puts(b, "&gt;"); break;
        case '&': sw_buf_puts(b, "&amp;"); break;
        case '"': sw_buf_puts(b, "&quot;"); break;
        case '\'': sw_buf_puts(b, "&#39;"); break;
        default: sw_buf_putn(b, s, 1);
        }
    }
}

static const char *str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* The items of a JSON array of strings, or of objects' key, joined. */
static void joined(sw_buf *b, json_t *arr, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (i)
            sw_buf_puts(b, "; ");
        esc(b, key ? str(v, key) : json_string_value(v));
    }
}

static char *access_html(json_t *r)
{
    sw_buf b;
    sw_buf_init(&b, 64u * 1024 * 1024);
    json_t *ctl = json_object_get(r, "controller");
    sw_buf_puts(&b,
                "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8"
                "\">\n<title>Your personal data</title>\n<style>body{font:16px"
                "/1.5 system-ui,sans-serif;color:#1a1a1a;max-width:72rem;"
                "margin:2rem auto;padding:0 1rem}table{border-collapse:"
                "collapse;width:100%}th,td{border:1px solid #767676;padding:"
                ".4rem;text-align:left;vertical-align:top}th{background:"
                "#f0f0f0}caption{text-align:left;font-weight:bold}</style>"
                "</head>\n<body>\n<h1>Your personal data</h1>\n<p>From ");
    esc(&b, str(ctl, "name"));
    sw_buf_puts(&b, ", ");
    esc(&b, str(ctl, "address"));
    sw_buf_puts(&b, ". Data protection officer: ");
    esc(&b, str(ctl, "dpo"));
    sw_buf_puts(&b, ".<br>Request ");
    esc(&b, str(r, "request"));
    sw_buf_puts(&b, ", prepared ");
    esc(&b, str(r, "generated_at"));
    sw_buf_puts(&b, ".</p>\n<h2>How we find you</h2>\n<ul>\n");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "identifiers"), i, v)
    {
        sw_buf_puts(&b, "<li>");
        esc(&b, str(v, "type"));
        sw_buf_puts(&b, ": ");
        esc(&b, str(v, "value"));
        sw_buf_puts(&b, "</li>\n");
    }
    sw_buf_puts(&b, "</ul>\n<h2>What we hold, why, and for how long</h2>\n"
                    "<table>\n<caption>One row per record</caption>\n<tr>"
                    "<th scope=\"col\">Data</th><th scope=\"col\">Value</th>"
                    "<th scope=\"col\">Purposes</th><th scope=\"col\">Legal "
                    "basis</th><th scope=\"col\">Recipients and transfers"
                    "</th><th scope=\"col\">Kept</th><th scope=\"col\">Source"
                    "</th></tr>\n");
    json_array_foreach(json_object_get(r, "records"), i, v)
    {
        json_t *ret = json_object_get(v, "retention");
        sw_buf_puts(&b, "<tr><td>");
        esc(&b, str(v, "category_name"));
        sw_buf_puts(&b, " <small>(");
        esc(&b, str(v, "activity_name"));
        sw_buf_puts(&b, ")</small></td><td>");
        esc(&b, str(v, "value"));
        sw_buf_puts(&b, "</td><td>");
        joined(&b, json_object_get(v, "purposes"), "name");
        sw_buf_puts(&b, "</td><td>");
        joined(&b, json_object_get(v, "legal_basis"), "label");
        sw_buf_puts(&b, "</td><td>");
        joined(&b, json_object_get(v, "recipients"), NULL);
        if (json_array_size(json_object_get(v, "transfers"))) {
            sw_buf_puts(&b, "<br>Transfers: ");
            joined(&b, json_object_get(v, "transfers"), "to");
            sw_buf_puts(&b, " (");
            joined(&b, json_object_get(v, "transfers"), "safeguard");
            sw_buf_puts(&b, ")");
        }
        sw_buf_puts(&b, "</td><td>");
        esc(&b, str(ret, "period"));
        if (json_is_string(json_object_get(ret, "due_at"))) {
            sw_buf_puts(&b, "; until ");
            esc(&b, str(ret, "due_at"));
        }
        sw_buf_puts(&b, "</td><td>");
        esc(&b, str(v, "source"));
        sw_buf_puts(&b, "</td></tr>\n");
    }
    sw_buf_puts(&b, "</table>\n");
    if (json_array_size(json_object_get(r, "consents"))) {
        sw_buf_puts(&b, "<h2>Your consents</h2>\n<table>\n<caption>Each "
                        "consent and the notice version it was given under"
                        "</caption>\n<tr><th scope=\"col\">Purpose</th>"
                        "<th scope=\"col\">State</th><th scope=\"col\">Given"
                        "</th><th scope=\"col\">Expires</th><th scope=\"col\">"
                        "How</th><th scope=\"col\">Notice version</th></tr>\n");
        json_array_foreach(json_object_get(r, "consents"), i, v)
        {
            static const char *const cols[] = {"purpose",  "state",
                                               "given_at", "expires_at",
                                               "method",   "notice_version"};
            sw_buf_puts(&b, "<tr>");
            for (size_t k = 0; k < 6; k++) {
                sw_buf_puts(&b, "<td>");
                esc(&b, str(v, cols[k]));
                sw_buf_puts(&b, "</td>");
            }
            sw_buf_puts(&b, "</tr>\n");
        }
        sw_buf_puts(&b, "</table>\n");
    }
    if (json_array_size(json_object_get(r, "disclosures"))) {
        sw_buf_puts(&b, "<h2>Disclosed to</h2>\n<table>\n<caption>Each "
                        "time your data was given to an authority, a court, "
                        "an auditor or another recipient outside the ordinary "
                        "ones</caption>\n<tr><th scope=\"col\">Recipient</th>"
                        "<th scope=\"col\">Kind</th><th scope=\"col\">Legal "
                        "basis</th><th scope=\"col\">When</th>"
                        "<th scope=\"col\">Data</th></tr>\n");
        json_array_foreach(json_object_get(r, "disclosures"), i, v)
        {
            static const char *const cols[] = {"recipient", "recipient_kind",
                                               "basis", "at"};
            sw_buf_puts(&b, "<tr>");
            for (size_t k = 0; k < 4; k++) {
                sw_buf_puts(&b, "<td>");
                esc(&b, str(v, cols[k]));
                sw_buf_puts(&b, "</td>");
            }
            sw_buf_puts(&b, "<td>");
            joined(&b, json_object_get(v, "categories"), NULL);
            sw_buf_puts(&b, "</td></tr>\n");
        }
        sw_buf_puts(&b, "</table>\n");
    }
    sw_buf_puts(&b, "<h2>Your rights</h2>\n<ul>\n");
    json_array_foreach(json_object_get(r, "rights"), i, v)
    {
        sw_buf_puts(&b, "<li>");
        esc(&b, str(v, "name"));
        sw_buf_puts(&b, " (");
        esc(&b, str(v, "article"));
        sw_buf_puts(&b, "): ");
        esc(&b, str(v, "how"));
        sw_buf_puts(&b, "</li>\n");
    }
    sw_buf_puts(&b, "</ul>\n<h2>Automated decisions</h2>\n<p>");
    esc(&b, str(r, "automated_decisions"));
    sw_buf_puts(&b, "</p>\n</body></html>\n");
    char *out = NULL;
    return sw_buf_finish(&b, &out) == SW_OK ? out : NULL;
}

/* ---- access ---- */

/* A consent as the access answer shows it (Art. 15, Art. 7(1)): which
 * notice version it was given under. */
static int consent_info(const sw_consent_view *c, void *p)
{
    json_array_append_new(
        p, json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:b}", "id", c->id,
                     "purpose", c->purpose, "state",
                     sw_consent_state_name(c->state), "given_at",
                     c->has_given ? instant_json(c->given_at) : json_null(),
                     "expires_at",
                     c->has_expiry ? instant_json(c->expires_at) : json_null(),
                     "method", c->method, "notice_version", c->notice_version,
                     "parental", c->parental));
    return 0;
}

/* The disclosures of a person's data since `since` that the person may be
 * told of; those a confidentiality order still covers are only counted
 * (and the latest of their dates kept) for the privacy team's outcome. */
typedef struct disclosed {
    sw_instant now, since;
    json_t *list;
    size_t withheld;
    sw_instant withheld_until;
} disclosed;

static int disclosed_row(const sw_disclosure_row *r, void *p)
{
    disclosed *d = p;
    if (r->at < d->since)
        return 0;
    if (r->has_confidential_until && r->confidential_until > d->now) {
        d->withheld++;
        if (r->confidential_until > d->withheld_until)
            d->withheld_until = r->confidential_until;
        return 0;
    }
    json_t *cats = json_loads(r->categories ? r->categories : "[]", 0, NULL);
    json_array_append_new(
        d->list, json_pack("{s:s, s:s, s:s, s:o, s:o}", "recipient",
                           r->recipient, "recipient_kind", r->recipient_kind,
                           "basis", r->basis, "at", instant_json(r->at),
                           "categories", cats ? cats : json_array()));
    return 0;
}

static sw_status disclosures_of(sw_store *s, const char *subject,
                                sw_instant since, disclosed *d)
{
    d->now = sw_clock_now(&s->clock);
    d->since = since;
    d->list = json_array();
    d->withheld = 0;
    d->withheld_until = 0;
    return sw_disclosures_list(s, subject, disclosed_row, d);
}

/* What the privacy team's outcome adds for disclosures held back. */
static void withheld_note(const disclosed *d, char *out, size_t n)
{
    size_t k = strlen(out);
    if (!d->withheld || k >= n)
        return;
    char until[SW_INSTANT_BUFSZ];
    snprintf(out + k, n - k,
             "; %zu disclosure%s withheld under a confidentiality order "
             "until %s",
             d->withheld, d->withheld == 1 ? "" : "s",
             sw_instant_format(d->withheld_until, until));
}

/* The systems' rows as the answer lists them: each table's rows, with
 * system, table and category (an empty list when there are none). */
static json_t *systems_json(json_t *systems)
{
    return systems ? json_incref(systems) : json_array();
}

sw_status sw_answer_access(sw_store *s, const char *subject,
                           const char *request, sw_answer_format f,
                           json_t *systems, sw_fulfilment *out)
{
    sw_subject_view *v;
    sw_status st = sw_subject_show(s, subject, &v); /* audited disclosure */
    if (st != SW_OK)
        return st;
    const sw_policy *p = s->policy;
    json_t *ids = json_array(), *recs = json_array();
    for (size_t i = 0; i < v->n_idents; i++)
        json_array_append_new(ids,
                              json_pack("{s:s, s:s}", "type", v->idents[i].type,
                                        "value", v->idents[i].value));
    for (size_t i = 0; i < v->n_records; i++)
        json_array_append_new(recs, record_info(p, &v->records[i]));
    json_t *cons = json_array();
    sw_who who = {subject, NULL};
    disclosed dis = {0, 0, NULL, 0, 0};
    if ((st = sw_consent_list(s, &who, consent_info, cons)) != SW_OK ||
        (st = disclosures_of(s, subject, INT64_MIN, &dis)) != SW_OK) {
        json_decref(ids);
        json_decref(recs);
        json_decref(cons);
        json_decref(dis.list);
        sw_subject_view_free(v);
        return st;
    }
    json_t *sys = systems_json(systems);
    size_t n_sys = 0, k;
    json_t *t;
    json_array_foreach(sys, k, t) n_sys +=
        json_array_size(json_object_get(t, "rows"));
    json_t *r = json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s}",
        "request", request, "subject", subject, "generated_at",
        instant_json(sw_clock_now(&s->clock)), "controller", controller_json(p),
        "identifiers", ids, "records", recs, "systems", sys, "consents", cons,
        "disclosures", dis.list, "rights", rights_json(p),
        "automated_decisions",
        p->automated_decisions.statement ? p->automated_decisions.statement
                                         : "",
        "complaint", "You may lodge a complaint with a supervisory authority.");
    size_t n = v->n_records;
    sw_subject_view_free(v);
    if (f == SW_ANSWER_HTML) {
        char *html = r ? access_html(r) : NULL;
        json_decref(r);
        st = take_answer(s, out, html);
    } else {
        st = take_answer(s, out, json_text(r));
    }
    if (st != SW_OK)
        return st;
    snprintf(out->outcome, sizeof(out->outcome),
             "access report with %zu record%s (%s)", n, n == 1 ? "" : "s",
             f == SW_ANSWER_HTML ? "HTML" : "JSON");
    if (n_sys) {
        size_t len = strlen(out->outcome);
        snprintf(out->outcome + len, sizeof(out->outcome) - len,
                 " and %zu row%s of the company's systems", n_sys,
                 n_sys == 1 ? "" : "s");
    }
    withheld_note(&dis, out->outcome, sizeof(out->outcome));
    return SW_OK;
}

/* ---- portability ---- */

/* Processed on consent or contract (Art. 20(1)(a)), whatever its
 * source. */
static bool portable(const sw_policy *p, const sw_record_view *r)
{
    const sw_activity *a = sw_policy_activity(p, r->activity);
    if (!a)
        return false;
    for (size_t i = 0; i < a->n_bases; i++)
        if (strcmp(a->bases[i].basis, "6(1)(a)") == 0 ||
            strcmp(a->bases[i].basis, "6(1)(b)") == 0)
            return true;
    return false;
}

/* Whether an activity's data is portable: processed on consent or
 * contract (Art. 20(1)(a)). */
static bool portable_activity(const sw_policy *p, const char *id)
{
    const sw_activity *a = sw_policy_activity(p, id);
    for (size_t i = 0; a && i < a->n_bases; i++)
        if (strcmp(a->bases[i].basis, "6(1)(a)") == 0 ||
            strcmp(a->bases[i].basis, "6(1)(b)") == 0)
            return true;
    return false;
}

/* The systems' portable rows: JSON items, or CSV lines into b. */
static size_t systems_portable(const sw_policy *p, json_t *systems,
                               json_t *items, sw_buf *b)
{
    json_t *all = systems_json(systems);
    size_t i, n = 0;
    json_t *t;
    json_array_foreach(all, i, t)
    {
        const char *act = json_string_value(json_object_get(t, "activity"));
        if (!act || !portable_activity(p, act))
            continue;
        size_t k;
        json_t *row;
        json_array_foreach(json_object_get(t, "rows"), k, row)
        {
            n++;
            if (items) {
                json_array_append_new(
                    items, json_pack("{s:O, s:O, s:s, s:O}", "system",
                                     json_object_get(t, "system"), "table",
                                     json_object_get(t, "table"), "activity",
                                     act, "row", row));
                continue;
            }
            const char *col;
            json_t *cell;
            json_object_foreach(row, col, cell)
            {
                json_t *v = json_object_get(cell, "value");
                const char *cat =
                    json_string_value(json_object_get(cell, "category"));
                if (!cat || !json_is_string(v))
                    continue;
                sw_buf_csv(b, cat);
                sw_buf_puts(b, ",");
                sw_buf_csv(b, json_string_value(v));
                sw_buf_puts(b, ",");
                sw_buf_csv(b, act);
                sw_buf_puts(b, ",\r\n");
            }
        }
    }
    json_decref(all);
    return n;
}

sw_status sw_answer_portability(sw_store *s, const char *subject,
                                sw_answer_format f, json_t *systems,
                                sw_fulfilment *out)
{
    sw_subject_view *v;
    sw_status st = sw_subject_show(s, subject, &v);
    if (st != SW_OK)
        return st;
    bool csv = f == SW_ANSWER_CSV;
    json_t *items = csv ? NULL : json_array();
    sw_buf b;
    sw_buf_init(&b, 64u * 1024 * 1024);
    if (csv)
        sw_buf_puts(&b, "category,value,activity,collected_at\r\n");
    size_t n = 0;
    for (size_t i = 0; i < v->n_records; i++) {
        const sw_record_view *r = &v->records[i];
        if (!portable(s->policy, r))
            continue;
        char at[SW_INSTANT_BUFSZ];
        sw_instant_format(r->collected_at, at);
        n++;
        if (!csv) {
            json_array_append_new(
                items, json_pack("{s:s, s:s%, s:s, s:s}", "category",
                                 r->category, "value", r->value, r->value_len,
                                 "activity", r->activity, "collected_at", at));
            continue;
        }
        sw_buf_csv(&b, r->category);
        sw_buf_puts(&b, ",");
        sw_buf_csv(&b, r->value);
        sw_buf_puts(&b, ",");
        sw_buf_csv(&b, r->activity);
        sw_buf_printf(&b, ",%s\r\n", at);
    }
    sw_subject_view_free(v);
    json_t *sys_items = csv ? NULL : json_array();
    size_t n_sys = systems_portable(s->policy, systems, sys_items, &b);
    char *text = NULL;
    if (csv)
        st = sw_buf_finish(&b, &text) == SW_OK ? take_answer(s, out, text)
                                               : take_answer(s, out, NULL);
    else
        st = take_answer(
            s, out,
            json_text(json_pack("{s:s, s:o, s:o}", "subject", subject, "data",
                                items, "systems", sys_items)));
    if (!csv)
        sw_buf_release(&b);
    if (st != SW_OK)
        return st;
    snprintf(out->outcome, sizeof(out->outcome),
             "portable data: %zu record%s on consent or contract (%s)", n,
             n == 1 ? "" : "s", csv ? "CSV" : "JSON");
    if (n_sys) {
        size_t len = strlen(out->outcome);
        snprintf(out->outcome + len, sizeof(out->outcome) - len,
                 " and %zu row%s of the company's systems", n_sys,
                 n_sys == 1 ? "" : "s");
    }
    return SW_OK;
}

/* ---- CCPA: the right to know ---- */

static void add_unique(json_t *arr, const char *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i,
                       x) if (strcmp(json_string_value(x), v) == 0) return;
    json_array_append_new(arr, json_string(v));
}

/* Adds each CCPA category that covers category (or, for a disclosed
 * prefix such as "user.telecom", that it covers) to cats once, with its
 * parties (the policy's categories of third parties, or who) merged. */
static void add_ccpa(const sw_policy *p, const char *category, bool prefix,
                     const char *who, json_t *cats)
{
    for (size_t c = 0; c < p->ccpa.n_categories; c++) {
        const sw_ccpa_category *k = &p->ccpa.categories[c];
        bool covers = false;
        for (size_t j = 0; j < k->covers.n && !covers; j++)
            covers = sw_category_covers(k->covers.v[j], category) ||
                     (prefix && sw_category_covers(category, k->covers.v[j]));
        if (!covers)
            continue;
        json_t *e = NULL, *x;
        size_t i;
        json_array_foreach(
            cats, i, x) if (strcmp(json_string_value(json_object_get(x, "id")),
                                   k->id) == 0) e = x;
        if (!e) {
            e = json_pack("{s:s, s:s, s:s, s:[]}", "id", k->id, "name", k->name,
                          "examples", k->examples ? k->examples : "",
                          "disclosed_to");
            json_array_append_new(cats, e);
        }
        json_t *to = json_object_get(e, "disclosed_to");
        if (who)
            add_unique(to, who);
        for (size_t j = 0; !who && j < k->disclosed_to.n; j++)
            add_unique(to, k->disclosed_to.v[j]);
    }
}

sw_status sw_answer_know(sw_store *s, const char *subject, sw_fulfilment *out)
{
    sw_subject_view *v;
    sw_status st = sw_subject_show(s, subject, &v);
    if (st != SW_OK)
        return st;
    const sw_policy *p = s->policy;
    sw_instant since =
        sw_instant_add(sw_clock_now(&s->clock), (sw_duration){-1, 0, 0});
    json_t *cats = json_array(), *parties = json_array();
    for (size_t i = 0; i < v->n_records; i++)
        if (v->records[i].collected_at >= since)
            add_ccpa(p, v->records[i].category, false, NULL, cats);
    sw_subject_view_free(v);
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(cats, i, x)
        json_array_foreach(json_object_get(x, "disclosed_to"), j, y)
            add_unique(parties, json_string_value(y));
    /* what the disclosure log says was actually given, and to whom */
    disclosed dis = {0, 0, NULL, 0, 0};
    if ((st = disclosures_of(s, subject, since, &dis)) != SW_OK) {
        json_decref(cats);
        json_decref(parties);
        json_decref(dis.list);
        return st;
    }
    json_t *given = json_array();
    json_array_foreach(dis.list, i, x)
    {
        const char *who =
            json_string_value(json_object_get(x, "recipient_kind"));
        json_array_foreach(json_object_get(x, "categories"), j, y)
            add_ccpa(p, json_string_value(y), true, who, given);
    }
    json_decref(dis.list);
    size_t n = json_array_size(cats), nd = json_array_size(given);
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:b, s:s}", "subject", subject, "period",
        "the preceding 12 months", "categories_collected", cats,
        "categories_disclosed", given, "third_party_categories", parties,
        "sold", p->ccpa.sells, "statement",
        p->ccpa.sells ? "Personal information is sold: see the notice."
                      : "We do not sell personal information.");
    if ((st = take_answer(s, out, json_text(o))) != SW_OK)
        return st;
    snprintf(out->outcome, sizeof(out->outcome),
             "categories collected in the preceding 12 months: %zu, "
             "disclosed: %zu; nothing sold",
             n, nd);
    withheld_note(&dis, out->outcome, sizeof(out->outcome));
    return SW_OK;
}

/* ---- rectification ---- */

sw_status sw_answer_rectify(sw_store *s, const char *subject,
                            const sw_fulfil_options *o, sw_fulfilment *out)
{
    if (!o || !o->record || !o->value)
        return sw_fail(s, SW_ERR_INVALID,
                       "a rectification names the record and its new "
                       "value");
    sw_subject_view *v;
    sw_status st = sw_subject_show(s, subject, &v);
    if (st != SW_OK)
        return st;
    const sw_activity *a = NULL;
    for (size_t i = 0; i < v->n_records && !a; i++)
        if (strcmp(v->records[i].id, o->record) == 0)
            a = sw_policy_activity(s->policy, v->records[i].activity);
    sw_subject_view_free(v);
    st = sw_record_rectify(s, subject, o->record, o->value, strlen(o->value));
    if (st != SW_OK)
        return st;
    /* Art. 19: the recipients the data was disclosed to are told. */
    json_t *tell = json_array();
    for (size_t i = 0; a && i < a->recipients.n; i++)
        json_array_append_new(
            tell, json_string(recipient_name(s->policy, a->recipients.v[i])));
    json_t *j = json_pack("{s:s, s:s, s:o}", "record", o->record, "result",
                          "corrected; the old value is kept nowhere",
                          "recipients_to_tell", tell);
    if ((st = take_answer(s, out, json_text(j))) != SW_OK)
        return st;
    snprintf(out->outcome, sizeof(out->outcome),
             "record %s corrected; %zu recipient categor%s to tell", o->record,
             a ? a->recipients.n : 0, a && a->recipients.n == 1 ? "y" : "ies");
    return SW_OK;
}

/* ---- erasure ---- */

/* Why a record must stay (Art. 17(3)), or NULL when it may go: a hold,
 * or the exemption the rule that governs its category states (an
 * invoice's legal obligation covers the invoice, not the name on the
 * account). */
static const char *why_kept(sw_store *s, const sw_record_view *r,
                            char *hold_buf, size_t n, sw_status *st)
{
    char hold[SW_ID_BUFSZ], kind[48];
    *st = sw_holds_on_record(s, r->id, hold, kind);
    if (*st == SW_OK) {
        snprintf(hold_buf, n, "legal hold %s (%s)", hold, kind);
        return hold_buf;
    }
    if (*st != SW_ERR_NOTFOUND)
        return NULL;
    *st = SW_OK;
    const sw_rule *rule =
        r->due.rule[0] ? sw_policy_rule(s->policy, r->due.rule) : NULL;
    bool pending = !r->due.has_due || r->due.due_at > sw_clock_now(&s->clock);
    if (rule && rule->exemption != SW_EXEMPT_NONE &&
        rule->keep_kind != SW_KEEP_UNSPECIFIED && pending)
        return sw_exemption_text(rule->exemption);
    return NULL;
}

typedef struct kept_group {
    char activity[96], rule[96], reason[160];
    bool has_until;
    sw_instant until;
    size_t records;
    json_t *items; /* each record kept: id, category, its due instant */
} kept_group;

sw_status sw_answer_erase(sw_store *s, const char *subject, sw_fulfilment *out,
                          bool *shredded)
{
    *shredded = false;
    sw_subject_view *v;
    sw_status st = sw_subject_show(s, subject, &v);
    if (st != SW_OK)
        return st;
    json_t *deleted = json_array();
    kept_group *kept = calloc(v->n_records ? v->n_records : 1, sizeof(*kept));
    size_t n_kept = 0, n_deleted = 0, kept_records = 0;
    if (!kept)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == SW_OK && i < v->n_records; i++) {
        const sw_record_view *r = &v->records[i];
        char buf[160];
        const char *why = why_kept(s, r, buf, sizeof(buf), &st);
        if (st != SW_OK)
            break;
        if (!why) {
            json_array_append_new(deleted,
                                  json_pack("{s:s, s:s, s:s}", "record", r->id,
                                            "activity", r->activity, "category",
                                            r->category));
            n_deleted++;
            continue;
        }
        kept_records++;
        kept_group *g = NULL;
        for (size_t k = 0; k < n_kept && !g; k++)
            if (strcmp(kept[k].activity, r->activity) == 0 &&
                strcmp(kept[k].rule, r->due.rule) == 0 &&
                strcmp(kept[k].reason, why) == 0)
                g = &kept[k];
        if (!g) {
            g = &kept[n_kept++];
            snprintf(g->activity, sizeof(g->activity), "%s", r->activity);
            snprintf(g->rule, sizeof(g->rule), "%s", r->due.rule);
            snprintf(g->reason, sizeof(g->reason), "%s", why);
            g->items = json_array();
        }
        g->records++;
        json_array_append_new(
            g->items, json_pack("{s:s, s:s, s:o}", "record", r->id, "category",
                                r->category, "due",
                                r->due.has_due ? instant_json(r->due.due_at)
                                               : json_null()));
        if (r->due.has_due && (!g->has_until || r->due.due_at > g->until)) {
            g->has_until = true;
            g->until = r->due.due_at;
        }
    }
    /* What may go goes; when nothing stays, the subject is shredded. */
    if (st == SW_OK && kept_records == 0) {
        sw_erase_result er;
        st = sw_subject_erase(s, subject, &er);
        *shredded = st == SW_OK;
    } else if (st == SW_OK) {
        size_t i;
        json_t *d;
        json_array_foreach(deleted, i, d)
        {
            st = sw_records_delete(
                s, json_string_value(json_object_get(d, "record")));
            if (st != SW_OK)
                break;
        }
        /* what is kept is only stored: restricted (Art. 18(2)) */
        if (st == SW_OK)
            st = sw_subject_restrict(s, subject, true,
                                     "erasure: kept data only stored");
    }
    json_t *kj = json_array();
    for (size_t k = 0; k < n_kept; k++) {
        const sw_rule *rule =
            kept[k].rule[0] ? sw_policy_rule(s->policy, kept[k].rule) : NULL;
        char words[512] = "";
        if (rule)
            sw_rule_describe(s->policy, rule, words, sizeof(words));
        bool held = strncmp(kept[k].reason, "legal hold", 10) == 0;
        json_array_append_new(
            kj, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}",
                          "activity", kept[k].activity, "rule", kept[k].rule,
                          "section", rule && rule->section ? rule->section : "",
                          "reason", kept[k].reason, "period", words, "records",
                          (json_int_t)kept[k].records, "until",
                          held ? json_string("the hold is released")
                          : kept[k].has_until ? instant_json(kept[k].until)
                                              : json_string(words),
                          "items", kept[k].items));
        kept[k].items = NULL;
    }
    for (size_t k = 0; k < n_kept; k++)
        json_decref(kept[k].items);
    free(kept);
    sw_subject_view_free(v);
    if (st != SW_OK) {
        json_decref(deleted);
        json_decref(kj);
        return st;
    }
    json_t *o = json_pack(
        "{s:s, s:b, s:o, s:o, s:s}", "subject", subject, "crypto_shredded",
        *shredded, "deleted", deleted, "kept", kj, "suppression",
        "addresses on the suppression list stay there as keyed hashes, so "
        "that no marketing reaches them again");
    if ((st = take_answer(s, out, json_text(o))) != SW_OK)
        return st;
    snprintf(out->outcome, sizeof(out->outcome),
             "erased: %zu record%s deleted, %zu kept in %zu group%s%s",
             n_deleted, n_deleted == 1 ? "" : "s", kept_records, n_kept,
             n_kept == 1 ? "" : "s",
             *shredded ? "; the subject's key is destroyed" : "");
    return SW_OK;
}

/* ---- a processor's request: forwarded ---- */

/* The customers of one person: account -> the ids of that customer's
 * detail records that reached the person (at most 64 kept per customer,
 * all counted). */
#define FORWARD_MAX_CUSTOMERS 64
#define FORWARD_MAX_IDS 64

static json_t *customer_slot(json_t *by, const char *account)
{
    json_t *c = json_object_get(by, account);
    if (!c && json_object_size(by) < FORWARD_MAX_CUSTOMERS) {
        c = json_pack("{s:I, s:[]}", "count", (json_int_t)0, "ids");
        json_object_set_new(by, account, c);
    }
    return c;
}

static int traffic_account(const sw_traffic_row *r, void *ctx)
{
    json_t *c = r->account[0] ? customer_slot(ctx, r->account) : NULL;
    if (c) {
        json_t *n = json_object_get(c, "count");
        json_integer_set(n, json_integer_value(n) + 1);
        json_t *ids = json_object_get(c, "ids");
        if (json_array_size(ids) < FORWARD_MAX_IDS)
            json_array_append_new(ids, json_string(r->id));
    }
    return 0;
}

/* The customers a request goes to: the subject's account, and those whose
 * traffic reached one of its phone numbers or e-mail addresses (looked up
 * as traffic find does, audited as a disclosure). */
static sw_status customers_of(sw_store *s, const sw_subject_view *v, json_t *by)
{
    if (v->account && v->account[0])
        customer_slot(by, v->account);
    for (size_t i = 0; i < v->n_idents; i++) {
        const char *t = v->idents[i].type;
        sw_status st;
        if ((strcmp(t, "email") == 0 ||
             strcmp(sw_ident_space(t), "phone") == 0) &&
            (st = sw_traffic_find(s, t, v->idents[i].value, traffic_account, by,
                                  NULL)) != SW_OK)
            return st;
    }
    return SW_OK;
}

/* Notice section 2: for a processor's request each customer (the
 * controller) gets a notice of its own that names only its records: no
 * customer learns which others reached the person. The requester is told
 * whom to turn to. */
sw_status sw_answer_forward(sw_store *s, const char *subject,
                            const char *request, const char *type,
                            sw_fulfilment *out)
{
    sw_subject_view *v;
    sw_status st = sw_subject_show(s, subject, &v);
    if (st != SW_OK)
        return st;
    json_t *by = json_object();
    st = customers_of(s, v, by);
    sw_subject_view_free(v);
    if (st != SW_OK) {
        json_decref(by);
        return st;
    }
    json_t *notices = json_array(), *names = json_array();
    char list[512] = "";
    const char *account;
    json_t *c;
    json_object_foreach(by, account, c)
    {
        json_int_t n = json_integer_value(json_object_get(c, "count"));
        char notice[768], where[96] = "";
        if (n)
            snprintf(where, sizeof(where),
                     ", reached by %lld detail record%s of your traffic",
                     (long long)n, n == 1 ? "" : "s");
        snprintf(notice, sizeof(notice),
                 "To %s: we received a %s request (%s) from a person whose "
                 "data we process on your behalf and instructions%s. You are "
                 "the controller of this data: please answer the request; "
                 "we will assist you as our agreement provides and carry out "
                 "your instructions about it.",
                 account, type, request, where);
        json_array_append_new(
            notices, json_pack("{s:s, s:I, s:O, s:s}", "customer", account,
                               "traffic_records", n, "record_ids",
                               json_object_get(c, "ids"), "notice", notice));
        json_array_append_new(names, json_string(account));
        size_t k = strlen(list);
        snprintf(list + k, sizeof(list) - k, "%s%s", k ? ", " : "", account);
    }
    json_decref(by);
    if (!list[0])
        snprintf(list, sizeof(list), "the customer");
    char reply[768];
    snprintf(reply, sizeof(reply),
             "We process your data only on behalf of %s, which decide%s why "
             "and how it is processed. We have forwarded your request to %s; "
             "please also contact %s directly.",
             list, json_array_size(names) > 1 ? "" : "s",
             json_array_size(names) > 1 ? "each of them" : "it",
             json_array_size(names) > 1 ? "them" : "it");
    json_t *o =
        json_pack("{s:s, s:o, s:o, s:s}", "request", request, "customers",
                  names, "notices", notices, "reply_to_requester", reply);
    if ((st = take_answer(s, out, json_text(o))) != SW_OK)
        return st;
    snprintf(out->outcome, sizeof(out->outcome),
             "forwarded to %s, the controller%s (steward's operator is the "
             "processor), one notice each; the requester was told to "
             "contact %s",
             list, json_array_size(notices) > 1 ? "s" : "",
             json_array_size(notices) > 1 ? "them" : "it");
    return SW_OK;
}

/* ---- children ---- */

sw_status sw_subject_child(sw_store *s, const char *subject,
                           sw_erase_result *out)
{
    bool own = false;
    sw_status st = sw_op_begin(s, &own);
    if (st != SW_OK)
        return st;
    st = sw_audit_json(s, "subject.child", subject, json_pack("[s]", subject),
                       json_pack("{s:i, s:s}", "min_age",
                                 s->policy && s->policy->children.min_age
                                     ? s->policy->children.min_age
                                     : 16,
                                 "section",
                                 s->policy && s->policy->children.section
                                     ? s->policy->children.section
                                     : ""));
    if (st == SW_OK)
        st = sw_subject_erase(s, subject, out);
    st = sw_op_end(s, own, st);
    if (st == SW_OK)
        st = sw_store_checkpoint(s, "erased, but the journal was not "
                                    "checkpointed");
    return st;
}
