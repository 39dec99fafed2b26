/* SPDX-License-Identifier: Apache-2.0 */
/* The audit chain: intact after real work; every kind of tampering with
 * the stored entries is detected and the first broken entry named. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "testutil.h"

#define ENTRIES 14 /* store.init, policy.record + the changes below */

static tu_store t;

/* A store with a dozen entries of every kind. */
static void fill(void)
{
    tu_store_new(&t, "2026-02-01T00:00:00Z");
    char sid[SW_ID_BUFSZ], rid[SW_ID_BUFSZ], eid[SW_ID_BUFSZ];
    for (int i = 0; i < 3; i++) {
        char email[64];
        snprintf(email, sizeof(email), "person%d@example.com", i);
        sw_ident id = {"email", email};
        sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 1, &id};
        assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
        sw_record_spec r = {
            sid, "customer_account", "user.name", "Name", 4, NULL, false, 0,
            NULL};
        assert_int_equal(sw_record_add(t.s, &r, rid, NULL), SW_OK);
        assert_int_equal(sw_record_add(t.s, &r, rid, NULL), SW_OK);
    }
    sw_event_spec e = {"account_closed",
                       NULL,
                       "ACME",
                       NULL,
                       NULL,
                       tu_instant("2026-01-31T00:00:00Z"),
                       NULL};
    assert_int_equal(sw_event_add(t.s, &e, eid, NULL), SW_OK);
    sw_subject_view *v;
    assert_int_equal(sw_subject_show(t.s, sid, &v), SW_OK);
    sw_subject_view_free(v);
    sw_erase_result er;
    assert_int_equal(sw_subject_erase(t.s, sid, &er), SW_OK);
    sw_store_close(t.s);
    t.s = NULL;
}

static int setup(void **state)
{
    (void)state;
    fill();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (!t.s)
        tu_store_reopen(&t);
    tu_store_free(&t);
    return 0;
}

static void sql(const char *db_path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sql(const char *db_path, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    tu_exec_sql(db_path, text);
}

static sw_audit_verdict verify(void)
{
    tu_store_reopen(&t);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(t.s, &v), SW_OK);
    sw_store_close(t.s);
    t.s = NULL;
    return v;
}

static void test_audit__intact_after_real_work(void **state)
{
    (void)state;
    sw_audit_verdict v = verify();
    assert_true(v.intact);
    assert_int_equal(v.entries, ENTRIES);
    assert_int_equal(strlen(v.head), 64);
}

/* Copies the store, applies one change with SQL, verifies the copy. */
static sw_audit_verdict tampered(const char *change)
{
    char copy[600], copy_key[600];
    tu_store_copy(&t, copy, sizeof(copy), copy_key, sizeof(copy_key));
    sql(copy, "%s", change);
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = t.policy;
    o.key_file = copy_key;
    sw_store *s;
    sw_error err;
    if (sw_store_open(copy, &o, &s, &err) != SW_OK)
        fail_msg("%s", err.msg);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(s, &v), SW_OK);
    sw_store_close(s);
    tu_store_copy_drop(copy);
    return v;
}

static void test_audit__one_changed_byte_in_any_entry_is_found(void **state)
{
    (void)state;
    /* Each column of each entry, one byte changed at a time. */
    const char *changes[] = {
        "details = replace(details, 'customer', 'custoMer')",
        "actor = 'tesT'",
        "at = at + 1",
        "objects = replace(objects, '_', '-')",
        tu_pg() ? "hash = decode(repeat('00', 32), 'hex')"
                : "hash = zeroblob(32)",
        "action = action || ' '",
    };
    int detected = 0;
    for (long seq = 1; seq <= ENTRIES; seq++) {
        for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
            char change[256];
            snprintf(change, sizeof(change),
                     "UPDATE audit SET %s WHERE seq = %ld", changes[c], seq);
            sw_audit_verdict v = tampered(change);
            /* Some changes do not apply to some entries (no '_' in
             * "[]"): only a real change must be caught. */
            if (v.intact)
                continue;
            assert_int_equal(v.first_bad, seq);
            detected++;
        }
    }
    assert_true(detected >= ENTRIES * 4);
}

static void test_audit__deleted_entry_is_found(void **state)
{
    (void)state;
    sw_audit_verdict v = tampered("DELETE FROM audit WHERE seq = 5");
    assert_false(v.intact);
    assert_int_equal(v.first_bad, 5);
    assert_non_null(strstr(v.reason, "missing"));
}

