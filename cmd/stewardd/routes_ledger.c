/* SPDX-License-Identifier: Apache-2.0 */
/* Routes of the ledger, holds, traffic, sweeps, audit, policy and keys:
 * each maps HTTP to one library call. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "routes.h"

int r_healthz(call *c, sw_store *s)
{
    return reply_json(c, 200,
                      json_pack("{s:s, s:s, s:i}", "status", "ok", "version",
                                STEWARD_VERSION, "schema",
                                sw_store_schema_version(s)));
}

int r_metrics(call *c, sw_store *s)
{
    size_t len = 0;
    char *text = metrics_text(c->srv, s, &len);
    if (!text)
        return reply_error(c, 500, "out_of_memory", "no metrics");
    return reply_text(c, 200, "text/plain; version=0.0.4", text, len);
}

/* ---- subjects ---- */

#define MAX_IDENTS 16

int r_subject_add(call *c, sw_store *s)
{
    sw_subject_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.kind = b_str(c, "kind");
    spec.account = b_str(c, "account");
    spec.tenant = b_str(c, "tenant");
    spec.role = b_str(c, "role");
    if (!spec.kind)
        return reply_missing(c, "kind: a subject kind of the policy");
    sw_ident ids[MAX_IDENTS];
    json_t *list = json_object_get(c->in, "identifiers");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (i == MAX_IDENTS)
            return reply_error(c, 413, "too_large",
                               "at most %d identifiers at once", MAX_IDENTS);
        ids[i].type = json_string_value(json_object_get(v, "type"));
        ids[i].value = json_string_value(json_object_get(v, "value"));
        if (!ids[i].type || !ids[i].value)
            return reply_missing(c, "identifiers[]: {type, value} strings");
        spec.n_idents = i + 1;
    }
    spec.idents = ids;
    char id[SW_ID_BUFSZ];
    sw_status st = sw_subject_add(s, &spec, id);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 201,
                      json_pack("{s:s, s:s}", "id", id, "kind", spec.kind));
}

int r_subject_find(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    if (!who_of(c, &who, &id))
        return 0;
    if (who.subject)
        return reply_missing(c, "look up by an identifier, not a subject");
    char sid[SW_ID_BUFSZ];
    sw_status st = sw_subject_find(s, who.ident, sid);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200, json_pack("{s:[s]}", "subjects", sid));
}

int r_subject_show(call *c, sw_store *s)
{
    sw_subject_view *v;
    sw_status st = sw_subject_show(s, c->param[0], &v);
    if (st != SW_OK)
        return reply_store(c, s, st);
    json_t *o = sv_subject_view(v, c->srv->policy);
    sw_subject_view_free(v);
    return reply_json(c, 200, o);
}

int r_subject_erase(call *c, sw_store *s)
{
    sw_erase_result r;
    sw_status st = sw_subject_erase(s, c->param[0], &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200, sv_erase_result(c->param[0], &r));
}

int r_ident_add(call *c, sw_store *s)
{
    sw_ident id = {b_str(c, "type"), b_str(c, "value")};
    if (!id.type || !id.value)
        return reply_missing(c, "type and value are required");
    sw_status st = sw_ident_add(s, c->param[0], &id);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(
        c, 201,
        json_pack("{s:s, s:s}", "subject", c->param[0], "type", id.type));
}

static int restrict_to(call *c, sw_store *s, bool on)
{
    sw_status st = sw_subject_restrict(s, c->param[0], on, b_str(c, "reason"));
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(
        c, 200,
        json_pack("{s:s, s:b}", "subject", c->param[0], "restricted", on));
}

int r_subject_restrict(call *c, sw_store *s)
{
    return restrict_to(c, s, true);
}

int r_subject_unrestrict(call *c, sw_store *s)
{
    return restrict_to(c, s, false);
}

int r_subject_child(call *c, sw_store *s)
{
    sw_erase_result r;
    sw_status st = sw_subject_child(s, c->param[0], &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200,
                      json_pack("{s:s, s:b, s:I}", "subject", c->param[0],
                                "erased", 1, "records", (json_int_t)r.records));
}

/* ---- records and events ---- */

