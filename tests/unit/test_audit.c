/* SPDX-License-Identifier: Apache-2.0 */
/* The audit chain: intact after real work; every kind of tampering with
 * the stored entries is detected and the first broken entry named. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define ENTRIES 13 /* store.init + the changes below */

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
        sw_record_spec r = {sid,  "customer_account", "user.name", "Name", 4,
                            NULL, false,              0};
        assert_int_equal(sw_record_add(t.s, &r, rid, NULL), SW_OK);
        assert_int_equal(sw_record_add(t.s, &r, rid, NULL), SW_OK);
    }
    sw_event_spec e = {"account_closed", NULL, "ACME", NULL, NULL,
                       tu_instant("2026-01-31T00:00:00Z")};
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
             "subject_id, objects, details, hash, hash FROM audit "
             "WHERE seq = %d",
             ENTRIES);
    sw_audit_verdict v = tampered(change);
    assert_false(v.intact);
    assert_int_equal(v.first_bad, ENTRIES + 1);
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
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
