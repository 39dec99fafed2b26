/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a loaded policy: look-ups, the due-date rule, labels for legal
 * bases, and the linter that reports what the notice leaves open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/model.h"
#include "steward/calendar.h"
#include "steward/policy.h"

static const char *const keep_names[] = {"period", "unspecified", "per_law"};

const char *sw_keep_kind_name(sw_keep_kind k)
{
    return (unsigned)k < sizeof(keep_names) / sizeof(keep_names[0])
               ? keep_names[k]
               : NULL;
}

const sw_activity *sw_policy_activity(const sw_policy *p, const char *id)
{
    for (size_t i = 0; i < p->n_activities; i++)
        if (strcmp(p->activities[i].id, id) == 0)
            return &p->activities[i];
    return NULL;
}

size_t sw_policy_rule_count(const sw_policy *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_activities; i++)
        n += p->activities[i].n_rules;
    return n;
}

const sw_rule *sw_policy_rule_at(const sw_policy *p, size_t i)
{
    for (size_t a = 0; a < p->n_activities; a++) {
        if (i < p->activities[a].n_rules)
            return &p->activities[a].rules[i];
        i -= p->activities[a].n_rules;
    }
    return NULL;
}

const sw_rule *sw_policy_rule(const sw_policy *p, const char *id)
{
    for (size_t a = 0; a < p->n_activities; a++)
        for (size_t r = 0; r < p->activities[a].n_rules; r++)
            if (strcmp(p->activities[a].rules[r].id, id) == 0)
                return &p->activities[a].rules[r];
    return NULL;
}

const sw_category *sw_policy_category(const sw_policy *p, const char *id)
{
    for (size_t i = 0; i < p->n_categories; i++)
        if (p->categories[i].id && strcmp(p->categories[i].id, id) == 0)
            return &p->categories[i];
    return NULL;
}

const sw_trigger *sw_policy_trigger(const sw_policy *p, const char *id)
{
    for (size_t i = 0; i < p->n_triggers; i++)
        if (strcmp(p->triggers[i].id, id) == 0)
            return &p->triggers[i];
    return NULL;
}

const sw_def *sw_policy_purpose(const sw_policy *p, const char *id)
{
    for (size_t i = 0; i < p->n_purposes; i++)
        if (strcmp(p->purposes[i].id, id) == 0)
            return &p->purposes[i];
    return NULL;
}

const sw_recipient *sw_policy_recipient(const sw_policy *p, const char *id)
{
    for (size_t i = 0; i < p->n_recipients; i++)
        if (strcmp(p->recipients[i].id, id) == 0)
            return &p->recipients[i];
    return NULL;
}

bool sw_strs_contains(const sw_strs *v, const char *x)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], x) == 0)
            return true;
    return false;
}

bool sw_category_covers(const char *pattern, const char *category)
{
    size_t n = strlen(pattern);
    return strncmp(pattern, category, n) == 0 &&
           (category[n] == '\0' || category[n] == '.');
}

bool sw_rule_applies(const sw_rule *r, const char *category, const char *kind)
{
    if (r->subjects.n && !sw_strs_contains(&r->subjects, kind))
        return false;
    for (size_t i = 0; i < r->categories.n; i++)
        if (sw_category_covers(r->categories.v[i], category))
            return true;
    return false;
}

static sw_instant round_trigger(sw_round r, sw_instant t)
{
    switch (r) {
    case SW_ROUND_END_OF_DAY: return sw_end_of_day(t);
    case SW_ROUND_END_OF_MONTH: return sw_end_of_month(t);
    case SW_ROUND_END_OF_YEAR: return sw_end_of_year(t);
    case SW_ROUND_NONE: break;
    }
    return t;
}

sw_status sw_rule_due_in(const sw_rule *rule, sw_instant trigger,
                         const char *country, sw_instant *due)
{
    if (rule->keep_kind != SW_KEEP_PERIOD)
        return SW_ERR_UNSPECIFIED;
    sw_duration keep = rule->keep;
    for (size_t i = 0; country && i < rule->n_extensions; i++)
        if (strcmp(rule->extensions[i].country, country) == 0)
            keep = rule->extensions[i].keep;
    *due = sw_instant_add(round_trigger(rule->round, trigger), keep);
    return SW_OK;
}