int r_record_add(call *c, sw_store *s)
{
    sw_record_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.subject = b_str(c, "subject");
    spec.activity = b_str(c, "activity");
    spec.category = b_str(c, "category");
    spec.value = b_str(c, "value");
    spec.source = b_str(c, "source");
    spec.event = b_str(c, "event");
    if (!spec.subject || !spec.activity || !spec.category || !spec.value)
        return reply_missing(c, "subject, activity, category and value are "
                                "required");
    spec.value_len = strlen(spec.value);
    if (!instant_arg(c, "collected_at", b_str(c, "collected_at"),
                     &spec.has_collected_at, &spec.collected_at))
        return 0;
    char id[SW_ID_BUFSZ];
    sw_due due;
    sw_status st = sw_record_add(s, &spec, id, &due);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 201,
                      json_pack("{s:s, s:o, s:s?}", "id", id, "due",
                                sv_instant(due.has_due, due.due_at), "rule",
                                due.rule[0] ? due.rule : NULL));
}

int r_event_add(call *c, sw_store *s)
{
    sw_event_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.type = b_str(c, "type");
    spec.subject = b_str(c, "subject");
    spec.account = b_str(c, "account");
    spec.tenant = b_str(c, "tenant");
    spec.record = b_str(c, "record");
    spec.event = b_str(c, "event");
    if (!spec.type)
        return reply_missing(c, "type: a trigger of the policy");
    bool has;
    if (!instant_arg(c, "at", b_str(c, "at"), &has, &spec.at))
        return 0;
    if (!has)
        spec.at = srv_now(c->srv);
    char id[SW_ID_BUFSZ];
    size_t moved = 0;
    sw_status st = sw_event_add(s, &spec, id, &moved);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 201,
                      json_pack("{s:s, s:s, s:I}", "id", id, "type", spec.type,
                                "records_now_due", (json_int_t)moved));
}

/* ---- holds ---- */

static int hold_one(const sw_hold_view *h, void *ctx)
{
    return json_array_append_new(ctx, sv_hold_view(h));
}

int r_hold_list(call *c, sw_store *s)
{
    const char *all = q_arg(c, "all");
    json_t *list = json_array();
    sw_status st = sw_hold_list(
        s, all && strcmp(all, "false") != 0 && strcmp(all, "0") != 0, hold_one,
        list);
    return reply_list(c, s, st, "holds", list);
}

int r_hold_place(call *c, sw_store *s)
{
    const char *scope = b_str(c, "scope"), *kind = b_str(c, "kind");
    if (!scope || !kind)
        return reply_missing(c, "scope, kind and reason are required");
    char id[SW_ID_BUFSZ];
    sw_status st = sw_hold_place(s, scope, kind, b_str(c, "reason"), id);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(
        c, 201,
        json_pack("{s:s, s:s, s:s}", "id", id, "kind", kind, "scope", scope));
}

int r_hold_release(call *c, sw_store *s)
{
    sw_status st = sw_hold_release(s, c->param[0]);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(
        c, 200, json_pack("{s:s, s:b}", "id", c->param[0], "released", 1));
}

/* ---- the disclosure log ---- */

int r_disclosure_add(call *c, sw_store *s)
{
    sw_disclosure_spec d;
    memset(&d, 0, sizeof(d));
    d.recipient_kind = b_str(c, "recipient_kind");
    d.recipient = b_str(c, "recipient");
    d.basis = b_str(c, "basis");
    d.reference = b_str(c, "reference");
    d.scope = b_str(c, "scope");
    json_t *cats = c->in ? json_object_get(c->in, "categories") : NULL;
    const char *list[32];
    size_t i;
    json_t *x;
    if (!d.recipient_kind || !d.recipient || !d.basis || !d.reference ||
        !d.scope || !json_is_array(cats) || json_array_size(cats) > 32)
        return reply_missing(c, "recipient_kind, recipient, basis, reference, "
                                "scope and categories (at most 32) are "
                                "required");
    json_array_foreach(cats, i, x)
    {
        if (!json_is_string(x))
            return reply_missing(c, "categories: an array of the policy's "
                                    "category names");
        list[d.n_categories++] = json_string_value(x);
    }
    d.categories = list;
    const char *until = b_str(c, "confidential_until"), *at = b_str(c, "at");
    if ((until && sw_instant_parse(until, &d.confidential_until) != SW_OK) ||
        (at && sw_instant_parse(at, &d.at) != SW_OK))
        return reply_error(c, 422, "invalid",
                           "confidential_until and at: ISO-8601 dates or "
                           "instants");
    d.has_confidential_until = until != NULL;
    d.has_at = at != NULL;
    char id[SW_ID_BUFSZ];
    sw_status st = sw_disclosure_add(s, &d, id);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 201, json_pack("{s:s}", "id", id));
}

