/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy reports: the retention schedule and the Art. 30(1) register, in
 * Markdown, JSON and CSV. Both are built as one JSON model first; Markdown
 * and CSV are renderings of it, so the three formats cannot disagree.
 */
#include "steward/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define REPORT_MAX (64u * 1024 * 1024)
#define NOT_STATED "not stated by the notice"

sw_status sw_format_parse(const char *s, sw_format *out)
{
    static const char *const names[] = {"md", "json", "csv"};
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (sw_format)i;
            return SW_OK;
        }
    return SW_ERR_INVALID;
}

static const char *trigger_name(const sw_policy *p, const char *id)
{
    const sw_trigger *t = id ? sw_policy_trigger(p, id) : NULL;
    return t ? t->name : id;
}

static int unit_text(char *buf, size_t n, int32_t v, const char *unit)
{
    return snprintf(buf, n, "%d %s%s", (int)v, unit, v == 1 ? "" : "s");
}

/* "7 years 6 months", "30 days" ("" for zero) into keep (n bytes). */
static void duration_words(sw_duration d, char *keep, size_t n)
{
    size_t k = 0;
    keep[0] = '\0';
    if (d.years)
        k += (size_t)unit_text(keep + k, n - k, d.years, "year");
    if (d.months && k + 1 < n) {
        if (k)
            keep[k++] = ' ';
        k += (size_t)unit_text(keep + k, n - k, d.months, "month");
    }
    if (d.days && k + 1 < n) {
        if (k)
            keep[k++] = ' ';
        unit_text(keep + k, n - k, d.days, "day");
    }
}

char *sw_rule_describe(const sw_policy *p, const sw_rule *r, char *buf,
                       size_t n)
{
    if (r->keep_kind != SW_KEEP_PERIOD) {
        snprintf(buf, n, "%s: %s",
                 r->keep_kind == SW_KEEP_PER_LAW
                     ? "as long as legislation requires (period " NOT_STATED ")"
                     : NOT_STATED,
                 r->reason);
        return buf;
    }
    char keep[64];
    const sw_duration d = r->keep;
    duration_words(d, keep, sizeof(keep));
    static const char *const round_words[] = {"", "the end of the day of ",
                                              "the end of the month of ",
                                              "the end of the year of "};
    const char *tn = trigger_name(p, r->after);
    int k2 = sw_duration_is_zero(d)
                 ? snprintf(buf, n, "on %s%s", round_words[r->round], tn)
                 : snprintf(buf, n, "%s after %s%s", keep,
                            round_words[r->round], tn);
    for (size_t i = 0; i < r->unless.n && k2 > 0 && (size_t)k2 < n; i++)
        k2 +=
            snprintf(buf + k2, n - (size_t)k2, "%s%s", i ? " or " : ", unless ",
                     trigger_name(p, r->unless.v[i]));
    return buf;
}

/* ---- JSON models ---- */

static json_t *strs(const sw_strs *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(a, json_string(v->v[i]));
    return a;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *rule_json(const sw_policy *p, const sw_rule *r)
{
    char keep[SW_DURATION_BUFSZ], words[512];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "activity", json_string(r->activity->id));
    json_object_set_new(o, "section", json_string(r->section));
    json_object_set_new(o, "categories", strs(&r->categories));
    json_object_set_new(o, "subjects", strs(&r->subjects));
    json_object_set_new(o, "keep", json_string(sw_rule_keep_text(r, keep)));
    json_object_set_new(o, "after", str_or_null(r->after));
    json_object_set_new(o, "round", json_string(sw_round_name(r->round)));
    json_object_set_new(o, "unless", strs(&r->unless));
    json_object_set_new(o, "action", json_string(sw_action_name(r->action)));
    json_object_set_new(o, "erasure_exemption",
                        str_or_null(sw_exemption_name(r->exemption)));
    json_object_set_new(o, "reason", str_or_null(r->reason));
    json_t *ext = json_array();
    for (size_t i = 0; i < r->n_extensions; i++) {
        json_array_append_new(
            ext,
            json_pack("{s:s, s:s, s:s}", "country", r->extensions[i].country,
                      "keep", sw_duration_format(r->extensions[i].keep, keep),
                      "reason", r->extensions[i].reason));
    }
    json_object_set_new(o, "extensions", ext);
    json_object_set_new(o, "holds", strs(&r->activity->holds));
    json_object_set_new(
        o, "period", json_string(sw_rule_describe(p, r, words, sizeof(words))));
    return o;
}