sw_status sw_rule_due(const sw_rule *rule, sw_instant trigger, sw_instant *due)
{
    return sw_rule_due_in(rule, trigger, NULL, due);
}

char *sw_rule_keep_text(const sw_rule *rule, char *buf)
{
    if (rule->keep_kind == SW_KEEP_PERIOD)
        return sw_duration_format(rule->keep, buf);
    snprintf(buf, SW_DURATION_BUFSZ, "%s", sw_keep_kind_name(rule->keep_kind));
    return buf;
}

const char *sw_criminal_label(const char *authority)
{
    static const struct {
        const char *id, *label;
    } labels[] = {
        {"official_authority",
         "Art. 10 GDPR: under the control of official authority"},
        {"union_law", "Art. 10 GDPR: authorised by Union law"},
        {"member_state_law", "Art. 10 GDPR: authorised by Member State law"},
    };
    for (size_t i = 0; authority && i < sizeof(labels) / sizeof(labels[0]); i++)
        if (strcmp(labels[i].id, authority) == 0)
            return labels[i].label;
    return NULL;
}

const char *sw_basis_label(const char *b)
{
    static const char *const art6[] = {
        "Art. 6(1)(a) GDPR: consent",
        "Art. 6(1)(b) GDPR: performance of a contract",
        "Art. 6(1)(c) GDPR: legal obligation",
        "Art. 6(1)(d) GDPR: vital interests",
        "Art. 6(1)(e) GDPR: public interest",
        "Art. 6(1)(f) GDPR: legitimate interests",
    };
    static const char *const art9[] = {
        "Art. 9(2)(a) GDPR: explicit consent",
        "Art. 9(2)(b) GDPR: employment and social security law",
        "Art. 9(2)(c) GDPR: vital interests",
        "Art. 9(2)(d) GDPR: not-for-profit body",
        "Art. 9(2)(e) GDPR: made public by the data subject",
        "Art. 9(2)(f) GDPR: legal claims",
        "Art. 9(2)(g) GDPR: substantial public interest",
        "Art. 9(2)(h) GDPR: health or social care",
        "Art. 9(2)(i) GDPR: public health",
        "Art. 9(2)(j) GDPR: archiving, research or statistics",
    };
    if (!b || strlen(b) != 7 || b[1] != '(' || b[3] != ')' || b[4] != '(' ||
        b[6] != ')')
        return NULL;
    int i = b[5] - 'a';
    if (b[0] == '6' && b[2] == '1' && i >= 0 && i < 6)
        return art6[i];
    if (b[0] == '9' && b[2] == '2' && i >= 0 && i < 10)
        return art9[i];
    return NULL;
}

static bool has_basis(const sw_activity *a, const char *basis)
{
    for (size_t i = 0; i < a->n_bases; i++)
        if (strcmp(a->bases[i].basis, basis) == 0)
            return true;
    return false;
}