static int disclosure_one(const sw_disclosure_view *d, void *ctx)
{
    return json_array_append_new(ctx, sv_disclosure_view(d));
}

int r_disclosure_list(call *c, sw_store *s)
{
    json_t *list = json_array();
    sw_status st =
        sw_disclosure_list(s, q_arg(c, "subject"), disclosure_one, list);
    return reply_list(c, s, st, "disclosures", list);
}

/* ---- traffic: the body is spooled to disk as it arrives, then ingested ----
 * An ingest is one transaction (a bad line stores nothing), so it must not
 * wait on the network: a slow client would hold the store's write lock and
 * stall every other writer. The body goes to an unlinked file next to the
 * store, piece by piece (memory stays flat), and the ingest reads it once
 * the body is complete. */

typedef struct ingest {
    int fd;
    size_t bytes;
    bool failed;
    int err; /* errno of the write that failed */
} ingest;

static int ingest_data(call *c, const char *data, size_t n)
{
    ingest *g = c->stream;
    g->bytes += n;
    while (n > 0 && !g->failed) {
        ssize_t w = write(g->fd, data, n);
        if (w < 0) {
            g->err = errno;   /* read now: later calls change it */
            g->failed = true; /* the disk is full: answered at the end */
            return -1;
        }
        data += w;
        n -= (size_t)w;
    }
    return 0;
}

static void ingest_run(call *c, ingest *g)
{
    char err[512];
    if (g->failed) {
        reply_error(c, 500, "io_error",
                    "the body could not be spooled to disk (%s)",
                    strerror(g->err));
        return;
    }
    sw_store *s = pool_take(c->srv, err, sizeof(err));
    if (!s) {
        reply_error(c, 500, "store", "%s", err);
        return;
    }
    call_actor(c, s);
    sw_diags *diags = sw_diags_new();
    FILE *f = lseek(g->fd, 0, SEEK_SET) == 0 ? fdopen(dup(g->fd), "r") : NULL;
    sw_ingest_options o;
    memset(&o, 0, sizeof(o));
    const char *skip = q_arg(c, "skip_bad");
    o.skip_bad = skip && strcmp(skip, "false") != 0 && strcmp(skip, "0");
    sw_ingest_result r;
    memset(&r, 0, sizeof(r));
    sw_status st = !diags ? SW_ERR_NOMEM
                   : !f
                       ? SW_ERR_IO
                       : sw_traffic_ingest(s, f, "request body", &o, diags, &r);
    if (f)
        fclose(f);
    if (st != SW_OK && st != SW_ERR_SYNTAX && st != SW_ERR_INVALID) {
        reply_store(c, s, st);
    } else {
        json_t *errs = json_array();
        char line[1024];
        for (size_t i = 0; i < sw_diags_count(diags); i++)
            json_array_append_new(
                errs, json_string(sw_diag_format(sw_diags_at(diags, i), line,
                                                 sizeof(line))));
        json_t *out = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:I, s:o}",
                                "status", st == SW_OK ? "stored" : "refused",
                                "lines", (json_int_t)r.lines, "stored",
                                (json_int_t)r.stored, "bad", (json_int_t)r.bad,
                                "stripped", (json_int_t)r.stripped, "format",
                                r.csv ? "csv" : "ndjson", "bytes",
                                (json_int_t)g->bytes, "errors", errs);
        if (st != SW_OK)
            json_object_set_new(out, "error",
                                json_pack("{s:s, s:s}", "code", "invalid",
                                          "message", sw_errmsg(s)));
        reply_json(c, st == SW_OK ? 200 : 422, out);
    }
    sw_diags_free(diags);
    pool_give(c->srv, s);
}