static json_t *schedule_json(const sw_policy *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sw_policy_rule_count(p); i++)
        json_array_append_new(a, rule_json(p, sw_policy_rule_at(p, i)));
    return a;
}

/* id + name pairs of the definitions an activity refers to. */
static json_t *named(const sw_strs *ids,
                     const char *(*name)(const sw_policy *, const char *),
                     const sw_policy *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ids->n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s}", "id", ids->v[i],
                                           "name", name(p, ids->v[i])));
    return a;
}

static const char *def_name(const sw_def *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            return v[i].name;
    return id;
}
static const char *subject_name(const sw_policy *p, const char *id)
{
    for (size_t i = 0; i < p->n_subjects; i++)
        if (strcmp(p->subjects[i].id, id) == 0)
            return p->subjects[i].name;
    return id;
}
static const char *purpose_name(const sw_policy *p, const char *id)
{
    return def_name(p->purposes, p->n_purposes, id);
}
static const char *source_name(const sw_policy *p, const char *id)
{
    return def_name(p->sources, p->n_sources, id);
}
static const char *recipient_name(const sw_policy *p, const char *id)
{
    const sw_recipient *r = sw_policy_recipient(p, id);
    return r ? r->name : id;
}

static json_t *activity_ropa(const sw_policy *p, const sw_activity *a)
{
    char words[512], keep[SW_DURATION_BUFSZ];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "name", json_string(a->name));
    json_object_set_new(o, "section", json_string(a->section));
    json_object_set_new(o, "role", json_string(sw_role_name(a->role)));
    json_object_set_new(o, "purposes", named(&a->purposes, purpose_name, p));
    json_t *bases = json_array();
    for (size_t i = 0; i < a->n_bases; i++)
        json_array_append_new(
            bases, json_pack("{s:s, s:s, s:o}", "basis", a->bases[i].basis,
                             "label", sw_basis_label(a->bases[i].basis), "when",
                             str_or_null(a->bases[i].when)));
    json_object_set_new(o, "legal_basis", bases);
    json_object_set_new(o, "special_condition",
                        a->special_condition
                            ? json_string(sw_basis_label(a->special_condition))
                            : json_null());
    if (a->criminal_authority) {
        char law[600];
        snprintf(law, sizeof(law), "%s%s%s%s",
                 sw_criminal_label(a->criminal_authority),
                 a->criminal_law ? " (" : "",
                 a->criminal_law ? a->criminal_law : "",
                 a->criminal_law ? ")" : "");
        json_object_set_new(o, "criminal_condition", json_string(law));
    } else {
        json_object_set_new(o, "criminal_condition", json_null());
    }
    json_object_set_new(o, "data_subjects",
                        named(&a->subjects, subject_name, p));
    json_t *cats = json_array();
    for (size_t i = 0; i < a->categories.n; i++) {
        const sw_category *c = sw_policy_category(p, a->categories.v[i]);
        json_array_append_new(cats,
                              json_pack("{s:s, s:s, s:b, s:b}", "id", c->id,
                                        "name", c->name, "special", c->special,
                                        "criminal", c->criminal));
    }
    json_object_set_new(o, "data_categories", cats);
    json_object_set_new(o, "sources", named(&a->sources, source_name, p));
    json_object_set_new(o, "recipients",
                        named(&a->recipients, recipient_name, p));
    json_t *tr = json_array();
    for (size_t i = 0; i < a->n_transfers; i++)
        json_array_append_new(tr, json_pack("{s:s, s:s, s:o}", "to",
                                            a->transfers[i].to, "safeguard",
                                            a->transfers[i].safeguard, "note",
                                            str_or_null(a->transfers[i].note)));
    json_object_set_new(o, "transfers", tr);
    json_t *lim = json_array();
    for (size_t i = 0; i < a->n_rules; i++) {
        const sw_rule *r = &a->rules[i];
        json_array_append_new(
            lim,
            json_pack("{s:s, s:o, s:s, s:s}", "rule", r->id, "categories",
                      strs(&r->categories), "keep", sw_rule_keep_text(r, keep),
                      "period", sw_rule_describe(p, r, words, sizeof(words))));
    }
    json_object_set_new(o, "erasure_time_limits", lim);
    json_object_set_new(o, "withdrawal", str_or_null(a->withdrawal));
    json_object_set_new(o, "objection", str_or_null(a->objection));
    json_object_set_new(o, "security_measures", strs(&p->security_measures));
    /* where its data is stored: steward's own store, and each of the
     * company's systems with a dataset of the activity */
    json_t *where = json_array();
    json_array_append_new(where,
                          json_pack("{s:s, s:s, s:[]}", "system", "steward",
                                    "name", "steward's store", "tables"));
    for (size_t i = 0; i < p->n_systems; i++) {
        const sw_system *s = &p->systems[i];
        json_t *tables = json_array();
        for (size_t j = 0; j < s->n_datasets; j++)
            if (s->datasets[j].activity &&
                strcmp(s->datasets[j].activity, a->id) == 0)
                json_array_append_new(tables,
                                      json_string(s->datasets[j].table));
        if (json_array_size(tables))
            json_array_append_new(where,
                                  json_pack("{s:s, s:s, s:o}", "system", s->id,
                                            "name", s->name, "tables", tables));
        else
            json_decref(tables);
    }
    json_object_set_new(o, "stored_in", where);
    return o;
}

