/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-subject requests (notice 9 to 15): intake, identity verification by
 * a one-time code, states, deadlines, and the fulfilment of the rights the
 * consent ledger carries (restriction, objection, consent withdrawal).
 * Every transition is a timeline row and an audit entry.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "requests/request_int.h"
#include "steward/calendar.h"
#include "steward/request.h"
#include "systems/systems_int.h"
#include "traffic/traffic_int.h"

static const char *const type_names[SW_REQ_TYPE_COUNT] = {
    "access",      "portability", "rectification",    "erasure",
    "restriction", "objection",   "withdraw_consent", "know_categories"};
static const char *const state_names[] = {
    "received",  "verifying", "in_progress", "extended",
    "completed", "refused",   "withdrawn"};
static const char *const reg_names[] = {"gdpr", "ccpa"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *sw_request_type_name(sw_request_type t)
{
    return (unsigned)t < COUNT(type_names) ? type_names[t] : NULL;
}

const char *sw_request_state_name(sw_request_state st)
{
    return (unsigned)st < COUNT(state_names) ? state_names[st] : NULL;
}

const char *sw_regulation_name(sw_regulation r)
{
    return (unsigned)r < COUNT(reg_names) ? reg_names[r] : NULL;
}

static int index_of(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

bool sw_request_type_parse(const char *name, sw_request_type *out)
{
    int i = index_of(type_names, COUNT(type_names), name);
    if (i >= 0)
        *out = (sw_request_type)i;
    return i >= 0;
}

bool sw_regulation_parse(const char *name, sw_regulation *out)
{
    int i = index_of(reg_names, COUNT(reg_names), name);
    if (i >= 0)
        *out = (sw_regulation)i;
    return i >= 0;
}

/* ---- deadlines ---- */

/* The first deadline of a request received at t, and the CCPA
 * acknowledgement's, on the regulation's calendar in the policy:
 * GDPR Art. 12(3) one month, ending on a working day; CCPA (Cal. Code
 * Regs. tit. 11, 7021 and 7022) 10 business days to acknowledge, 45
 * calendar days to answer. Each due at the last second of its day. */
static sw_status first_due(sw_store *s, sw_regulation reg, sw_instant t,
                           sw_instant *due, bool *has_ack, sw_instant *ack)
{
    sw_calendar cal;
    sw_policy_calendar(s->policy, reg == SW_CCPA ? "ccpa" : "gdpr", &cal);
    *has_ack = reg == SW_CCPA;
    *ack = 0;
    sw_status st =
        reg == SW_CCPA ? sw_deadline_business_days(&cal, t, 10, ack) : SW_OK;
    if (st == SW_OK)
        st = reg == SW_CCPA ? sw_deadline_days(&cal, t, 45, due)
                            : sw_deadline_months(&cal, t, 1, due);
    return st == SW_OK ? st
                       : sw_fail(s, st,
                                 "the policy's %s calendar cannot date a "
                                 "deadline (its time zone?)",
                                 reg == SW_CCPA ? "ccpa" : "gdpr");
}

/* The deadline once extended: GDPR two further months from the first
 * deadline, ending on a working day; CCPA 45 further days (90 from
 * receipt). */
static sw_status extended_due(sw_store *s, sw_regulation reg,
                              const sw_request_row *r, sw_instant *due)
{
    sw_calendar cal;
    sw_policy_calendar(s->policy, reg == SW_CCPA ? "ccpa" : "gdpr", &cal);
    sw_status st = reg == SW_CCPA
                       ? sw_deadline_days(&cal, r->received_at, 90, due)
                       : sw_deadline_months(&cal, r->first_due_at, 2, due);
    return st == SW_OK ? st
                       : sw_fail(s, st,
                                 "the policy's calendar cannot date the "
                                 "extended deadline");
}

/* ---- rows ---- */

/* A request read from the store, its strings copied. It holds no pointer
 * into itself (so it may be copied or moved): request_row() makes the row
 * view. */
typedef struct req_copy {
    char id[SW_ID_BUFSZ], type[32], regulation[8], subject[SW_ID_BUFSZ];
    char purpose[96], state[16], agent[128], agent_proof[512], outcome[512];
    bool has_purpose, has_agent, has_agent_proof, has_outcome;
    sw_request_row scalars; /* its string members are not used */
} req_copy;

/* The row of a copy: strings borrowed from c, valid while c stays put. */
static sw_request_row request_row(const req_copy *c)
{
    sw_request_row r = c->scalars;
    r.id = c->id;
    r.type = c->type;
    r.regulation = c->regulation;
    r.subject = c->subject;
    r.state = c->state;
    r.purpose = c->has_purpose ? c->purpose : NULL;
    r.agent = c->has_agent ? c->agent : NULL;
    r.agent_proof = c->has_agent_proof ? c->agent_proof : NULL;
    r.outcome = c->has_outcome ? c->outcome : NULL;
    return r;
}

static bool copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
    return src != NULL;
}

static int copy_request(const sw_request_row *r, void *p)
{
    req_copy *c = p;
    c->scalars = *r;
    c->scalars.id = c->scalars.type = c->scalars.regulation = NULL;
    c->scalars.subject = c->scalars.purpose = c->scalars.state = NULL;
    c->scalars.agent = c->scalars.agent_proof = c->scalars.outcome = NULL;
    copy_str(c->id, sizeof(c->id), r->id);
    copy_str(c->type, sizeof(c->type), r->type);
    copy_str(c->regulation, sizeof(c->regulation), r->regulation);
    copy_str(c->subject, sizeof(c->subject), r->subject);
    copy_str(c->state, sizeof(c->state), r->state);
    c->has_purpose = copy_str(c->purpose, sizeof(c->purpose), r->purpose);
    c->has_agent = copy_str(c->agent, sizeof(c->agent), r->agent);
    c->has_agent_proof =
        copy_str(c->agent_proof, sizeof(c->agent_proof), r->agent_proof);
    c->has_outcome = copy_str(c->outcome, sizeof(c->outcome), r->outcome);
    return 0;
}

static void view_of(sw_store *s, const sw_request_row *r, sw_request_view *v)
{
    memset(v, 0, sizeof(*v));
    snprintf(v->id, sizeof(v->id), "%s", r->id);
    sw_request_type_parse(r->type, &v->type);
    sw_regulation_parse(r->regulation, &v->regulation);
    int st = index_of(state_names, COUNT(state_names), r->state);
    v->state = st >= 0 ? (sw_request_state)st : SW_RS_RECEIVED;
    snprintf(v->subject, sizeof(v->subject), "%s", r->subject);
    snprintf(v->purpose, sizeof(v->purpose), "%s",
             r->purpose ? r->purpose : "");
    snprintf(v->agent, sizeof(v->agent), "%s", r->agent ? r->agent : "");
    v->received_at = r->received_at;
    v->due_at = r->due_at;
    v->first_due_at = r->first_due_at;
    v->has_ack_due = r->has_ack_due;
    v->ack_due_at = r->ack_due_at;
    v->extended = r->extended;
    v->closed = r->closed;
    v->closed_at = r->closed_at;
    snprintf(v->outcome, sizeof(v->outcome), "%s",
             r->outcome ? r->outcome : "");
    v->attempts =
        r->attempts; /* where it stands now, on its regulation's calendar */
    sw_calendar cal;
    sw_policy_calendar(s->policy, r->regulation, &cal);
    sw_instant now = sw_clock_now(&s->clock);
    v->overdue = !r->closed && r->due_at < now;
    v->working_days_left = sw_working_days_left(&cal, now, r->due_at);
}

static sw_status load(sw_store *s, const char *id, req_copy *c)
{
    memset(c, 0, sizeof(*c));
    sw_status st = sw_requests_get(s, id, copy_request, c);
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, st, "no request %s", id);
    return st;
}