static void ingest_end(call *c, bool aborted)
{
    ingest *g = c->stream;
    if (!aborted)
        ingest_run(c, g);
    close(g->fd);
    free(g);
    c->stream = NULL;
    c->stream_end = NULL;
    c->stream_data = NULL;
}

int r_traffic_ingest(call *c, sw_store *unused)
{
    (void)unused;
    ingest *g = calloc(1, sizeof(*g));
    if (!g)
        return reply_error(c, 500, "out_of_memory", "no memory for ingest");
    /* next to a store file: on its disk, not in a RAM-backed /tmp; for a
     * database server, in TMPDIR or /var/tmp */
    char dir[1024];
    const char *store = c->srv->o.store;
    if (strstr(store, "://")) {
        snprintf(dir, sizeof(dir), "%s",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp");
    } else {
        snprintf(dir, sizeof(dir), "%s", store);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof(dir), ".");
    }
    g->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (g->fd < 0) {
        int e = errno;
        free(g);
        return reply_error(c, 500, "io_error",
                           "cannot spool the body next to the store (%s)",
                           strerror(e));
    }
    c->stream = g;
    c->stream_end = ingest_end;
    c->stream_data = ingest_data;
    return 0;
}

static int traffic_row(const sw_traffic_row *r, void *ctx)
{
    char at[SW_INSTANT_BUFSZ];
    return json_array_append_new(
        ctx,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:I, "
                  "s:s, s:s, s:s, s:s, s:b}",
                  "id", r->id, "account", r->account, "channel", r->channel,
                  "at", sw_instant_format(r->at, at), "sender", r->sender,
                  "destination", r->identifiers ? r->destination : NULL,
                  "country", r->country, "imsi", r->imsi[0] ? r->imsi : NULL,
                  "imei", r->imei[0] ? r->imei : NULL, "duration",
                  (json_int_t)r->duration, "operator", r->operator_, "route",
                  r->route, "price", r->price, "currency", r->currency,
                  "identifiers", r->identifiers));
}

int r_traffic_find(call *c, sw_store *s)
{
    sw_who who;
    sw_ident id;
    if (!who_of(c, &who, &id))
        return 0;
    if (who.subject)
        return reply_missing(c, "find traffic by msisdn, phone, imsi or imei");
    json_t *list = json_array();
    size_t found = 0;
    sw_status st =
        sw_traffic_find(s, id.type, id.value, traffic_row, list, &found);
    if (st != SW_OK) {
        json_decref(list);
        return reply_store(c, s, st);
    }
    return reply_json(
        c, 200,
        json_pack("{s:o, s:I}", "records", list, "found", (json_int_t)found));
}

/* A customer's instruction from the body: its account, the end user's
 * msisdn (or phone) or email, the instruction's reference. A service key
 * acts for the account it is scoped to and no other. */
static bool instruction_of(call *c, sw_instruction *in)
{
    const char *msisdn = b_str(c, "msisdn"), *phone = b_str(c, "phone"),
               *email = b_str(c, "email");
    in->account = b_str(c, "account");
    in->instruction = b_str(c, "instruction");
    if (!in->account || !!msisdn + !!phone + !!email != 1) {
        reply_missing(c, "account and one of msisdn or email are required");
        return false;
    }
    in->type = email ? "email" : "msisdn";
    in->value = email ? email : msisdn ? msisdn : phone;
    if (c->key.role == SW_ROLE_SERVICE && !c->key.account[0]) {
        reply_error(c, 403, "forbidden",
                    "a customer's instruction needs a service key scoped to "
                    "its account (steward key create --role service "
                    "--account ACC)");
        return false;
    }
    if (c->key.account[0] && strcmp(c->key.account, in->account) != 0) {
        reply_error(c, 403, "forbidden", "this key acts for account %s only",
                    c->key.account);
        return false;
    }
    return true;
}

