/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "views.h"

bool sv_reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap * 2 : (size_t)1 << 16;
    while (c < need)
        c *= 2;
    char *more = realloc(*buf, c);
    if (!more)
        return false;
    *buf = more;
    *cap = c;
    return true;
}

json_t *sv_instant(bool has, sw_instant t)
{
    char buf[SW_INSTANT_BUFSZ];
    return has ? json_string(sw_instant_format(t, buf)) : json_null();
}

long sv_days_left(sw_instant now, sw_instant t)
{
    sw_instant d = t - now;
    return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

json_t *sv_consent_result(const sw_consent_result *r)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "id", r->id, "subject",
                          r->subject, "state", sw_consent_state_name(r->state),
                          "subject_created", r->created_subject);
    if (o && r->token[0]) {
        json_object_set_new(o, "confirmation_token", json_string(r->token));
        json_object_set_new(o, "token_expires",
                            sv_instant(true, r->token_expires));
    }
    return o;
}

json_t *sv_consent_view(const sw_consent_view *v)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:b}", "id",
        v->id, "subject", v->subject, "purpose", v->purpose, "state",
        sw_consent_state_name(v->state), "state_at",
        sv_instant(true, v->state_at), "created_at",
        sv_instant(true, v->created_at), "given_at",
        sv_instant(v->has_given, v->given_at), "expires_at",
        sv_instant(v->has_expiry, v->expires_at), "method", v->method, "form",
        v->form, "notice_version", v->notice_version, "parental", v->parental);
}

json_t *sv_decision(const sw_decision *d)
{
    char text[320];
    return json_pack(
        "{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o}", "decision",
        d->allow ? "allow" : "deny", "reason", sw_reason_code(d->reason),
        "explanation", sw_decision_text(d, text, sizeof(text)), "activity",
        d->activity, "basis", d->basis, "ref", d->ref[0] ? d->ref : NULL, "at",
        sv_instant(d->has_at, d->at));
}

static bool same_decision(const sw_decision *a, const sw_decision *b)
{
    return a->allow == b->allow && a->reason == b->reason &&
           a->activity == b->activity && a->basis == b->basis &&
           a->has_at == b->has_at && (!a->has_at || a->at == b->at) &&
           strcmp(a->ref, b->ref) == 0;
}

void sv_line_memo_free(sv_line_memo *m)
{
    free(m->head);
    free(m->tail);
    m->head = m->tail = NULL;
}

/* The decision's text around its address: the object dumped with a
 * mark in the address's place, cut there. */
static bool line_parts(sv_line_memo *m, const sw_decision *d, size_t flags)
{
    sv_line_memo_free(m);
    json_t *o = sv_decision(d);
    if (!o || json_object_set_new(o, "address", json_string("\x01")) != 0) {
        json_decref(o);
        return false;
    }
    char *text = json_dumps(o, flags);
    json_decref(o);
    char *mark = text ? strstr(text, "\"\\u0001\"") : NULL;
    if (!mark) {
        free(text);
        return false;
    }
    *mark = '\0';
    m->head = text;
    m->tail = strdup(mark + strlen("\"\\u0001\""));
    if (!m->tail) {
        sv_line_memo_free(m);
        return false;
    }
    m->d = *d;
    m->flags = flags;
    return true;
}

char *sv_decision_line(sv_line_memo *m, const sw_decision *d,
                       const char *address, size_t flags)
{
    if ((!m->head || m->flags != flags || !same_decision(&m->d, d)) &&
        !line_parts(m, d, flags))
        return NULL;
    json_t *a = json_string(address);
    char *quoted = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
    json_decref(a);
    if (!quoted)
        return NULL;
    size_t h = strlen(m->head), q = strlen(quoted), t = strlen(m->tail);
    char *line = malloc(h + q + t + 1);
    if (line) {
        memcpy(line, m->head, h);
        memcpy(line + h, quoted, q);
        memcpy(line + h + q, m->tail, t + 1);
    }
    free(quoted);
    return line;
}