/* Writes the row in a new state with its timeline row and audit entry
 * (inside the caller's change). */
static sw_status transition(sw_store *s, sw_request_row *r, sw_request_state to,
                            const char *reason, const char *action)
{
    sw_instant now = sw_clock_now(&s->clock);
    r->state = state_names[to];
    if (to == SW_RS_COMPLETED || to == SW_RS_REFUSED || to == SW_RS_WITHDRAWN) {
        r->closed = true;
        r->closed_at = now;
        r->has_code = false;
    }
    sw_status st = sw_requests_put(s, r);
    if (st == SW_OK)
        st = sw_timeline_add(s, &sw_request_timeline, r->id, r->state, now,
                             s->actor, reason);
    if (st != SW_OK)
        return st;
    return sw_audit_json(s, action, r->subject, json_pack("[s]", r->id),
                         json_pack("{s:s, s:s, s:s, s:s*}", "type", r->type,
                                   "regulation", r->regulation, "state",
                                   r->state, "reason", reason));
}

static bool is_open(const sw_request_row *r)
{
    return !r->closed;
}

/* ---- verification codes ---- */

/* The keyed hash a code is kept as: without the store's key, the million
 * codes cannot be tried against it. */
static void code_hash(sw_store *s, const char *id, const char *code,
                      uint8_t out[SW_HASH_BYTES])
{
    char text[SW_ID_BUFSZ + 16];
    snprintf(text, sizeof(text), "%s:%s", id, code);
    memset(out, 0, SW_HASH_BYTES);
    sw_blind(s->keys, "request.code", text, strlen(text), out);
}

/* A new code for r (the caller writes r); the message for the requester. */
static void new_code(sw_store *s, sw_request_row *r, const char *recipient,
                     sw_request_opened *out)
{
    uint32_t n;
    sw_random(s->keys, &n, sizeof(n));
    snprintf(out->code, sizeof(out->code), "%06u", n % 1000000u);
    code_hash(s, r->id, out->code, r->code_hash);
    r->has_code = true;
    r->attempts = 0; /* a new code gets its own five tries */
    r->code_expires =
        sw_clock_now(&s->clock) + (sw_instant)SW_CODE_MINUTES * 60;
    char until[SW_INSTANT_BUFSZ];
    snprintf(out->message, sizeof(out->message),
             "To: %s\nYour code to confirm your %s request %s is %s. It "
             "expires at %s. If you made no such request, ignore this "
             "message.",
             recipient, r->type, r->id, out->code,
             sw_instant_format(r->code_expires, until));
}

/* Where a new code of a request goes: the identifier given, or the one
 * its first code went to (via), or the subject's first e-mail address or
 * phone number on file (read as a disclosure). */
static sw_status recipient_of(sw_store *s, const sw_who *who,
                              const sw_request_row *row, char *buf, size_t n)
{
    if (who->ident) {
        snprintf(buf, n, "%s %s", who->ident->type, who->ident->value);
        return SW_OK;
    }
    return sw_request_recipient(s, row->subject,
                                row->has_via ? row->via_bi : NULL, buf, n);
}

/* ---- the calls ---- */

