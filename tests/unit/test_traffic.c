/* SPDX-License-Identifier: Apache-2.0 */
/* Traffic data: ingest, find, the day keys that go after 12 months, holds
 * and unsettled bills that keep them, national extensions, and the
 * customer's part deleted after 10 years with its month dropped. */
#include <stdlib.h>
#include <string.h>

#include "steward/audit.h"
#include "testutil.h"
#include "traffic/ndjson.h"

static const char *line(char *buf, size_t n, const char *id,
                        const char *account, const char *time, const char *dest,
                        const char *country)
{
    snprintf(buf, n,
             "{\"id\":\"%s\",\"account\":\"%s\",\"channel\":\"sms\","
             "\"time\":\"%s\",\"sender\":\"ACME\",\"destination\":\"%s\","
             "\"country\":\"%s\",\"imsi\":\"234150123456789\","
             "\"imei\":\"490154203237518\",\"duration\":0,\"operator\":\"OpA\","
             "\"route\":\"r1\",\"price\":\"0.0400\",\"currency\":\"EUR\"}\n",
             id, account, time, dest, country);
    return buf;
}

static sw_status ingest_text(tu_store *t, const char *text, bool skip_bad,
                             sw_ingest_result *r, sw_diags **d)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    *d = sw_diags_new();
    sw_ingest_options o = {skip_bad, 0, NULL, NULL};
    sw_status st = sw_traffic_ingest(t->s, f, "cdr.ndjson", &o, *d, r);
    fclose(f);
    return st;
}

static size_t find(tu_store *t, const char *msisdn)
{
    size_t n = 0;
    if (sw_traffic_find(t->s, "msisdn", msisdn, NULL, NULL, &n) != SW_OK)
        fail_msg("find: %s", sw_errmsg(t->s));
    return n;
}

static sw_sweep_report *sweep(tu_store *t, const char *now)
{
    return tu_sweep(t, now);
}

/* Three records of one person on 2025-03-14 and one on 2025-04-02. */
static void fill(tu_store *t)
{
    char buf[4][512], all[2048];
    snprintf(all, sizeof(all), "%s%s%s%s",
             line(buf[0], 512, "c1", "ACC-1", "2025-03-14T10:00:00Z",
                  "+44 7700 900123", "GB"),
             line(buf[1], 512, "c2", "ACC-2", "2025-03-14T23:59:59Z",
                  "+447700900123", "GB"),
             line(buf[2], 512, "c3", "ACC-1", "2025-03-14T12:00:00Z",
                  "+447700900999", "GB"),
             line(buf[3], 512, "c4", "ACC-1", "2025-04-02T08:00:00Z",
                  "+447700900123", "GB"));
    sw_ingest_result r;
    sw_diags *d;
    assert_int_equal(ingest_text(t, all, false, &r, &d), SW_OK);
    assert_int_equal(r.stored, 4);
    assert_int_equal(r.stripped, 0);
    sw_diags_free(d);
}

static void test_traffic__find_across_days_and_decrypt(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    fill(&t);
    assert_int_equal(find(&t, "+447700900123"), 3);
    assert_int_equal(find(&t, "00447700900999"), 1);
    assert_int_equal(find(&t, "+447700900000"), 0);
    /* The identifiers are nowhere in clear. */
    char wal[600];
    snprintf(wal, sizeof(wal), "%s-wal", t.path);
    assert_false(tu_file_contains(t.path, "447700900123"));
    assert_false(tu_file_contains(wal, "447700900123"));
    assert_false(tu_file_contains(wal, "234150123456789"));
    assert_false(tu_file_contains(wal, "490154203237518"));
    /* The customer's part is in clear, as the notice allows. */
    assert_true(tu_file_contains(wal, "ACC-1") ||
                tu_file_contains(t.path, "ACC-1"));
    tu_store_free(&t);
}

static int count_late_days(const sw_traffic_row *r, void *ctx)
{
    int day;
    sw_instant_fields(r->at, NULL, NULL, &day, NULL);
    *(size_t *)ctx += day >= 25;
    return 0;
}