json_t *sv_request_view(const sw_request_view *v, sw_instant now)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:I, s:i}", "id", v->id,
        "type", sw_request_type_name(v->type), "regulation",
        sw_regulation_name(v->regulation), "state",
        sw_request_state_name(v->state), "subject", v->subject, "received_at",
        sv_instant(true, v->received_at), "due_at", sv_instant(true, v->due_at),
        "first_due_at", sv_instant(true, v->first_due_at), "extended",
        v->extended, "days_left", (json_int_t)sv_days_left(now, v->due_at),
        "attempts", v->attempts);
    if (!o)
        return NULL;
    json_object_set_new(o, "overdue", json_boolean(v->overdue));
    json_object_set_new(o, "working_days_left",
                        json_integer((json_int_t)v->working_days_left));
    if (v->has_ack_due)
        json_object_set_new(o, "acknowledge_by",
                            sv_instant(true, v->ack_due_at));
    if (v->purpose[0])
        json_object_set_new(o, "purpose", json_string(v->purpose));
    if (v->agent[0])
        json_object_set_new(o, "agent", json_string(v->agent));
    if (v->closed) {
        json_object_set_new(o, "closed_at", sv_instant(true, v->closed_at));
        json_object_set_new(o, "outcome", json_string(v->outcome));
    }
    return o;
}

json_t *sv_change(const char *state, sw_instant at, const char *actor,
                  const char *note, const char *note_key)
{
    char when[SW_INSTANT_BUFSZ];
    return json_pack("{s:s, s:s, s:s, s:s}", "state", state, "at",
                     sw_instant_format(at, when), "actor", actor, note_key,
                     note);
}

json_t *sv_subject_view(const sw_subject_view *v, const sw_policy *p)
{
    char t1[SW_INSTANT_BUFSZ], words[512];
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:s}", "id", v->id, "kind", v->kind, "role",
        v->role, "account", v->account ? json_string(v->account) : json_null(),
        "tenant", v->tenant ? json_string(v->tenant) : json_null(),
        "created_at", sw_instant_format(v->created_at, t1));
    json_t *ids = json_array(), *recs = json_array();
    for (size_t i = 0; i < v->n_idents; i++)
        json_array_append_new(ids,
                              json_pack("{s:s, s:s}", "type", v->idents[i].type,
                                        "value", v->idents[i].value));
    for (size_t i = 0; i < v->n_records; i++) {
        const sw_record_view *r = &v->records[i];
        const sw_rule *rule =
            r->due.rule[0] && p ? sw_policy_rule(p, r->due.rule) : NULL;
        json_t *rj = json_pack(
            "{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o}", "id", r->id,
            "activity", r->activity, "category", r->category, "value", r->value,
            "source", r->source[0] ? json_string(r->source) : json_null(),
            "collected_at", sw_instant_format(r->collected_at, t1), "due",
            sv_instant(r->due.has_due, r->due.due_at), "rule",
            rule ? json_string(rule->id) : json_null(), "retention",
            rule ? json_string(sw_rule_describe(p, rule, words, sizeof(words)))
                 : json_null());
        if (rj && r->event[0])
            json_object_set_new(rj, "event", json_string(r->event));
        json_array_append_new(recs, rj);
    }
    json_object_set_new(o, "identifiers", ids);
    json_object_set_new(o, "records", recs);
    return o;
}

json_t *sv_hold_view(const sw_hold_view *h)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:b}", "id",
                          h->id, "kind", h->kind, "scope", h->scope, "target",
                          h->target, "reason", h->reason, "placed_at",
                          sv_instant(true, h->placed_at), "placed_by",
                          h->placed_by, "released", h->released);
    if (o && h->released)
        json_object_set_new(o, "released_at", sv_instant(true, h->released_at));
    return o;
}

json_t *sv_key_view(const sw_key_view *k)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:b}", "id", k->id, "role",
                          sw_key_role_name(k->role), "label", k->label,
                          "created_at", sv_instant(true, k->created_at),
                          "created_by", k->created_by, "revoked", k->revoked);
    if (o && k->revoked)
        json_object_set_new(o, "revoked_at", sv_instant(true, k->revoked_at));
    if (o && k->account[0])
        json_object_set_new(o, "account", json_string(k->account));
    return o;
}

json_t *sv_disclosure_view(const sw_disclosure_view *d)
{
    json_t *cats = json_array();
    char buf[sizeof(d->categories)];
    snprintf(buf, sizeof(buf), "%s", d->categories);
    for (char *save = NULL, *c = strtok_r(buf, ", ", &save); c;
         c = strtok_r(NULL, ", ", &save))
        json_array_append_new(cats, json_string(c));
    json_t *o = json_pack(
        "{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:s}", "id", d->id,
        "at", sv_instant(true, d->at), "recipient_kind", d->recipient_kind,
        "recipient", d->recipient, "basis", d->basis, "reference", d->reference,
        "scope_kind", d->scope_kind, "scope", d->scope, "categories", cats,
        "confidential", d->confidential, "recorded_by", d->actor);
    if (o && d->has_confidential_until)
        json_object_set_new(o, "confidential_until",
                            sv_instant(true, d->confidential_until));
    return o;
}