sw_status sw_request_check_spec(sw_store *s, const sw_request_spec *spec)
{
    if (!sw_request_type_name(spec->type) ||
        !sw_regulation_name(spec->regulation))
        return sw_fail(s, SW_ERR_INVALID,
                       "unknown request type or "
                       "regulation");
    if (!spec->agent != !spec->agent_proof)
        return sw_fail(s, SW_ERR_INVALID,
                       "an authorised agent needs the proof of authority "
                       "(--agent with --agent-proof)");
    if (spec->type == SW_REQ_OBJECTION && !spec->purpose)
        return sw_fail(s, SW_ERR_INVALID,
                       "an objection names the purpose objected to");
    sw_status st;
    if ((st = sw_check_text(s, "agent", spec->agent, 128)) != SW_OK ||
        (st = sw_check_text(s, "agent_proof", spec->agent_proof, 512)) != SW_OK)
        return st;
    if (spec->has_received && sw_instant_check_input(spec->received) != SW_OK)
        return sw_fail(s, SW_ERR_RANGE,
                       "received: a year from %d to %d, please",
                       SW_YEAR_MIN_INPUT, SW_YEAR_MAX_INPUT);
    return spec->purpose ? sw_purpose_check(s, spec->purpose) : SW_OK;
}

/* A new code for a request still verifying, to who's address (or the
 * subject's): the row written and audited as request.resend (through:
 * why, or NULL); the message in out, the row's view in out->req. */
static sw_status reissue(sw_store *s, const sw_who *who, sw_request_row *row,
                         const char *through, sw_request_opened *out)
{
    char recipient[SW_IDENT_MAX + 16];
    bool own = false;
    sw_status st = sw_op_begin(s, &own);
    if (st != SW_OK)
        return st;
    st = recipient_of(s, who, row, recipient, sizeof(recipient));
    if (st == SW_OK) {
        new_code(s, row, recipient, out);
        if ((st = sw_requests_put(s, row)) == SW_OK)
            st = sw_audit_json(s, "request.resend", row->subject,
                               json_pack("[s]", row->id),
                               through ? json_pack("{s:s}", "through", through)
                                       : json_object());
    }
    st = sw_op_end(s, own, st);
    sw_wipe(recipient, sizeof(recipient));
    if (st == SW_OK)
        view_of(s, row, &out->req);
    else
        memset(out, 0, sizeof(*out));
    return st;
}

/* A new request of the subject t names, verifying with a fresh code. */
static sw_status open_for(sw_store *s, const sw_target *t,
                          const sw_request_spec *spec, sw_request_opened *out)
{
    char recipient[SW_IDENT_MAX + 16];
    bool own = false;
    sw_status st = sw_op_begin(s, &own);
    if (st != SW_OK)
        return st;
    if (t->has_ident) /* the address as given, in its normal form */
        snprintf(recipient, sizeof(recipient), "%s %s", t->type, t->value);
    else
        st = sw_request_recipient(s, t->subject, NULL, recipient,
                                  sizeof(recipient));
    sw_instant now = sw_clock_now(&s->clock);
    char id[SW_ID_BUFSZ];
    sw_random_id(s->keys, "req", now, id);
    sw_request_row r;
    memset(&r, 0, sizeof(r));
    r.id = id;
    r.type = type_names[spec->type];
    r.regulation = reg_names[spec->regulation];
    r.subject = t->subject;
    r.purpose = spec->purpose;
    r.agent = spec->agent;
    r.agent_proof = spec->agent_proof;
    r.received_at = spec->has_received ? spec->received : now;
    if (t->has_ident) { /* where its answer goes too */
        r.has_via = true;
        memcpy(r.via_bi, t->blind, SW_BLIND_BYTES);
    }
    if (st == SW_OK)
        st = first_due(s, spec->regulation, r.received_at, &r.due_at,
                       &r.has_ack_due, &r.ack_due_at);
    r.first_due_at = r.due_at;
    r.state = state_names[SW_RS_RECEIVED];
    if (st == SW_OK) {
        st = sw_requests_put(s, &r);
        if (st == SW_OK)
            st = sw_timeline_add(
                s, &sw_request_timeline, id, r.state, r.received_at, s->actor,
                spec->agent ? "through an authorised agent" : NULL);
    }
    if (st == SW_OK) {
        new_code(s, &r, recipient, out);
        st = transition(s, &r, SW_RS_VERIFYING, "verification code sent",
                        "request.open");
    }
    st = sw_op_end(s, own, st);
    sw_wipe(recipient, sizeof(recipient));
    if (st == SW_OK)
        view_of(s, &r, &out->req);
    else
        memset(out, 0, sizeof(*out));
    return st;
}

sw_status sw_request_traffic_only(sw_store *s, sw_target *t)
{
    if (t->has_subject || !t->has_ident ||
        (strcmp(t->type, "email") != 0 && strcmp(t->type, "phone") != 0))
        return SW_OK;
    const sw_subject_kind *kind = NULL;
    for (size_t i = 0; s->policy && i < s->policy->n_subjects && !kind; i++)
        if (s->policy->subjects[i].role == SW_ROLE_PROCESSOR)
            kind = &s->policy->subjects[i];
    bool any = false;
    sw_status st =
        kind ? sw_traffic_reaches(s, t->type, t->value, &any) : SW_OK;
    if (st != SW_OK || !any)
        return st;
    sw_ident id = {t->type, t->value};
    sw_subject_spec spec = {kind->id, NULL, NULL, NULL, 1, &id};
    if ((st = sw_subject_add(s, &spec, t->subject)) != SW_OK ||
        (st = sw_subjects_get(s, t->subject, &t->row)) != SW_OK)
        return st;
    t->has_subject = true;
    return sw_audit_json(
        s, "subject.from_traffic", t->subject, json_pack("[s]", t->subject),
        json_pack("{s:s, s:s}", "kind", kind->id, "type", t->type));
}