/* Regression: a look-up probes one blind index per live day of a month;
 * the PostgreSQL backend sent at most 24 of them and lost days 25 to 31.
 * Two full months, one record a day, all found on either backend. */
static void test_traffic__full_months_found_whole(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    size_t cap = 64 * 512;
    char *all = malloc(cap), buf[512];
    assert_non_null(all);
    all[0] = '\0';
    size_t len = 0, days = 0;
    for (int m = 3; m <= 4; m++)
        for (int d = 1; d <= (m == 3 ? 31 : 30); d++) {
            char id[16], when[32];
            snprintf(id, sizeof(id), "m%d-%02d", m, d);
            snprintf(when, sizeof(when), "2025-%02d-%02dT12:00:00Z", m, d);
            line(buf, sizeof(buf), id, d % 2 ? "ACC-1" : "ACC-2", when,
                 "+447700900555", "GB");
            len += (size_t)snprintf(all + len, cap - len, "%s", buf);
            days++;
        }
    sw_ingest_result r;
    sw_diags *dg;
    assert_int_equal(ingest_text(&t, all, false, &r, &dg), SW_OK);
    sw_diags_free(dg);
    assert_int_equal(r.stored, days);
    assert_int_equal(days, 61);
    assert_int_equal(find(&t, "+447700900555"), 61);
    /* the days past the 24th of each month are there */
    size_t late = 0, n = 0;
    assert_int_equal(sw_traffic_find(t.s, "msisdn", "+447700900555",
                                     count_late_days, &late, &n),
                     SW_OK);
    assert_int_equal(n, 61);
    assert_int_equal(late, 7 + 6); /* 25-31 March, 25-30 April */
    free(all);
    tu_store_free(&t);
}

static void test_traffic__day_key_goes_after_twelve_months(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    fill(&t);
    /* 2025-03-14 is kept until the end of 2026-03-14. */
    sw_sweep_report *r = sweep(&t, "2026-03-14T23:59:59Z");
    assert_int_equal(r->epochs_destroyed, 0);
    sw_sweep_report_free(r);
    assert_int_equal(find(&t, "+447700900123"), 3);
    r = sweep(&t, "2026-03-15T00:00:00Z");
    assert_int_equal(r->epochs_destroyed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(find(&t, "+447700900123"), 1); /* 2025-04-02 remains */
    assert_int_equal(find(&t, "+447700900999"), 0);
    /* The customer's part stays. */
    assert_int_equal(
        tu_count_sql(t.path, "SELECT count(*) FROM traffic_202503"), 3);
    tu_store_free(&t);
}

/* Warming a fresh handle reads the months that still have live day keys,
 * and finds the same records afterwards. */
static void test_traffic__warm_reads_live_months(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    size_t months = 99;
    assert_int_equal(sw_traffic_warm(t.s, &months), SW_OK);
    assert_int_equal(months, 0); /* no traffic yet */
    fill(&t);
    tu_store_reopen(&t);
    assert_int_equal(sw_traffic_warm(t.s, &months), SW_OK);
    assert_int_equal(months, 2); /* 2025-03 and 2025-04 */
    assert_int_equal(find(&t, "+447700900123"), 3);
    /* March's only day key goes: April alone is left to warm. */
    sw_sweep_report_free(sweep(&t, "2026-03-15T00:00:00Z"));
    tu_store_reopen(&t);
    assert_int_equal(sw_traffic_warm(t.s, &months), SW_OK);
    assert_int_equal(months, 1);
    assert_int_equal(find(&t, "+447700900123"), 1);
    tu_store_free(&t);
}

static void test_traffic__hold_and_unpaid_bill_keep_identifiers(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    fill(&t);
    char hold[SW_ID_BUFSZ];
    assert_int_equal(
        sw_hold_place(t.s, "account:ACC-2", "litigation", "claim 9", hold),
        SW_OK);
    assert_int_equal(sw_traffic_bill(t.s, "ACC-1", "2025-03", "disputed"),
                     SW_OK);
    /* the plan names the rows the sweep will keep, and changes nothing */
    sw_sweep_options plan = {true, 0, NULL, NULL};
    sw_sweep_report *r;
    tu_store_now(&t, "2026-04-01T00:00:00Z");
    assert_int_equal(sw_sweep(t.s, &plan, &r), SW_OK);
    assert_int_equal(r->epochs_destroyed, 1);
    assert_int_equal(r->traffic_rekeyed, 3);
    sw_sweep_report_free(r);
    assert_int_equal(find(&t, "+447700900999"), 1);
    r = sweep(&t, "2026-04-01T00:00:00Z");
    assert_int_equal(r->epochs_destroyed, 1);
    assert_int_equal(r->traffic_rekeyed, 3); /* c1, c2, c3 */
    sw_sweep_report_free(r);
    assert_int_equal(find(&t, "+447700900123"), 3);
    /* Settling the bill lets ACC-1's records go; the hold keeps c2. */
    assert_int_equal(sw_traffic_bill(t.s, "ACC-1", "2025-03", "settled"),
                     SW_OK);
    r = sweep(&t, "2026-04-01T00:00:00Z");
    assert_int_equal(r->traffic_stripped, 2);
    sw_sweep_report_free(r);
    assert_int_equal(find(&t, "+447700900123"), 2); /* c2 and c4 */
    assert_int_equal(find(&t, "+447700900999"), 0);
    assert_int_equal(sw_hold_release(t.s, hold), SW_OK);
    r = sweep(&t, "2026-04-01T00:00:00Z");
    assert_int_equal(r->traffic_stripped, 1);
    sw_sweep_report_free(r);
    assert_int_equal(find(&t, "+447700900123"), 1);
    assert_int_equal(sw_traffic_bill(t.s, "ACC-1", "2025-3", "paid"),
                     SW_ERR_INVALID);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(t.s, &v), SW_OK);
    assert_true(v.intact);
    tu_store_free(&t);
}