static json_t *ropa_json(const sw_policy *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "controller",
                        json_pack("{s:s, s:s, s:o}", "name", p->controller.name,
                                  "address", p->controller.address, "contact",
                                  str_or_null(p->controller.contact)));
    json_object_set_new(o, "dpo",
                        json_pack("{s:s, s:o}", "email",
                                  p->controller.dpo_email, "address",
                                  str_or_null(p->controller.dpo_address)));
    json_object_set_new(o, "notice_version", json_string(p->notice.version));
    json_object_set_new(o, "security_measures", strs(&p->security_measures));
    json_t *acts = json_array();
    for (size_t i = 0; i < p->n_activities; i++)
        json_array_append_new(acts, activity_ropa(p, &p->activities[i]));
    json_object_set_new(o, "activities", acts);
    return o;
}

/* ---- renderings ---- */

static sw_status dump_json(json_t *o, char **out)
{
    *out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return *out ? SW_OK : SW_ERR_NOMEM;
}

/* Joins the strings of a JSON array (or the "name" of its objects, with the
 * id in brackets when with_id) with sep. */
static void join(sw_buf *b, json_t *arr, const char *sep, bool with_id,
                 void (*put)(sw_buf *, const char *))
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (i)
            sw_buf_puts(b, sep);
        if (json_is_string(v)) {
            put(b, json_string_value(v));
        } else {
            put(b, json_string_value(json_object_get(v, "name")));
            if (with_id) {
                sw_buf_puts(b, " (");
                put(b, json_string_value(json_object_get(v, "id")));
                sw_buf_puts(b, ")");
            }
        }
    }
}

static void put_plain(sw_buf *b, const char *s)
{
    sw_buf_puts(b, s ? s : "");
}

static const char *const schedule_cols[] = {
    "id",    "activity", "section", "categories", "subjects", "keep", "after",
    "round", "unless",   "action",  "holds",      "period",   NULL};

static void schedule_cell(sw_buf *b, json_t *rule, const char *col,
                          const char *sep, void (*put)(sw_buf *, const char *))
{
    json_t *v = json_object_get(rule, col);
    if (json_is_array(v))
        join(b, v, sep, false, put);
    else if (json_is_string(v))
        put(b, json_string_value(v));
}

static void render_kept_md(sw_buf *b, const sw_policy *p);

static void render_schedule_md(sw_buf *b, const sw_policy *p, json_t *rules)
{
    sw_buf_printf(b,
                  "# Retention schedule\n\nPolicy: %s, notice version %s. "
                  "One row per rule; periods count from the trigger (after "
                  "rounding).\n\n",
                  p->controller.name, p->notice.version);
    for (int i = 0; schedule_cols[i]; i++)
        sw_buf_printf(b, "| %s ", schedule_cols[i]);
    sw_buf_puts(b, "|\n");
    for (int i = 0; schedule_cols[i]; i++)
        sw_buf_puts(b, "| --- ");
    sw_buf_puts(b, "|\n");
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        for (int c = 0; schedule_cols[c]; c++) {
            sw_buf_puts(b, "| ");
            schedule_cell(b, r, schedule_cols[c], ", ", sw_buf_md);
            sw_buf_puts(b, " ");
        }
        sw_buf_puts(b, "|\n");
    }
    render_kept_md(b, p);
}