sw_status sw_request_open(sw_store *s, const sw_who *who,
                          const sw_request_spec *spec, sw_request_opened *out)
{
    memset(out, 0, sizeof(*out));
    sw_status st = sw_request_check_spec(s, spec);
    sw_target t;
    memset(&t, 0, sizeof(t));
    if (st == SW_OK)
        st = sw_target_resolve(s, who, &t, false);
    if (st == SW_OK)
        st = sw_request_traffic_only(s, &t);
    if (st == SW_OK && !t.has_subject)
        st = sw_fail(s, SW_ERR_NOTFOUND,
                     "steward holds no data for this %s: there is nothing "
                     "to verify against",
                     t.type);
    if (st != SW_OK)
        return st;
    req_copy dup;
    memset(&dup, 0, sizeof(dup));
    st = sw_requests_open_of(s, t.subject, type_names[spec->type], copy_request,
                             &dup);
    if (st == SW_OK)
        return sw_fail(s, SW_ERR_CONFLICT,
                       "request %s (%s) of this subject is still open", dup.id,
                       dup.state);
    if (st != SW_ERR_NOTFOUND)
        return st;
    return open_for(s, &t, spec, out);
}

sw_status sw_request_file(sw_store *s, const sw_who *who, const sw_target *t,
                          const sw_request_spec *spec, bool may_issue,
                          bool *issued, sw_request_opened *out)
{
    memset(out, 0, sizeof(*out));
    *issued = false;
    sw_status st = sw_request_check_spec(s, spec);
    if (st != SW_OK)
        return st;
    req_copy open;
    memset(&open, 0, sizeof(open));
    st = sw_requests_open_of(s, t->subject, type_names[spec->type],
                             copy_request, &open);
    if (st == SW_ERR_NOTFOUND && !may_issue)
        return SW_OK; /* no request: out->req.id stays empty */
    if (st == SW_ERR_NOTFOUND) {
        *issued = true;
        return open_for(s, t, spec, out);
    }
    if (st != SW_OK)
        return st;
    sw_request_row row = request_row(&open);
    view_of(s, &row, &out->req);
    /* a code still valid survives: filing again sends nothing */
    if (!may_issue || strcmp(row.state, "verifying") != 0 ||
        (row.has_code && sw_clock_now(&s->clock) < row.code_expires))
        return SW_OK;
    st = reissue(s, who, &row, "filed again", out);
    *issued = st == SW_OK;
    return st;
}

sw_status sw_request_verify(sw_store *s, const char *id, const char *code)
{
    req_copy c;
    sw_status st = load(s, id, &c);
    if (st != SW_OK)
        return st;
    sw_request_row row = request_row(&c), *r = &row;
    if (strcmp(r->state, "verifying") != 0)
        return sw_fail(s, SW_ERR_CONFLICT, "request %s is %s, not verifying",
                       id, r->state);
    if (!r->has_code)
        return sw_fail(s, SW_ERR_CONFLICT,
                       "request %s has no valid code (ended by wrong codes): "
                       "ask for a new one",
                       id);
    if (sw_clock_now(&s->clock) >= r->code_expires) {
        char when[SW_INSTANT_BUFSZ];
        return sw_fail(s, SW_ERR_CONFLICT,
                       "the code of request %s expired at %s: ask for a new "
                       "one",
                       id, sw_instant_format(r->code_expires, when));
    }
    uint8_t h[SW_HASH_BYTES];
    code_hash(s, id, code ? code : "", h);
    bool right = sodium_memcmp(h, r->code_hash, SW_HASH_BYTES) == 0;
    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    if (right) {
        r->has_code = false;
        st = transition(s, r, SW_RS_IN_PROGRESS, "identity verified",
                        "request.verify");
        return sw_tx_end(s, st);
    }
    r->attempts++;
    /* The fifth wrong code ends the code, never the request: a stranger's
     * guesses must not cancel what its owner asked for. */
    bool last = r->attempts >= SW_CODE_ATTEMPTS;
    if (last)
        r->has_code = false;
    if ((st = sw_requests_put(s, r)) == SW_OK && last)
        st = sw_audit_json(s, "request.code_burned", r->subject,
                           json_pack("[s]", r->id),
                           json_pack("{s:i}", "wrong_codes", r->attempts));
    if ((st = sw_tx_end(s, st)) != SW_OK)
        return st;
    return last ? sw_fail(s, SW_ERR_DENIED,
                          "wrong code: after %d wrong codes this one no "
                          "longer works; ask for a new one",
                          SW_CODE_ATTEMPTS)
                : sw_fail(s, SW_ERR_DENIED, "wrong code (%d attempt%s left)",
                          SW_CODE_ATTEMPTS - r->attempts,
                          SW_CODE_ATTEMPTS - r->attempts == 1 ? "" : "s");
}

sw_status sw_request_resend(sw_store *s, const char *id, sw_request_opened *out)
{
    memset(out, 0, sizeof(*out));
    req_copy c;
    sw_status st = load(s, id, &c);
    if (st != SW_OK)
        return st;
    sw_request_row row = request_row(&c);
    if (strcmp(row.state, "verifying") != 0)
        return sw_fail(s, SW_ERR_CONFLICT, "request %s is %s, not verifying",
                       id, row.state);
    sw_who who = {row.subject, NULL};
    return reissue(s, &who, &row, NULL, out);
}