typedef struct acc_rows {
    size_t n;
    bool other; /* a row of another account came back */
} acc_rows;

static int count_acc1(const sw_traffic_row *r, void *p)
{
    acc_rows *a = p;
    a->n++;
    a->other |= strcmp(r->account, "ACC-1") != 0 || !r->identifiers ||
                strcmp(r->destination, "+447700900123") != 0;
    return 0;
}

static int erase_entry(const sw_audit_entry *e, void *p)
{
    if (strcmp(e->action, "traffic.erase") == 0)
        snprintf(p, 512, "%s", e->details);
    return 0;
}

/* Notice 2: on a customer's instruction, one end user's identifiers go
 * from that customer's records only; the customer's part stays, another
 * customer's records and held ones are not touched. */
static void
test_traffic__customer_instruction_touches_its_records_only(void **s)
{
    (void)s;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    fill(&t); /* +447700900123: c1, c4 of ACC-1 and c2 of ACC-2 */
    sw_instruction in = {"ACC-1", "phone", "07700 900123", NULL};
    acc_rows a = {0, false};
    size_t n = 0;
    assert_int_equal(sw_traffic_export(t.s, &in, count_acc1, &a, &n), SW_OK);
    assert_int_equal(n, 2);
    assert_int_equal(a.n, 2);
    assert_false(a.other);
    /* erasing needs the instruction's reference */
    sw_traffic_erased r;
    assert_int_equal(sw_traffic_erase(t.s, &in, &r), SW_ERR_INVALID);
    assert_non_null(strstr(sw_errmsg(t.s), "instruction"));
    sw_instruction nobody = {"", "msisdn", "+447700900123", "INS-7"};
    assert_int_equal(sw_traffic_erase(t.s, &nobody, &r), SW_ERR_INVALID);
    char hold[SW_ID_BUFSZ];
    assert_int_equal(
        sw_hold_place(t.s, "record:c4", "litigation", "claim 4", hold), SW_OK);
    in.instruction = "INS-7";
    assert_int_equal(sw_traffic_erase(t.s, &in, &r), SW_OK);
    assert_int_equal(r.erased, 1);                  /* c1 */
    assert_int_equal(r.kept_held, 1);               /* c4 */
    assert_int_equal(find(&t, "+447700900123"), 2); /* c2 (ACC-2) and c4 */
    assert_int_equal(find(&t, "+447700900999"), 1); /* another end user */
    /* c1 is still there for the customer's bill, without identifiers */
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM traffic_202503"
                                          " WHERE ext_id = 'c1' AND ids IS NULL"
                                          " AND dest_bi IS NULL"
                                          " AND price = '0.0400'"),
                     1);
    char details[512] = "";
    assert_int_equal(sw_audit_log(t.s, NULL, erase_entry, details), SW_OK);
    assert_non_null(strstr(details, "\"INS-7\""));
    assert_non_null(strstr(details, "\"ACC-1\""));
    assert_null(strstr(details, "900123"));
    /* once released, the held record goes on the next instruction */
    assert_int_equal(sw_hold_release(t.s, hold), SW_OK);
    assert_int_equal(sw_traffic_erase(t.s, &in, &r), SW_OK);
    assert_int_equal(r.erased, 1);
    assert_int_equal(find(&t, "+447700900123"), 1);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(t.s, &v), SW_OK);
    assert_true(v.intact);
    tu_store_free(&t);
}