/* A period of the policy in words, or what happens without it. */
static const char *period_or(sw_duration d, const char *none, char *buf,
                             size_t n)
{
    if (sw_duration_is_zero(d))
        return none;
    duration_words(d, buf, n);
    return buf;
}

/* A rule's period in words, or none when there is no such rule. */
static const char *rule_words(const sw_policy *p, const sw_rule *r,
                              const char *none, char *buf, size_t n)
{
    return r ? sw_rule_describe(p, r, buf, n) : none;
}

/* Everything else a store holds, beside the records the rules above
 * date: until when, and by which part of the policy. */
static void render_kept_md(sw_buf *b, const sw_policy *p)
{
    static const char *const kept = "none stated: kept";
    char orphan[64], hold[64], link[64], req[512], ids[512], recs[512];
    const char *o_p =
        period_or(p->ledger.orphan_subject, kept, orphan, sizeof(orphan));
    const char *h_p =
        period_or(p->ledger.released_hold, kept, hold, sizeof(hold));
    const char *l_p =
        period_or(p->consent.confirmation_valid, "", link, sizeof(link));
    const char *q_p = rule_words(p, sw_policy_period_after(p, "request_closed"),
                                 kept, req, sizeof(req));
    const sw_rule *ir = p->traffic.identifiers_rule
                            ? sw_policy_rule(p, p->traffic.identifiers_rule)
                            : NULL;
    const sw_rule *rr = p->traffic.records_rule
                            ? sw_policy_rule(p, p->traffic.records_rule)
                            : NULL;
    const char *i_p = rule_words(p, ir, "no rule: kept", ids, sizeof(ids));
    const char *r_p = rule_words(p, rr, "no rule: kept", recs, sizeof(recs));
    const char *rows[][4] = {
        {"A subject and its identifiers",
         "while a record, a consent given or renewed, a confirmation link "
         "still valid, a request or a hold keeps it; then at the next sweep "
         "(one that never held anything: the period after it was created)",
         "ledger.orphan_subject", o_p},
        {"A record",
         "its rule's due date (the table above); one whose "
         "trigger has not happened waits for it; a hold keeps "
         "it until released",
         "its rule", ""},
        {"A consent given for a period",
         "until the period ends (then expired: the data it kept falls due)",
         "the consent's period, or its activity's consent_period", ""},
        {"A consent given without a period", "until it is withdrawn",
         "the consent", ""},
        {"A confirmation link (double opt-in)",
         "until it expires; unconfirmed, the consent, its history and the "
         "address go with it",
         "consent.confirmation_valid", l_p},
        {"A consent asked for, past consents (withdrawn, expired, refused), "
         "their history, objections",
         "as long as their subject", "the subject", ""},
        {"A request and its history",
         "open: until answered (one never verified: closed at its deadline); "
         "closed: as the rule after request_closed says",
         "the rule after request_closed", q_p},
        {"Verification codes, the privacy centre's tickets and limits",
         "until each one's expiry; then the next sweep", "their expiry", ""},
        {"Traffic: the end users' identifiers (a key per day)",
         "the day key is destroyed when due", "traffic.identifiers_rule", i_p},
        {"Traffic: the customer's part",
         "deleted when due; a month's table "
         "is dropped once empty",
         "traffic.records_rule", r_p},
        {"A bill's status",
         "unpaid or disputed: until settled (it keeps its period's traffic); "
         "settled: until its period's traffic is past",
         "traffic.records_rule", r_p},
        {"A legal hold", "until released; then the period after its release",
         "ledger.released_hold", h_p},
        {"An event on an account, a tenant or an event entity (a webinar)",
         "while a subject is in its account, or a record of its event is "
         "left; then the period after it was recorded",
         "ledger.orphan_subject", o_p},
        {"A suppression list entry",
         "a keyed hash, never the address: as "
         "the suppression activity's rules say",
         "consent.suppression_activity", ""},
        {"The audit trail", "ids, actions and counts, no personal value: kept",
         "-", ""},
        {"Aggregates", "counts per rule and month, no one's data: kept", "-",
         ""},
    };
    sw_buf_puts(b, "\n## What steward keeps, and until when\n\n"
                   "Beside the records the rules above date, a store holds "
                   "these; `steward retention audit` checks each item of "
                   "a store against them.\n\n"
                   "| what | kept until | by | period |\n"
                   "| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *by = rows[i][2], *period = rows[i][3];
        sw_buf_puts(b, "| ");
        sw_buf_md(b, rows[i][0]);
        sw_buf_puts(b, " | ");
        sw_buf_md(b, rows[i][1]);
        sw_buf_puts(b, " | ");
        sw_buf_md(b, by);
        sw_buf_puts(b, " | ");
        sw_buf_md(b, period);
        sw_buf_puts(b, " |\n");
    }
    char life[SW_DURATION_BUFSZ];
    sw_duration d = p->consent.confirmation_valid;
    if (sw_duration_is_zero(d))
        d.days = 7;
    sw_buf_puts(b, "\nOutside the store, stewardd's outbox file (`--outbox`) "
                   "holds the messages it would have the platform send "
                   "(addresses, codes, links); each sweep of stewardd "
                   "removes those older than a confirmation link lives (");
    sw_buf_puts(b, sw_duration_format(d, life));
    sw_buf_puts(b, ", consent.confirmation_valid).\n");
}