sw_status sw_request_extend(sw_store *s, const char *id, const char *reason)
{
    if (!reason || !*reason)
        return sw_fail(s, SW_ERR_INVALID,
                       "an extension needs its reason (--reason): the "
                       "requester is told why");
    sw_status cst = sw_check_text(s, "reason", reason, 400);
    if (cst != SW_OK)
        return cst;
    req_copy c;
    sw_status st = load(s, id, &c);
    if (st != SW_OK)
        return st;
    sw_request_row row = request_row(&c), *r = &row;
    if (!is_open(r))
        return sw_fail(s, SW_ERR_CONFLICT, "request %s is %s", id, r->state);
    if (r->extended)
        return sw_fail(s, SW_ERR_CONFLICT,
                       "request %s was extended already (once only)", id);
    if (sw_clock_now(&s->clock) >= r->first_due_at) {
        char when[SW_INSTANT_BUFSZ];
        return sw_fail(s, SW_ERR_CONFLICT,
                       "too late to extend request %s: its first deadline "
                       "passed on %s",
                       id, sw_instant_format(r->first_due_at, when));
    }
    sw_regulation reg = SW_GDPR;
    sw_regulation_parse(r->regulation, &reg);
    r->extended = true;
    if ((st = extended_due(s, reg, r, &r->due_at)) != SW_OK)
        return st;
    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    return sw_tx_end(
        s, transition(s, r, SW_RS_EXTENDED, reason, "request.extend"));
}

sw_status sw_request_refuse(sw_store *s, const char *id, const char *reason,
                            bool *late)
{
    *late = false;
    if (!reason || !*reason)
        return sw_fail(s, SW_ERR_INVALID,
                       "a refusal states its reasons (--reason)");
    sw_status cst = sw_check_text(s, "reason", reason, 400);
    if (cst != SW_OK)
        return cst;
    req_copy c;
    sw_status st = load(s, id, &c);
    if (st != SW_OK)
        return st;
    sw_request_row row = request_row(&c), *r = &row;
    if (!is_open(r))
        return sw_fail(s, SW_ERR_CONFLICT, "request %s is %s", id, r->state);
    *late = sw_clock_now(&s->clock) > r->first_due_at;
    char outcome[512];
    snprintf(outcome, sizeof(outcome),
             "refused: %s. You may lodge a complaint with a supervisory "
             "authority%s.",
             reason,
             strcmp(r->regulation, "ccpa") == 0
                 ? " (in California, the California Privacy Protection "
                   "Agency or the Attorney General)"
                 : " and seek a judicial remedy");
    r->outcome = outcome;
    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    return sw_tx_end(s,
                     transition(s, r, SW_RS_REFUSED, reason, "request.refuse"));
}

sw_status sw_request_withdraw(sw_store *s, const char *id)
{
    req_copy c;
    sw_status st = load(s, id, &c);
    if (st != SW_OK)
        return st;
    sw_request_row row = request_row(&c);
    if (!is_open(&row))
        return sw_fail(s, SW_ERR_CONFLICT, "request %s is %s", id, row.state);
    row.outcome = "withdrawn by the requester";
    if ((st = sw_tx_begin(s)) != SW_OK)
        return st;
    return sw_tx_end(s, transition(s, &row, SW_RS_WITHDRAWN,
                                   "withdrawn by the requester",
                                   "request.withdraw"));
}