static void test_traffic__national_extension_by_country(void **state)
{
    (void)state;
    tu_store t;
    memset(&t, 0, sizeof(t));
    /* A store under the policy that extends DE to 24 months. */
    tu_store_new_policy(
        &t, "2025-05-01T00:00:00Z",
        tu_policy_file("tests/data/policy/good/extension-de.yaml"));
    sw_diags *d = NULL;
    char b1[512], b2[512], all[1100];
    snprintf(all, sizeof(all), "%s%s",
             line(b1, 512, "g1", "ACC-1", "2025-03-14T10:00:00Z",
                  "+447700900123", "GB"),
             line(b2, 512, "d1", "ACC-1", "2025-03-14T11:00:00Z",
                  "+447700900123", "DE"));
    sw_ingest_result r;
    assert_int_equal(ingest_text(&t, all, false, &r, &d), SW_OK);
    sw_diags_free(d);
    sw_sweep_report *rep = sweep(&t, "2026-03-15T00:00:00Z");
    assert_int_equal(rep->epochs_destroyed, 1); /* the GB class only */
    sw_sweep_report_free(rep);
    assert_int_equal(find(&t, "+447700900123"), 1);
    rep = sweep(&t, "2027-03-15T00:00:00Z");
    assert_int_equal(rep->epochs_destroyed, 1);
    sw_sweep_report_free(rep);
    assert_int_equal(find(&t, "+447700900123"), 0);
    tu_store_free(&t);
}

static void test_traffic__customer_part_goes_after_ten_years(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    fill(&t);
    char hold[SW_ID_BUFSZ];
    assert_int_equal(
        sw_hold_place(t.s, "record:c3", "investigation", "inq", hold), SW_OK);
    sw_sweep_report *r = sweep(&t, "2035-03-14T09:59:59Z");
    assert_int_equal(r->traffic_deleted, 0);
    sw_sweep_report_free(r);
    r = sweep(&t, "2035-03-14T10:00:00Z");
    assert_int_equal(r->traffic_deleted, 1); /* c1; c3 is held */
    sw_sweep_report_free(r);
    r = sweep(&t, "2035-04-01T00:00:00Z");
    assert_int_equal(r->traffic_deleted, 1); /* c2 */
    assert_int_equal(r->traffic_held, 1);
    assert_int_equal(r->months_dropped, 0);
    sw_sweep_report_free(r);
    assert_int_equal(sw_hold_release(t.s, hold), SW_OK);
    r = sweep(&t, "2035-04-01T00:00:00Z");
    assert_int_equal(r->traffic_deleted, 1);
    assert_int_equal(r->months_dropped, 1); /* 2025-03 is empty: dropped */
    sw_sweep_report_free(r);
    r = sweep(&t, "2036-01-01T00:00:00Z");
    assert_int_equal(r->traffic_deleted, 1);
    assert_int_equal(r->months_dropped, 1);
    sw_sweep_report_free(r);
    tu_store_free(&t);
}