static void render_schedule_csv(sw_buf *b, json_t *rules)
{
    for (int i = 0; schedule_cols[i]; i++)
        sw_buf_printf(b, "%s%s", i ? "," : "", schedule_cols[i]);
    sw_buf_puts(b, "\r\n");
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        for (int c = 0; schedule_cols[c]; c++) {
            sw_buf cell;
            char *text;
            sw_buf_init(&cell, REPORT_MAX);
            schedule_cell(&cell, r, schedule_cols[c], "; ", put_plain);
            if (c)
                sw_buf_puts(b, ",");
            if (sw_buf_finish(&cell, &text) == SW_OK) {
                sw_buf_csv(b, text);
                free(text);
            } else {
                b->failed = true;
            }
        }
        sw_buf_puts(b, "\r\n");
    }
}

sw_status sw_report_schedule(const sw_policy *p, sw_format f, char **out)
{
    *out = NULL;
    json_t *rules = schedule_json(p);
    if (!rules)
        return SW_ERR_NOMEM;
    if (f == SW_FORMAT_JSON)
        return dump_json(rules, out);
    sw_buf b;
    sw_buf_init(&b, REPORT_MAX);
    if (f == SW_FORMAT_CSV)
        render_schedule_csv(&b, rules);
    else
        render_schedule_md(&b, p, rules);
    json_decref(rules);
    return sw_buf_finish(&b, out);
}

/* The register's rows: a label and a function that writes the cell. */
typedef void (*ropa_cell)(sw_buf *b, json_t *act, const char *sep,
                          void (*put)(sw_buf *, const char *));

static void cell_list(sw_buf *b, json_t *v, const char *sep,
                      void (*put)(sw_buf *, const char *), bool with_id)
{
    if (!json_array_size(v))
        put(b, "Not stated by the notice");
    else
        join(b, v, sep, with_id, put);
}