sw_status sw_request_fulfil(sw_store *s, const char *id,
                            const sw_fulfil_options *o, sw_fulfilment *out)
{
    memset(out, 0, sizeof(*out));
    sw_fulfil_options none;
    if (!o) {
        memset(&none, 0, sizeof(none));
        o = &none;
    }
    req_copy c;
    sw_status st = load(s, id, &c);
    if (st != SW_OK)
        return st;
    sw_request_row row = request_row(&c), *r = &row;
    if (strcmp(r->state, "in_progress") != 0 &&
        strcmp(r->state, "extended") != 0)
        return sw_fail(s, SW_ERR_CONFLICT,
                       "request %s is %s: only a verified open request is "
                       "fulfilled",
                       id, r->state);
    sw_request_type type = SW_REQ_ACCESS;
    sw_request_type_parse(r->type, &type);
    bool html = o->format == SW_ANSWER_HTML, csv = o->format == SW_ANSWER_CSV;
    if ((html && type != SW_REQ_ACCESS) || (csv && type != SW_REQ_PORTABILITY))
        return sw_fail(s, SW_ERR_INVALID,
                       "HTML answers access requests and CSV portability "
                       "requests; this one is %s",
                       r->type);
    sw_subject_row subj;
    if ((st = sw_subjects_get(s, r->subject, &subj)) != SW_OK)
        return st;
    bool processor = strcmp(subj.role, "processor") == 0, shredded = false;
    /* the company's systems first: their rows for an answer, their
     * erasure before the store's (the identifiers find the rows) */
    json_t *systems = NULL;
    char systems_done[768] = "";
    bool has_systems = s->policy && s->policy->n_systems && !processor;
    if (has_systems && (type == SW_REQ_ACCESS || type == SW_REQ_PORTABILITY) &&
        (st = sw_system_rows_json(s, r->subject, &systems)) != SW_OK)
        return sw_fail_prefix(s, st, "reading the systems' rows");
    if (has_systems && type == SW_REQ_ERASURE) {
        size_t pending = 0;
        char names[768];
        st = sw_request_systems_erase(s, r, &pending, names, sizeof(names));
        if (st == SW_OK && !pending)
            snprintf(systems_done, sizeof(systems_done), "%s", names);
        if (st == SW_OK && pending)
            st = sw_fail(s, SW_ERR_BUSY,
                         "request %s waits for %zu system%s: %s; it is tried "
                         "again by the sweep, or now with request complete",
                         id, pending, pending == 1 ? "" : "s", names);
        if (st != SW_OK)
            return st;
    }
    bool own = false;
    if ((st = sw_op_begin(s, &own)) != SW_OK) {
        json_decref(systems);
        return st;
    }
    sw_who who = {r->subject, NULL};
    char *outcome = out->outcome;
    size_t n = sizeof(out->outcome);
    if (processor) { /* notice 2: the customer is the controller */
        st = sw_answer_forward(s, r->subject, id, r->type, out);
    } else {
        switch (type) {
        case SW_REQ_ACCESS:
            st = sw_answer_access(s, r->subject, id, o->format, systems, out);
            break;
        case SW_REQ_PORTABILITY:
            st = sw_answer_portability(s, r->subject, o->format, systems, out);
            break;
        case SW_REQ_KNOW_CATEGORIES:
            st = sw_answer_know(s, r->subject, out);
            break;
        case SW_REQ_RECTIFICATION:
            st = sw_answer_rectify(s, r->subject, o, out);
            break;
        case SW_REQ_ERASURE:
            st = sw_answer_erase(s, r->subject, out, &shredded);
            break;
        case SW_REQ_RESTRICTION: {
            char why[64];
            snprintf(why, sizeof(why), "request %s", id);
            st = sw_subject_restrict(s, r->subject, true, why);
            snprintf(outcome, n,
                     "processing restricted: every purpose but storage is "
                     "denied until the restriction is lifted");
            break;
        }
        case SW_REQ_OBJECTION: {
            sw_objection_result ob;
            st = sw_objection_add(s, &who, r->purpose, &ob);
            snprintf(outcome, n,
                     ob.suppressed ? "objection to %s recorded: the "
                                     "addresses are on the suppression list"
                                   : "objection to %s recorded: the "
                                     "processing stops unless compelling "
                                     "grounds are recorded",
                     r->purpose);
            break;
        }
        case SW_REQ_WITHDRAW_CONSENT: {
            size_t k = 0;
            st = sw_consent_withdraw(s, &who, r->purpose, &k);
            snprintf(outcome, n, "%zu consent%s withdrawn", k,
                     k == 1 ? "" : "s");
            break;
        }
        case SW_REQ_TYPE_COUNT:
            st = sw_fail(s, SW_ERR_INVALID, "unknown request type");
            break;
        }
    }
    if (st == SW_OK && !processor &&
        (type == SW_REQ_ACCESS || type == SW_REQ_PORTABILITY) &&
        (st = sw_answer_keep(s, r, o->format, o->link_base, out)) == SW_OK &&
        out->link.ready) {
        size_t k = strlen(outcome);
        char until[SW_INSTANT_BUFSZ];
        snprintf(outcome + k, k < n ? n - k : 0,
                 "; delivered as a download link to the %s on file, valid "
                 "until %s",
                 strcmp(out->link.channel, "email") == 0 ? "e-mail address"
                                                         : "phone number",
                 sw_instant_format(out->link.expires_at, until));
    }
    if (st == SW_OK && systems_done[0]) {
        size_t k = strlen(outcome);
        snprintf(outcome + k, k < n ? n - k : 0, "; in the systems: %s",
                 systems_done);
    }
    if (st == SW_OK) {
        r->outcome = outcome;
        st = transition(s, r, SW_RS_COMPLETED, outcome, "request.complete");
    }
    st = sw_op_end(s, own, st);
    sw_json_wipe(systems);
    json_decref(systems);
    if (st == SW_OK && shredded)
        st = sw_store_checkpoint(s, "erased, but the journal was not "
                                    "checkpointed");
    if (st != SW_OK) {
        free(out->answer);
        sw_wipe(out, sizeof(*out));
    }
    return st;
}

sw_status sw_request_get(sw_store *s, const char *id, sw_request_view *out)
{
    req_copy c;
    sw_status st = load(s, id, &c);
    if (st == SW_OK) {
        sw_request_row row = request_row(&c);
        view_of(s, &row, out);
    }
    return st;
}

typedef struct history_ctx {
    int (*cb)(const sw_request_change *c, void *ctx);
    void *ctx;
} history_ctx;

static int history_one(const char *state, sw_instant at, const char *actor,
                       const char *reason, void *p)
{
    history_ctx *h = p;
    sw_request_change c;
    memset(&c, 0, sizeof(c));
    int i = index_of(state_names, COUNT(state_names), state);
    c.state = i >= 0 ? (sw_request_state)i : SW_RS_RECEIVED;
    c.at = at;
    snprintf(c.actor, sizeof(c.actor), "%s", actor ? actor : "");
    snprintf(c.reason, sizeof(c.reason), "%s", reason ? reason : "");
    return h->cb(&c, h->ctx);
}

sw_status sw_request_history(sw_store *s, const char *id,
                             int (*cb)(const sw_request_change *c, void *ctx),
                             void *ctx)
{
    req_copy c;
    sw_status st = load(s, id, &c);
    if (st != SW_OK)
        return st;
    history_ctx h = {cb, ctx};
    return sw_timeline_list(s, &sw_request_timeline, id, history_one, &h);
}

typedef struct list_ctx {
    sw_store *s;
    bool overdue;
    sw_instant within, now;
    int (*cb)(const sw_request_view *r, void *ctx);
    void *ctx;
} list_ctx;

static int list_one(const sw_request_row *r, void *p)
{
    list_ctx *l = p;
    if (l->overdue && r->due_at >= l->now) /* due now is not late yet */
        return 0;
    if (l->within > 0 && r->due_at > l->now + l->within)
        return 1; /* by due date: none after it is within either */
    sw_request_view v;
    view_of(l->s, r, &v);
    return l->cb(&v, l->ctx);
}

sw_status sw_request_list(sw_store *s, bool overdue, sw_instant within,
                          int (*cb)(const sw_request_view *r, void *ctx),
                          void *ctx)
{
    list_ctx l = {s, overdue, within, sw_clock_now(&s->clock), cb, ctx};
    return sw_requests_open(s, list_one, &l);
}