static void test_audit__reordered_entries_are_found(void **state)
{
    (void)state;
    /* Swap the contents of entries 4 and 7 (seq stays in place). */
    sw_audit_verdict v = tampered("UPDATE audit SET seq = -1 WHERE seq = 4;"
                                  "UPDATE audit SET seq = 4 WHERE seq = 7;"
                                  "UPDATE audit SET seq = 7 WHERE seq = -1;");
    assert_false(v.intact);
    assert_int_equal(v.first_bad, 4);
}

static void test_audit__truncated_tail_is_found(void **state)
{
    (void)state;
    char change[128];
    snprintf(change, sizeof(change), "DELETE FROM audit WHERE seq > %d",
             ENTRIES - 3);
    sw_audit_verdict v = tampered(change);
    assert_false(v.intact);
    assert_int_equal(v.first_bad, ENTRIES - 2);
    assert_non_null(strstr(v.reason, "removed from the end"));
}

static void test_audit__forged_entry_without_the_key_is_found(void **state)
{
    (void)state;
    /* An attacker appends a plausible entry but cannot compute the keyed
     * hash. */
    char change[256];
    snprintf(change, sizeof(change),
             "INSERT INTO audit SELECT seq + 1, at, actor, 'subject.erase', "
             "subject_id, objects, details, hash, hash, written_at FROM audit "
             "WHERE seq = %d",
             ENTRIES);
    sw_audit_verdict v = tampered(change);
    assert_false(v.intact);
    assert_int_equal(v.first_bad, ENTRIES + 1);
}

/* The head's seal in the store's metadata, rewritten by SQL: its entry
 * count and hash those of entry seq, its MAC kept (an attacker without
 * the store key cannot compute a new one). */
static char *reseal(char *buf, size_t n, long seq)
{
    if (tu_pg())
        snprintf(buf, n,
                 "UPDATE meta SET value = (SELECT a.seq || ' ' ||"
                 " encode(a.hash, 'hex') FROM audit a WHERE a.seq = %ld) ||"
                 " ' ' || right(value, 64) WHERE key = 'audit_seal'",
                 seq);
    else
        snprintf(buf, n,
                 "UPDATE meta SET value = (SELECT a.seq || ' ' ||"
                 " lower(hex(a.hash)) FROM audit a WHERE a.seq = %ld) || ' ' ||"
                 " substr(value, length(value) - 63) WHERE key = 'audit_seal'",
                 seq);
    return buf;
}

/* Regression: entries cut from the end with the head rewritten to the
 * last remaining one read as intact; the head is sealed now. */
static void test_audit__cut_tail_with_rewritten_head_is_found(void **state)
{
    (void)state;
    char change[1024], seal[512];
    snprintf(change, sizeof(change), "DELETE FROM audit WHERE seq > %d; %s",
             ENTRIES - 3, reseal(seal, sizeof(seal), ENTRIES - 3));
    sw_audit_verdict v = tampered(change);
    assert_false(v.intact);
    assert_non_null(strstr(v.reason, "seal"));
}

/* Regression: every entry deleted and the head set to nothing read as
 * "intact: 0 entries". */
static void test_audit__emptied_trail_is_found(void **state)
{
    (void)state;
    char change[512];
    snprintf(
        change, sizeof(change),
        "DELETE FROM audit; UPDATE meta SET value ="
        " '0 %064d ' || %s WHERE key = 'audit_seal'",
        0, tu_pg() ? "right(value, 64)" : "substr(value, length(value) - 63)");
    sw_audit_verdict v = tampered(change);
    assert_false(v.intact);
    assert_int_equal(v.entries, 0);
    assert_non_null(strstr(v.reason, "empty"));
}

/* A checkpoint kept elsewhere proves nothing up to it was removed, even
 * when the whole store is put back to an older copy of itself (whose seal
 * is genuine). */