json_t *sv_erase_result(const char *subject, const sw_erase_result *r)
{
    return json_pack("{s:s, s:b, s:I, s:I, s:I}", "subject", subject,
                     "key_destroyed", 1, "records", (json_int_t)r->records,
                     "identifiers", (json_int_t)r->identifiers, "events",
                     (json_int_t)r->events);
}

json_t *sv_request_stats(const sw_request_stats *st)
{
    json_t *by = json_array();
    for (int t = 0; t < SW_REQ_TYPE_COUNT; t++)
        for (int g = 0; g < 2; g++)
            if (st->count[t][g])
                json_array_append_new(
                    by, json_pack("{s:s, s:s, s:I}", "type",
                                  sw_request_type_name((sw_request_type)t),
                                  "regulation",
                                  sw_regulation_name((sw_regulation)g), "count",
                                  (json_int_t)st->count[t][g]));
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "by_type", by,
                     "completed", (json_int_t)st->completed, "refused",
                     (json_int_t)st->refused, "withdrawn",
                     (json_int_t)st->withdrawn, "open", (json_int_t)st->open,
                     "overdue", (json_int_t)st->overdue,
                     "median_days_to_complete", st->median_days_x100 / 100.0,
                     "max_days_to_complete", st->max_days_x100 / 100.0);
}

json_t *sv_rule_due(const sw_policy *p, const sw_rule *r, sw_instant trigger,
                    const char *country)
{
    char tbuf[SW_INSTANT_BUFSZ], words[512], keep[SW_DURATION_BUFSZ];
    sw_instant due;
    sw_status st = sw_rule_due_in(r, trigger, country, &due);
    sw_rule_describe(p, r, words, sizeof(words));
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "rule", r->id, "section",
        r->section, "trigger", sw_instant_format(trigger, tbuf), "after",
        r->after ? r->after : "", "keep", sw_rule_keep_text(r, keep), "period",
        words, "due", sv_instant(st == SW_OK, due));
    if (o && country)
        json_object_set_new(o, "country", json_string(country));
    return o;
}

json_t *sv_audit_verdict(const sw_audit_verdict *v)
{
    json_t *o = json_pack("{s:b, s:I, s:s, s:I, s:I}", "intact", v->intact,
                          "entries", (json_int_t)v->entries, "head", v->head,
                          "out_of_order", (json_int_t)v->out_of_order,
                          "travelled", (json_int_t)v->travelled);
    if (!o)
        return NULL;
    if (!v->intact) {
        json_object_set_new(o, "first_bad", json_integer(v->first_bad));
        json_object_set_new(o, "reason", json_string(v->reason));
    }
    if (v->out_of_order)
        json_object_set_new(o, "first_out_of_order",
                            json_integer(v->first_out_of_order));
    if (v->travelled)
        json_object_set_new(o, "first_travelled",
                            json_integer(v->first_travelled));
    if (v->checkpoint)
        json_object_set_new(o, "checkpoint", json_integer(v->checkpoint_seq));
    return o;
}

json_t *sv_audit_entry(const sw_audit_entry *e)
{
    json_t *objs = json_loads(e->objects, 0, NULL),
           *det = json_loads(e->details, 0, NULL);
    return json_pack("{s:I, s:o, s:o, s:s, s:s, s:s?, s:o, s:o, s:s}", "seq",
                     (json_int_t)e->seq, "at", sv_instant(true, e->at),
                     "written_at", sv_instant(e->has_written, e->written_at),
                     "actor", e->actor, "action", e->action, "subject",
                     e->subject, "objects", objs ? objs : json_array(),
                     "details", det ? det : json_object(), "hash", e->hash);
}

json_t *sv_controller_view(const sw_policy *p)
{
    return json_pack(
        "{s:s, s:s, s:s?, s:{s:s, s:s?}, s:{s:s, s:s?, s:s?}}", "name",
        p->controller.name, "address", p->controller.address, "contact",
        p->controller.contact, "dpo", "email", p->controller.dpo_email,
        "address", p->controller.dpo_address, "notice", "version",
        p->notice.version, "title", p->notice.title, "url", p->notice.url);
}