typedef struct stats_ctx {
    sw_request_stats *st;
    sw_instant now;
    sw_vec days; /* completion times, days x 100 */
} stats_ctx;

static int stat_one(const sw_request_row *r, void *p)
{
    stats_ctx *c = p;
    sw_request_type t = SW_REQ_ACCESS;
    sw_regulation g = SW_GDPR;
    sw_request_type_parse(r->type, &t);
    sw_regulation_parse(r->regulation, &g);
    c->st->count[t][g]++;
    if (!r->closed) {
        c->st->open++;
        c->st->overdue += r->due_at < c->now;
    } else if (strcmp(r->state, "completed") == 0) {
        c->st->completed++;
        sw_instant *d = sw_vec_push(&c->days);
        if (d)
            *d = (r->closed_at - r->received_at) * 100 / 86400;
    } else if (strcmp(r->state, "refused") == 0) {
        c->st->refused++;
    } else {
        c->st->withdrawn++;
    }
    return 0;
}

static int cmp_instant(const void *a, const void *b)
{
    sw_instant x = *(const sw_instant *)a, y = *(const sw_instant *)b;
    return x < y ? -1 : x > y;
}

sw_status sw_request_stats_since(sw_store *s, sw_instant since,
                                 sw_request_stats *out)
{
    memset(out, 0, sizeof(*out));
    stats_ctx c = {out, sw_clock_now(&s->clock), SW_VEC(sw_instant)};
    sw_status st = sw_requests_since(s, since, stat_one, &c);
    if (st != SW_OK) {
        sw_vec_release(&c.days);
        return st;
    }
    if (c.days.nomem) {
        sw_vec_release(&c.days);
        return sw_fail(s, SW_ERR_NOMEM, "out of memory");
    }
    if (c.days.n) {
        qsort(c.days.v, c.days.n, sizeof(sw_instant), cmp_instant);
        sw_instant *d = c.days.v;
        out->median_days_x100 =
            c.days.n % 2 ? d[c.days.n / 2]
                         : (d[c.days.n / 2 - 1] + d[c.days.n / 2]) / 2;
        out->max_days_x100 = d[c.days.n - 1];
    }
    sw_vec_release(&c.days);
    return SW_OK;
}

typedef struct expire_ctx {
    const sw_rule *rule;
    sw_instant now;
    sw_vec ids; /* of char[SW_ID_BUFSZ] */
} expire_ctx;

typedef char request_id[SW_ID_BUFSZ];

static int expire_one(const sw_request_row *r, void *p)
{
    expire_ctx *c = p;
    sw_instant due;
    if (sw_rule_due(c->rule, r->closed_at, &due) != SW_OK || due > c->now)
        return 0;
    request_id *id = sw_vec_push(&c->ids);
    if (id)
        snprintf(*id, sizeof(*id), "%s", r->id);
    return 0;
}