static void test_audit__checkpoint_finds_a_rolled_back_store(void **state)
{
    (void)state;
    char old[600], old_key[600];
    tu_store_copy(&t, old, sizeof(old), old_key, sizeof(old_key));
    tu_store_reopen(&t);
    char sid[SW_ID_BUFSZ];
    sw_ident id = {"email", "later@example.com"};
    sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 1, &id};
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    char *cp = NULL;
    assert_int_equal(sw_audit_checkpoint(t.s, &cp), SW_OK);
    json_t *o = json_loads(cp, 0, NULL);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "entries")),
                     ENTRIES + 1);
    json_decref(o);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify_checkpoint(t.s, cp, &v), SW_OK);
    assert_true(v.intact);
    assert_true(v.checkpoint);
    assert_int_equal(v.checkpoint_seq, ENTRIES + 1);
    /* one changed character of the checkpoint: not this store's signature */
    char *bad = strdup(cp);
    char *h = strstr(bad, "\"head\":\"") + 8;
    *h = *h == '0' ? '1' : '0';
    assert_int_equal(sw_audit_verify_checkpoint(t.s, bad, &v), SW_OK);
    assert_false(v.intact);
    assert_non_null(strstr(v.reason, "signature"));
    free(bad);
    assert_int_equal(sw_audit_verify_checkpoint(t.s, "{\"head\":1}", &v),
                     SW_ERR_SYNTAX);
    sw_store_close(t.s);
    t.s = NULL;

    /* the older copy: its own seal holds, the checkpoint does not */
    sw_store_options so;
    sw_store_options_init(&so);
    so.policy = t.policy;
    so.key_file = old_key;
    sw_store *s;
    sw_error err;
    if (sw_store_open(old, &so, &s, &err) != SW_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(sw_audit_verify(s, &v), SW_OK);
    assert_true(v.intact);
    assert_int_equal(sw_audit_verify_checkpoint(s, cp, &v), SW_OK);
    assert_false(v.intact);
    assert_non_null(strstr(v.reason, "entries removed"));
    sw_store_close(s);
    tu_store_copy_drop(old);
    free(cp);
}

/* Regression: an entry written with --now in the past read as any other.
 * Each entry records the real time it was written; entries under time
 * travel are counted, and a system clock set back is found. */
static void test_audit__entries_say_when_they_were_written(void **state)
{
    (void)state;
    tu_store_reopen(&t);
    sw_clock sys;
    sw_clock_init_system(&sys);
    sw_store_set_clock(t.s, &sys);
    sw_audit_verdict before;
    assert_int_equal(sw_audit_verify(t.s, &before), SW_OK);
    char sid[SW_ID_BUFSZ];
    sw_ident a = {"email", "now@example.com"};
    sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 1, &a};
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(t.s, &v), SW_OK);
    assert_true(v.intact);
    assert_int_equal(v.travelled, before.travelled); /* the real clock */
    /* backdated with a clock set to 2020 (--now) */
    sw_clock past;
    sw_clock_init_fixed(&past, tu_instant("2020-01-01T00:00:00Z"));
    sw_store_set_clock(t.s, &past);
    sw_ident b = {"email", "then@example.com"};
    spec.idents = &b;
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    assert_int_equal(sw_audit_verify(t.s, &v), SW_OK);
    assert_true(v.intact);
    assert_int_equal(v.travelled, before.travelled + 1);
    assert_int_equal(v.out_of_order, 0);
    if (before.travelled == 0)
        assert_int_equal(v.first_travelled, v.entries);
    /* the log says when it was really written */
    sw_store_set_clock(t.s, &sys);
    /* the system clock set back an hour: the next entry is out of order */
    sw_clock back;
    sw_clock_init_fixed(&back, sw_clock_now(&sys) - 3600);
    sw_store_set_wall(t.s, &back);
    sw_store_set_clock(t.s, &back);
    sw_ident c = {"email", "back@example.com"};
    spec.idents = &c;
    assert_int_equal(sw_subject_add(t.s, &spec, sid), SW_OK);
    assert_int_equal(sw_audit_verify(t.s, &v), SW_OK);
    assert_int_equal(v.out_of_order, 1);
    assert_int_equal(v.first_out_of_order, v.entries);
    sw_store_close(t.s);
    t.s = NULL;
    /* the store is the test's shared one: put it back as it was */
    tu_store_free(&t);
    fill();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audit__intact_after_real_work),
        cmocka_unit_test(test_audit__one_changed_byte_in_any_entry_is_found),
        cmocka_unit_test(test_audit__deleted_entry_is_found),
        cmocka_unit_test(test_audit__reordered_entries_are_found),
        cmocka_unit_test(test_audit__truncated_tail_is_found),
        cmocka_unit_test(test_audit__forged_entry_without_the_key_is_found),
        cmocka_unit_test(test_audit__cut_tail_with_rewritten_head_is_found),
        cmocka_unit_test(test_audit__emptied_trail_is_found),
        cmocka_unit_test(test_audit__checkpoint_finds_a_rolled_back_store),
        cmocka_unit_test(test_audit__entries_say_when_they_were_written),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