static void test_traffic__bad_lines_refuse_the_batch(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2025-05-01T00:00:00Z");
    char b1[512], b2[512], all[1600];
    snprintf(all, sizeof(all), "%s{\"id\":\"x\"}\n%snot json\n%s",
             line(b1, 512, "ok1", "A", "2025-03-14T10:00:00Z", "+447700900123",
                  "GB"),
             line(b2, 512, "bad-imei", "A", "2025-03-14T10:00:00Z",
                  "+447700900123", "GB"),
             "{\"id\":\"bad-time\",\"account\":\"A\",\"channel\":\"sms\","
             "\"time\":\"yesterday\",\"destination\":\"+447700900123\"}\n");
    /* make line 3's IMEI wrong */
    char *imei = strstr(strstr(all, "bad-imei"), "490154203237518");
    imei[14] = '7';
    sw_ingest_result r;
    sw_diags *d;
    assert_int_equal(ingest_text(&t, all, false, &r, &d), SW_ERR_INVALID);
    assert_int_equal(r.bad, 4);
    assert_int_equal(r.stored, 0);
    assert_int_equal(sw_diags_count(d), 4);
    assert_int_equal(sw_diags_at(d, 0)->line, 2);
    assert_non_null(strstr(sw_diags_at(d, 0)->message, "needs id, account"));
    assert_int_equal(sw_diags_at(d, 1)->line, 3);
    assert_non_null(strstr(sw_diags_at(d, 1)->message, "check digit"));
    assert_int_equal(sw_diags_at(d, 2)->line, 4);
    assert_int_equal(sw_diags_at(d, 3)->line, 5);
    assert_non_null(strstr(sw_diags_at(d, 3)->message, "ISO-8601"));
    sw_diags_free(d);
    assert_int_equal(find(&t, "+447700900123"), 0); /* nothing half-written */
    assert_int_equal(ingest_text(&t, all, true, &r, &d), SW_OK);
    assert_int_equal(r.stored, 1);
    sw_diags_free(d);
    assert_int_equal(find(&t, "+447700900123"), 1);
    /* The same records again: duplicates are bad lines. */
    assert_int_equal(ingest_text(&t, b1, false, &r, &d), SW_ERR_INVALID);
    assert_non_null(strstr(sw_diags_at(d, 0)->message, "exists"));
    sw_diags_free(d);
    tu_store_free(&t);
}

static void test_traffic__csv_and_old_days(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-06-01T00:00:00Z");
    const char *csv =
        "id,account,channel,time,destination,country,duration,price\n"
        "k1,ACC-9,voice,2025-01-10T10:00:00Z,+447700900555,GB,61,0.10\n"
        "k2,ACC-9,\"e-mail, newsletter\",2026-05-10T10:00:00Z,"
        "Ann@Example.com,,0,0.01\n";
    sw_ingest_result r;
    sw_diags *d;
    assert_int_equal(ingest_text(&t, csv, false, &r, &d), SW_OK);
    sw_diags_free(d);
    assert_true(r.csv);
    assert_int_equal(r.stored, 2);
    assert_int_equal(r.stripped, 1); /* 2025-01-10 is past its 12 months */
    assert_int_equal(find(&t, "+447700900555"), 0);
    size_t n = 0;
    assert_int_equal(
        sw_traffic_find(t.s, "email", "ann@example.com", NULL, NULL, &n),
        SW_OK);
    assert_int_equal(n, 1);
    tu_store_free(&t);
}

/* The NDJSON line parser (simdjson, with jansson for what it cannot
 * judge) gives jansson's answer on every line: the same verdict, the
 * same text of every field. */