static void c_purposes(sw_buf *b, json_t *a, const char *sep,
                       void (*put)(sw_buf *, const char *))
{
    cell_list(b, json_object_get(a, "purposes"), sep, put, true);
}
static void c_bases(sw_buf *b, json_t *a, const char *sep,
                    void (*put)(sw_buf *, const char *))
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(a, "legal_basis"), i, v)
    {
        if (i)
            sw_buf_puts(b, sep);
        put(b, json_string_value(json_object_get(v, "label")));
        const char *when = json_string_value(json_object_get(v, "when"));
        if (when) {
            sw_buf_puts(b, " (");
            put(b, when);
            sw_buf_puts(b, ")");
        }
    }
    const char *sc = json_string_value(json_object_get(a, "special_condition"));
    if (sc) {
        sw_buf_puts(b, sep);
        put(b, "special categories: ");
        put(b, sc);
    }
    const char *cc =
        json_string_value(json_object_get(a, "criminal_condition"));
    if (cc) {
        sw_buf_puts(b, sep);
        put(b, "criminal convictions: ");
        put(b, cc);
    }
}
static void c_subjects(sw_buf *b, json_t *a, const char *sep,
                       void (*put)(sw_buf *, const char *))
{
    cell_list(b, json_object_get(a, "data_subjects"), sep, put, true);
}
static void c_categories(sw_buf *b, json_t *a, const char *sep,
                         void (*put)(sw_buf *, const char *))
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(a, "data_categories"), i, v)
    {
        if (i)
            sw_buf_puts(b, sep);
        put(b, json_string_value(json_object_get(v, "name")));
        sw_buf_puts(b, " (");
        put(b, json_string_value(json_object_get(v, "id")));
        if (json_is_true(json_object_get(v, "special")))
            put(b, ", special category");
        sw_buf_puts(b, ")");
    }
}
static void c_sources(sw_buf *b, json_t *a, const char *sep,
                      void (*put)(sw_buf *, const char *))
{
    cell_list(b, json_object_get(a, "sources"), sep, put, false);
}
static void c_recipients(sw_buf *b, json_t *a, const char *sep,
                         void (*put)(sw_buf *, const char *))
{
    cell_list(b, json_object_get(a, "recipients"), sep, put, false);
}
static void c_transfers(sw_buf *b, json_t *a, const char *sep,
                        void (*put)(sw_buf *, const char *))
{
    json_t *tr = json_object_get(a, "transfers");
    if (!json_array_size(tr)) {
        put(b, "None stated by the notice");
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(tr, i, v)
    {
        if (i)
            sw_buf_puts(b, sep);
        put(b, json_string_value(json_object_get(v, "to")));
        sw_buf_puts(b, ": ");
        put(b, json_string_value(json_object_get(v, "safeguard")));
        const char *note = json_string_value(json_object_get(v, "note"));
        if (note) {
            sw_buf_puts(b, " (");
            put(b, note);
            sw_buf_puts(b, ")");
        }
    }
}
static void c_limits(sw_buf *b, json_t *a, const char *sep,
                     void (*put)(sw_buf *, const char *))
{
    json_t *lim = json_object_get(a, "erasure_time_limits");
    if (!json_array_size(lim)) {
        put(b, "Not stated by the notice");
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(lim, i, v)
    {
        if (i)
            sw_buf_puts(b, sep);
        join(b, json_object_get(v, "categories"), ", ", false, put);
        sw_buf_puts(b, ": ");
        put(b, json_string_value(json_object_get(v, "period")));
        sw_buf_puts(b, " [");
        put(b, json_string_value(json_object_get(v, "rule")));
        sw_buf_puts(b, "]");
    }
}
static void c_role(sw_buf *b, json_t *a, const char *sep,
                   void (*put)(sw_buf *, const char *))
{
    (void)sep;
    const char *role = json_string_value(json_object_get(a, "role"));
    put(b, strcmp(role, "processor") == 0
               ? "processor on behalf of the customer (Art. 30(2) record; "
                 "the customer is the controller)"
               : "controller (Art. 30(1) record)");
}
static void c_rights(sw_buf *b, json_t *a, const char *sep,
                     void (*put)(sw_buf *, const char *))
{
    const char *w = json_string_value(json_object_get(a, "withdrawal"));
    const char *o = json_string_value(json_object_get(a, "objection"));
    if (w) {
        put(b, "withdraw consent: ");
        put(b, w);
    }
    if (w && o)
        sw_buf_puts(b, sep);
    if (o) {
        put(b, "object: ");
        put(b, o);
    }
    if (!w && !o)
        put(b, "Not stated by the notice");
}
static void c_security(sw_buf *b, json_t *a, const char *sep,
                       void (*put)(sw_buf *, const char *))
{
    cell_list(b, json_object_get(a, "security_measures"), sep, put, false);
}

static void c_stored(sw_buf *b, json_t *a, const char *sep,
                     void (*put)(sw_buf *, const char *))
{
    size_t i, j;
    json_t *v, *tb;
    json_array_foreach(json_object_get(a, "stored_in"), i, v)
    {
        if (i)
            sw_buf_puts(b, sep);
        put(b, json_string_value(json_object_get(v, "name")));
        json_t *tables = json_object_get(v, "tables");
        json_array_foreach(tables, j, tb)
        {
            sw_buf_puts(b, j ? ", " : " (tables: ");
            put(b, json_string_value(tb));
        }
        if (json_array_size(tables))
            sw_buf_puts(b, ")");
    }
}

static const struct {
    const char *label;
    ropa_cell cell;
} ropa_rows[] = {
    {"Role", c_role},
    {"Purposes (Art. 30(1)(b))", c_purposes},
    {"Legal basis (Art. 6, Art. 9)", c_bases},
    {"Categories of data subjects (Art. 30(1)(c))", c_subjects},
    {"Categories of personal data (Art. 30(1)(c))", c_categories},
    {"Sources", c_sources},
    {"Categories of recipients (Art. 30(1)(d))", c_recipients},
    {"Transfers to third countries and safeguards (Art. 30(1)(e))",
     c_transfers},
    {"Time limits for erasure (Art. 30(1)(f))", c_limits},
    {"Withdrawal and objection", c_rights},
    {"Where the data is stored (systems)", c_stored},
    {"Security measures (Art. 30(1)(g))", c_security},
};
#define N_ROPA_ROWS (sizeof(ropa_rows) / sizeof(ropa_rows[0]))

static void render_ropa_md(sw_buf *b, const sw_policy *p, json_t *r)
{
    sw_buf_puts(b, "# Record of processing activities (GDPR Art. 30)\n\n");
    sw_buf_printf(b, "- Controller (Art. 30(1)(a)): %s, %s\n",
                  p->controller.name, p->controller.address);
    if (p->controller.contact)
        sw_buf_printf(b, "- Controller contact: %s\n", p->controller.contact);
    sw_buf_printf(b, "- Data protection officer: %s%s%s\n",
                  p->controller.dpo_email,
                  p->controller.dpo_address ? ", " : "",
                  p->controller.dpo_address ? p->controller.dpo_address : "");
    sw_buf_printf(b, "- Privacy notice version: %s\n", p->notice.version);
    sw_buf_printf(b, "- Activities: %zu\n\n", p->n_activities);
    sw_buf_puts(b, "## General description of security measures "
                   "(Art. 30(1)(g), Art. 32(1))\n\n");
    for (size_t i = 0; i < p->security_measures.n; i++)
        sw_buf_printf(b, "- %s\n", p->security_measures.v[i]);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r, "activities"), i, a)
    {
        sw_buf_printf(b, "\n## %zu. %s (notice %s, `%s`)\n\n", i + 1,
                      json_string_value(json_object_get(a, "name")),
                      json_string_value(json_object_get(a, "section")),
                      json_string_value(json_object_get(a, "id")));
        sw_buf_puts(b, "| Field | Entry |\n| --- | --- |\n");
        for (size_t k = 0; k < N_ROPA_ROWS; k++) {
            if (ropa_rows[k].cell == c_security)
                continue; /* stated once above for the whole register */
            sw_buf_printf(b, "| %s | ", ropa_rows[k].label);
            ropa_rows[k].cell(b, a, "; ", sw_buf_md);
            sw_buf_puts(b, " |\n");
        }
    }
}