size_t sw_policy_lint(const sw_policy *p, sw_diags *d)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_activities; i++) {
        const sw_activity *a = &p->activities[i];
        const sw_pos *ap = &a->pos;
        for (size_t j = 0; j < a->n_rules; j++) {
            const sw_rule *r = &a->rules[j];
            if (r->keep_kind == SW_KEEP_PERIOD)
                continue;
            sw_diags_add(d, SW_SEV_WARNING, "gap", r->pos.file, r->pos.line,
                         r->pos.col,
                         "notice %s states no period for rule '%s' of "
                         "activity '%s' (%s): %s",
                         r->section, r->id, a->id,
                         r->keep_kind == SW_KEEP_PER_LAW ? "left to legislation"
                                                         : "unspecified",
                         r->reason);
            n++;
        }
        for (size_t k = 0; k < a->categories.n; k++) {
            bool covered = false;
            for (size_t j = 0; j < a->n_rules && !covered; j++)
                for (size_t l = 0; l < a->rules[j].categories.n && !covered;
                     l++)
                    covered = sw_category_covers(a->rules[j].categories.v[l],
                                                 a->categories.v[k]);
            if (!covered) {
                sw_diags_add(d, SW_SEV_WARNING, "uncovered-category",
                             a->categories.at[k].file, a->categories.at[k].line,
                             a->categories.at[k].col,
                             "no retention rule of activity '%s' covers "
                             "category '%s'",
                             a->id, a->categories.v[k]);
                n++;
            }
        }
        bool consent = has_basis(a, "6(1)(a)") ||
                       (a->special_condition &&
                        strcmp(a->special_condition, "9(2)(a)") == 0);
        if (consent && !a->withdrawal) {
            sw_diags_add(d, SW_SEV_WARNING, "no-withdrawal", ap->file, ap->line,
                         ap->col,
                         "activity '%s' relies on consent but names no way to "
                         "withdraw it ('withdrawal')",
                         a->id);
            n++;
        }
        if (has_basis(a, "6(1)(f)") && !a->objection) {
            sw_diags_add(d, SW_SEV_WARNING, "no-objection", ap->file, ap->line,
                         ap->col,
                         "activity '%s' relies on legitimate interests but "
                         "names no way to object ('objection')",
                         a->id);
            n++;
        }
    }
    return n;
}

const char *const sw_relationship_ends[3] = {"relationship_ended",
                                             "account_closed", NULL};

bool sw_ends_relationship(const char *event_type)
{
    for (int i = 0; event_type && sw_relationship_ends[i]; i++)
        if (strcmp(event_type, sw_relationship_ends[i]) == 0)
            return true;
    return false;
}

const sw_activity *sw_policy_subscription(const sw_policy *p)
{
    for (size_t i = 0; i < p->n_activities; i++)
        if (p->activities[i].double_opt_in && p->activities[i].purposes.n)
            return &p->activities[i];
    return NULL;
}

const sw_activity *sw_suppression_activity(const sw_policy *p)
{
    return p->consent.suppression_activity
               ? sw_policy_activity(p, p->consent.suppression_activity)
               : NULL;
}

bool sw_basis_covers(const sw_basis *b, const char *purpose)
{
    return b->purposes.n == 0 || sw_strs_contains(&b->purposes, purpose);
}

const sw_rule *sw_policy_period_after(const sw_policy *p, const char *trigger)
{
    for (size_t i = 0; p && i < sw_policy_rule_count(p); i++) {
        const sw_rule *r = sw_policy_rule_at(p, i);
        if (r->after && strcmp(r->after, trigger) == 0 &&
            r->keep_kind == SW_KEEP_PERIOD)
            return r;
    }
    return NULL;
}

void sw_policy_calendar(const sw_policy *p, const char *regulation,
                        sw_calendar *out)
{
    const sw_calendar_def *d = regulation && strcmp(regulation, "ccpa") == 0
                                   ? &p->calendars.ccpa
                                   : &p->calendars.gdpr;
    *out = (sw_calendar){d->jurisdiction, d->time_zone, d->add.n,
                         d->add.v,        d->remove.n,  d->remove.v};
}

char *sw_recipient_names(const sw_policy *p, const sw_activity *a)
{
    size_t n = 1;
    for (size_t k = 0; k < a->recipients.n; k++) {
        const sw_recipient *r = sw_policy_recipient(p, a->recipients.v[k]);
        n += strlen(r ? r->name : a->recipients.v[k]) + 2;
    }
    char *out = malloc(n);
    if (!out)
        return NULL;
    size_t w = 0;
    for (size_t k = 0; k < a->recipients.n; k++) {
        const sw_recipient *r = sw_policy_recipient(p, a->recipients.v[k]);
        w += (size_t)snprintf(out + w, n - w, "%s%s", k ? "; " : "",
                              r ? r->name : a->recipients.v[k]);
    }
    out[w] = '\0';
    return out;
}