static void same_as_jansson(const char *line)
{
    static const char *const names[] = {"id",       "account", "time",
                                        "duration", "price",   "sender"};
    enum { N = sizeof(names) / sizeof(names[0]) };
    char fast_buf[256], ref_buf[256];
    const char *fast[N], *ref[N];
    bool a = sw_ndjson_fields(line, strlen(line), names, N, fast_buf,
                              sizeof(fast_buf), fast);
    bool b = sw_ndjson_fields_jansson(line, strlen(line), names, N, ref_buf,
                                      sizeof(ref_buf), ref);
    if (a != b)
        fail_msg("'%s': %s, jansson says %s", line, a ? "ok" : "refused",
                 b ? "ok" : "refused");
    for (int i = 0; a && i < N; i++) {
        if (!fast[i] != !ref[i] || (fast[i] && strcmp(fast[i], ref[i]) != 0))
            fail_msg("'%s': %s is '%s', jansson says '%s'", line, names[i],
                     fast[i] ? fast[i] : "(none)", ref[i] ? ref[i] : "(none)");
    }
}

static void test_traffic__ndjson_fields_agree_with_jansson(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "{\"id\":\"a\",\"account\":\"ACC\",\"time\":\"2026-01-01T00:00:00Z\"}",
        " {\"id\" : \"a\" , \"duration\": 12}  ",
        "{\"duration\":-0,\"price\":0.027}",
        "{\"duration\":1e2,\"price\":-1.5E-3}",
        "{\"price\":123456789.123456789}",
        "{\"duration\":9223372036854775807}",
        "{\"duration\":9223372036854775808}",       /* past INT64_MAX */
        "{\"x\":[1,{\"y\":18446744073709551615}]}", /* nested, unused */
        "{\"duration\":1e400}",
        "{\"id\":\"a\",\"id\":\"b\"}", /* the last counts */
        "{\"id\":\"a\",\"id\":3}",
        "{\"id\":\"a\",\"id\":null}",
        "{\"id\":true,\"account\":[1],\"sender\":{\"a\":1}}",
        "{\"id\":\"a\\u0000b\"}", /* a NUL: refused */
        "{\"id\":\"\\ud800\"}",   /* a lone surrogate */
        "{\"id\":\"\\u00e9t\\u00e9\"}",
        "{\"sender\":\"caf\xc3\xa9\"}",
        "{\"sender\":\"caf\xc3\"}", /* not UTF-8 */
        "{\"id\":\"tab\there\"}",   /* a raw control char */
        "{\"id\":\"a\"} x",         /* trailing text */
        "{\"id\":\"a\"}{}",
        "[\"id\"]",
        "\"id\"",
        "",
        "{",
        "{\"id\":01}",
        "{\"id\":NaN}",
        "{}",
        "{\"sender\":\"a\\\"quoted\\\" \\\\ name\"}",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        same_as_jansson(lines[i]);
    /* values that do not fit: refused by both */
    char big[300];
    memset(big, 'x', sizeof(big));
    memcpy(big, "{\"id\":\"", 7);
    memcpy(big + sizeof(big) - 3, "\"}", 3);
    same_as_jansson(big);
    /* and a generated day of traffic, line by line */
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "%s/bench/gen-traffic --days 1 --per-day 2000 --format ndjson",
             STEWARD_BUILD_DIR);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        same_as_jansson(line);
        n++;
    }
    assert_int_equal(pclose(f), 0);
    assert_int_equal(n, 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_traffic__ndjson_fields_agree_with_jansson),
        cmocka_unit_test(test_traffic__find_across_days_and_decrypt),
        cmocka_unit_test(test_traffic__full_months_found_whole),
        cmocka_unit_test(test_traffic__day_key_goes_after_twelve_months),
        cmocka_unit_test(test_traffic__warm_reads_live_months),
        cmocka_unit_test(test_traffic__hold_and_unpaid_bill_keep_identifiers),
        cmocka_unit_test(
            test_traffic__customer_instruction_touches_its_records_only),
        cmocka_unit_test(test_traffic__national_extension_by_country),
        cmocka_unit_test(test_traffic__customer_part_goes_after_ten_years),
        cmocka_unit_test(test_traffic__bad_lines_refuse_the_batch),
        cmocka_unit_test(test_traffic__csv_and_old_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