int r_traffic_export(call *c, sw_store *s)
{
    sw_instruction in;
    if (!instruction_of(c, &in))
        return 0;
    json_t *list = json_array();
    size_t found = 0;
    sw_status st = sw_traffic_export(s, &in, traffic_row, list, &found);
    if (st != SW_OK) {
        json_decref(list);
        return reply_store(c, s, st);
    }
    return reply_json(c, 200,
                      json_pack("{s:s, s:o, s:I}", "account", in.account,
                                "records", list, "found", (json_int_t)found));
}

int r_traffic_erase(call *c, sw_store *s)
{
    sw_instruction in;
    if (!instruction_of(c, &in))
        return 0;
    if (!in.instruction)
        return reply_missing(c, "instruction (the customer's reference for "
                                "it) is required to erase");
    sw_traffic_erased r;
    sw_status st = sw_traffic_erase(s, &in, &r);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200,
                      json_pack("{s:s, s:s, s:I, s:I}", "account", in.account,
                                "instruction", in.instruction, "erased",
                                (json_int_t)r.erased, "kept_under_hold",
                                (json_int_t)r.kept_held));
}

int r_traffic_bill(call *c, sw_store *s)
{
    const char *account = b_str(c, "account"), *period = b_str(c, "period"),
               *status = b_str(c, "status");
    if (!account || !period || !status)
        return reply_missing(c, "account, period (YYYY-MM) and status (unpaid, "
                                "disputed, settled, closed) are required");
    sw_status st = sw_traffic_bill(s, account, period, status);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200,
                      json_pack("{s:s, s:s, s:s}", "account", account, "period",
                                period, "status", status));
}

/* ---- sweeps ---- */

int r_sweep(call *c, sw_store *s)
{
    const char *dry = q_arg(c, "dry_run");
    bool dry_run = b_bool(c, "dry_run", false) ||
                   (dry && strcmp(dry, "false") != 0 && strcmp(dry, "0") != 0);
    if (!dry_run && c->key.role != SW_ROLE_ADMIN)
        return reply_error(c, 403, "forbidden",
                           "only an admin key may run the sweep; a %s key "
                           "may plan it (dry_run=true)",
                           sw_key_role_name(c->key.role));
    sw_sweep_report *rep = NULL;
    sw_status st = srv_sweep(c->srv, s, dry_run, &rep);
    if (st != SW_OK)
        return reply_store(c, s, st);
    char *text = sw_sweep_report_json(rep);
    sw_sweep_report_free(rep);
    return reply_json_text(c, text, "the certificate");
}

int r_retention_audit(call *c, sw_store *s)
{
    sw_retention_audit *a = NULL;
    sw_status st = sw_retention_audit_run(s, &a);
    if (st != SW_OK) {
        sw_retention_audit_free(a);
        return reply_store(c, s, st);
    }
    char *text = sw_retention_audit_json(a);
    sw_retention_audit_free(a);
    return reply_json_text(c, text, "the retention audit");
}

/* The last `keep` entries of a scan of the audit trail, oldest first. */
typedef struct tail_ctx {
    json_t *list;
    size_t keep;
} tail_ctx;

/* ?limit= entries (default dflt, at most 100000); false after replying 422
 * to a limit that is not a whole number from 1. */
static bool tail_new(call *c, size_t dflt, tail_ctx *x)
{
    size_t keep;
    if (!q_uint(c, "limit", dflt, 100000, &keep))
        return false;
    *x = (tail_ctx){json_array(), keep};
    return true;
}

static void tail_push(tail_ctx *x, json_t *v)
{
    json_array_append_new(x->list, v);
    if (json_array_size(x->list) > x->keep)
        json_array_remove(x->list, 0);
}

static int cert_one(const sw_audit_entry *e, void *p)
{
    tail_ctx *x = p;
    if (strcmp(e->action, "sweep.certificate") != 0)
        return 0;
    json_t *d = json_loads(e->details, 0, NULL);
    char at[SW_INSTANT_BUFSZ];
    tail_push(x,
              json_pack("{s:I, s:s, s:s, s:s, s:o}", "seq", (json_int_t)e->seq,
                        "at", sw_instant_format(e->at, at), "actor", e->actor,
                        "hash", e->hash, "certificate", d ? d : json_null()));
    return 0;
}