static void render_ropa_csv(sw_buf *b, json_t *r)
{
    sw_buf_puts(b, "id,name,section");
    for (size_t k = 0; k < N_ROPA_ROWS; k++) {
        sw_buf_puts(b, ",");
        sw_buf_csv(b, ropa_rows[k].label);
    }
    sw_buf_puts(b, "\r\n");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r, "activities"), i, a)
    {
        sw_buf_csv(b, json_string_value(json_object_get(a, "id")));
        sw_buf_puts(b, ",");
        sw_buf_csv(b, json_string_value(json_object_get(a, "name")));
        sw_buf_puts(b, ",");
        sw_buf_csv(b, json_string_value(json_object_get(a, "section")));
        for (size_t k = 0; k < N_ROPA_ROWS; k++) {
            sw_buf cell;
            char *text;
            sw_buf_init(&cell, REPORT_MAX);
            ropa_rows[k].cell(&cell, a, "; ", put_plain);
            sw_buf_puts(b, ",");
            if (sw_buf_finish(&cell, &text) == SW_OK) {
                sw_buf_csv(b, text);
                free(text);
            } else {
                b->failed = true;
            }
        }
        sw_buf_puts(b, "\r\n");
    }
}

sw_status sw_report_ropa(const sw_policy *p, sw_format f, char **out)
{
    *out = NULL;
    json_t *r = ropa_json(p);
    if (!r)
        return SW_ERR_NOMEM;
    if (f == SW_FORMAT_JSON)
        return dump_json(r, out);
    sw_buf b;
    sw_buf_init(&b, REPORT_MAX);
    if (f == SW_FORMAT_CSV)
        render_ropa_csv(&b, r);
    else
        render_ropa_md(&b, p, r);
    json_decref(r);
    return sw_buf_finish(&b, out);
}