sw_status sw_request_expire(sw_store *s, size_t *n)
{
    *n = 0;
    const sw_rule *rule = sw_policy_period_after(s->policy, "request_closed");
    if (!rule)
        return SW_OK; /* the policy keeps request records without end */
    expire_ctx c = {rule, sw_clock_now(&s->clock), SW_VEC(request_id)};
    sw_status st = sw_requests_closed_before(s, c.now, expire_one, &c);
    if (st != SW_OK) {
        sw_vec_release(&c.ids);
        return st;
    }
    if (c.ids.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    if (st == SW_OK && c.ids.n && (st = sw_tx_begin(s)) == SW_OK) {
        json_t *ids = json_array();
        for (size_t i = 0; st == SW_OK && i < c.ids.n; i++) {
            const char *id = *SW_VEC_AT(&c.ids, request_id, i);
            st = sw_requests_delete(s, id);
            json_array_append_new(ids, json_string(id));
        }
        if (st == SW_OK)
            st = sw_audit_json(s, "request.expire", NULL, ids,
                               json_pack("{s:s, s:I}", "rule", rule->id,
                                         "requests", (json_int_t)c.ids.n));
        else
            json_decref(ids);
        st = sw_tx_end(s, st);
    }
    if (st == SW_OK)
        *n = c.ids.n;
    sw_vec_release(&c.ids);
    return st;
}

/* ---- requests whose requester never proved who they are ---- */

typedef struct lapse_ctx {
    sw_instant now;
    sw_vec ids; /* request_id */
} lapse_ctx;

static int lapse_one(const sw_request_row *r, void *p)
{
    lapse_ctx *c = p;
    if (strcmp(r->state, state_names[SW_RS_VERIFYING]) != 0 ||
        r->due_at >= c->now) /* its last second is still in time */
        return 0;
    request_id *id = sw_vec_push(&c->ids);
    if (id)
        snprintf(*id, sizeof(*id), "%s", r->id);
    return 0;
}

#define LAPSE_REASON                                                           \
    "the requester's identity was not verified before the deadline (GDPR "     \
    "Art. 12(2) and 12(6))"

sw_status sw_request_lapse(sw_store *s, size_t *n)
{
    *n = 0;
    lapse_ctx c = {sw_clock_now(&s->clock), SW_VEC(request_id)};
    sw_status st = sw_requests_open(s, lapse_one, &c);
    if (st == SW_OK && c.ids.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == SW_OK && i < c.ids.n; i++) {
        req_copy rc;
        if ((st = load(s, *SW_VEC_AT(&c.ids, request_id, i), &rc)) != SW_OK)
            break;
        sw_request_row row = request_row(&rc);
        row.outcome =
            "refused: " LAPSE_REASON ". A new request may be made at any time.";
        if ((st = sw_tx_begin(s)) == SW_OK)
            st = sw_tx_end(s, transition(s, &row, SW_RS_REFUSED, LAPSE_REASON,
                                         "request.lapse"));
        if (st == SW_OK)
            (*n)++;
    }
    sw_vec_release(&c.ids);
    return st;
}

/* ---- erasures waiting for one of the policy's systems ---- */

typedef struct retry_ctx {
    char (*ids)[SW_ID_BUFSZ];
    size_t n;
    bool nomem;
} retry_ctx;

static int due_request(const char *request, void *p)
{
    retry_ctx *c = p;
    char(*more)[SW_ID_BUFSZ] = realloc(c->ids, (c->n + 1) * sizeof(*more));
    if (!more) {
        c->nomem = true;
        return 1;
    }
    c->ids = more;
    snprintf(c->ids[c->n++], SW_ID_BUFSZ, "%s", request);
    return 0;
}

sw_status sw_request_systems_retry(sw_store *s, size_t *completed,
                                   size_t *waiting)
{
    *completed = *waiting = 0;
    retry_ctx c = {NULL, 0, false};
    sw_status st =
        sw_request_systems_due(s, sw_clock_now(&s->clock), due_request, &c);
    if (st == SW_OK && c.nomem)
        st = sw_fail(s, SW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == SW_OK && i < c.n; i++) {
        sw_fulfilment out;
        sw_status one = sw_request_fulfil(s, c.ids[i], NULL, &out);
        if (one == SW_OK) {
            (*completed)++;
            free(out.answer);
            sw_wipe(&out, sizeof(out));
        } else if (one == SW_ERR_NOMEM) {
            st = one;
        } else {
            (*waiting)++; /* still pending: its row says when and why */
        }
    }
    free(c.ids);
    return st;
}

/* ---- a webhook system's later answer ---- */

typedef struct job_copy {
    char request[SW_ID_BUFSZ], system[64], state[16];
    int64_t attempts;
} job_copy;

static int copy_job(const sw_request_system_row *r, void *p)
{
    job_copy *j = p;
    snprintf(j->request, sizeof(j->request), "%s", r->request);
    snprintf(j->system, sizeof(j->system), "%s", r->system);
    snprintf(j->state, sizeof(j->state), "%s", r->state);
    j->attempts = r->attempts;
    return 0;
}

sw_status sw_request_system_callback(sw_store *s, const char *system,
                                     const char *timestamp,
                                     const char *signature, const char *body,
                                     size_t n, sw_system_callback *out)
{
    memset(out, 0, sizeof(*out));
    sw_status st = sw_webhook_verify(s, system, timestamp, signature, body, n);
    if (st != SW_OK)
        return st;
    json_error_t jerr;
    json_t *b = json_loadb(body, n, 0, &jerr);
    const char *job = json_string_value(json_object_get(b, "job"));
    const char *status = json_string_value(json_object_get(b, "status"));
    json_t *erased = json_object_get(b, "erased");
    if (!job || !status ||
        (strcmp(status, "done") != 0 && strcmp(status, "failed") != 0)) {
        json_decref(b);
        return sw_fail(s, SW_ERR_INVALID,
                       "a callback is {\"job\": ID, \"status\": \"done\" or "
                       "\"failed\", \"erased\": N}");
    }
    snprintf(out->job, sizeof(out->job), "%s", job);
    job_copy j;
    memset(&j, 0, sizeof(j));
    st = sw_request_systems_job(s, out->job, copy_job, &j);
    if (st == SW_ERR_NOTFOUND)
        st = sw_fail(s, st, "no job %s", out->job);
    else if (st == SW_OK && strcmp(j.system, system) != 0)
        st = sw_fail(s, SW_ERR_DENIED, "job %s is not system %s's", out->job,
                     system);
    else if (st == SW_OK && strcmp(j.state, "done") == 0)
        st = sw_fail(s, SW_ERR_CONFLICT,
                     "job %s is confirmed already (a replay changes nothing)",
                     out->job);
    out->done = status[0] == 'd';
    int64_t rows = json_is_integer(erased) && json_integer_value(erased) > 0
                       ? json_integer_value(erased)
                       : 0;
    char error[256] = "";
    if (!out->done)
        snprintf(error, sizeof(error), "the system reported a failure");
    json_decref(b);
    if (st != SW_OK)
        return st;
    snprintf(out->request, sizeof(out->request), "%s", j.request);
    sw_instant now = sw_clock_now(&s->clock);
    sw_request_system_row row = {j.request,
                                 j.system,
                                 out->done ? "done" : "pending",
                                 j.attempts,
                                 rows,
                                 !out->done,
                                 now + 60,
                                 out->done ? NULL : error,
                                 now,
                                 out->job};
    if ((st = sw_tx_begin(s)) == SW_OK) {
        st = sw_request_systems_put(s, &row);
        if (st == SW_OK)
            st = sw_audit_json(
                s, out->done ? "system.erase" : "system.erase_failed", NULL,
                json_pack("[s]", j.request),
                json_pack("{s:s, s:s, s:s, s:I, s:s}", "system", j.system,
                          "request", j.request, "job", out->job, "rows",
                          (json_int_t)rows, "via", "callback"));
        st = sw_tx_end(s, st);
    }
    if (st != SW_OK || !out->done)
        return st;
    /* the last system done: the request completes now */
    sw_fulfilment f;
    sw_status one = sw_request_fulfil(s, j.request, NULL, &f);
    if (one == SW_OK) {
        out->completed = true;
        free(f.answer);
        sw_wipe(&f, sizeof(f));
    } else if (one == SW_ERR_NOMEM) {
        return one;
    }
    return SW_OK;
}