int r_sweep_list(call *c, sw_store *s)
{
    tail_ctx x;
    if (!tail_new(c, 20, &x))
        return 0;
    sw_status st = sw_audit_log(s, NULL, cert_one, &x);
    if (st != SW_OK) {
        json_decref(x.list);
        return reply_store(c, s, st);
    }
    /* newest first */
    json_t *rev = json_array();
    for (size_t i = json_array_size(x.list); i-- > 0;)
        json_array_append(rev, json_array_get(x.list, i));
    json_decref(x.list);
    return reply_json(c, 200, json_pack("{s:o}", "sweeps", rev));
}

/* ---- audit, policy ---- */

int r_audit_verify(call *c, sw_store *s)
{
    sw_audit_verdict v;
    sw_status st = sw_audit_verify(s, &v);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 200, sv_audit_verdict(&v));
}

static int log_one(const sw_audit_entry *e, void *p)
{
    tail_push(p, sv_audit_entry(e));
    return 0;
}

int r_audit_log(call *c, sw_store *s)
{
    sw_audit_filter f;
    memset(&f, 0, sizeof(f));
    f.subject = q_arg(c, "subject");
    if (!instant_arg(c, "since", q_arg(c, "since"), &f.has_since, &f.since))
        return 0;
    tail_ctx x;
    if (!tail_new(c, 100, &x))
        return 0;
    sw_status st = sw_audit_log(s, &f, log_one, &x);
    return reply_list(c, s, st, "entries", x.list);
}

static int policy_report(call *c,
                         sw_status (*fn)(const sw_policy *, sw_format, char **))
{
    char *text = NULL;
    sw_status st = fn(c->srv->policy, SW_FORMAT_JSON, &text);
    if (st != SW_OK)
        return reply_store(c, NULL, st);
    return reply_json_text(c, text, "the report");
}

int r_policy_schedule(call *c, sw_store *s)
{
    (void)s;
    return policy_report(c, sw_report_schedule);
}

int r_policy_ropa(call *c, sw_store *s)
{
    (void)s;
    return policy_report(c, sw_report_ropa);
}

int r_policy_due(call *c, sw_store *s)
{
    (void)s;
    const char *rule = q_arg(c, "rule");
    bool has;
    sw_instant t;
    if (!rule || !q_arg(c, "trigger"))
        return reply_missing(c, "rule and trigger are required");
    if (!instant_arg(c, "trigger", q_arg(c, "trigger"), &has, &t))
        return 0;
    const sw_rule *r = sw_policy_rule(c->srv->policy, rule);
    if (!r)
        return reply_error(c, 404, "not_found",
                           "no retention rule '%s' (see /v1/policy/schedule)",
                           rule);
    return reply_json(c, 200,
                      sv_rule_due(c->srv->policy, r, t, q_arg(c, "country")));
}

/* ---- keys ---- */

int r_key_create(call *c, sw_store *s)
{
    sw_key_role role;
    if (!sw_key_role_parse(b_str(c, "role"), &role))
        return reply_missing(c, "role: admin, dpo, service or auditor");
    char id[SW_ID_BUFSZ], token[SW_APIKEY_BUFSZ];
    sw_status st = sw_key_create_for(s, role, b_str(c, "label"),
                                     b_str(c, "account"), id, token);
    if (st != SW_OK)
        return reply_store(c, s, st);
    return reply_json(c, 201,
                      json_pack("{s:s, s:s, s:s}", "id", id, "role",
                                sw_key_role_name(role), "key", token));
}

static int key_one(const sw_key_view *k, void *ctx)
{
    return json_array_append_new(ctx, sv_key_view(k));
}

int r_key_list(call *c, sw_store *s)
{
    json_t *list = json_array();
    sw_status st = sw_key_list(s, key_one, list);
    return reply_list(c, s, st, "keys", list);
}

int r_key_revoke(call *c, sw_store *s)
{
    sw_status st = sw_key_revoke(s, c->param[0]);
    if (st != SW_OK)
        return reply_store(c, s, st);
    keys_forget(c->srv);
    return reply_json(c, 200,
                      json_pack("{s:s, s:b}", "id", c->param[0], "revoked", 1));
}
