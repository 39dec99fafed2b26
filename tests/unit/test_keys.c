/* SPDX-License-Identifier: Apache-2.0 */
/* API keys: shown once, kept as a keyed hash, checked, revoked, audited. */
#include <string.h>

#include "testutil.h"

static void test_create_check_revoke(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-11-01T09:00:00Z");
    char id[SW_ID_BUFSZ], token[SW_APIKEY_BUFSZ];
    assert_int_equal(sw_key_create(t.s, SW_ROLE_DPO, "privacy team", id, token),
                     SW_OK);
    assert_int_equal(strncmp(token, "stw_", 4), 0);
    assert_int_equal(strlen(token), 68);
    /* the store holds a hash, never the key */
    assert_false(tu_file_contains(t.path, token));
    assert_false(tu_file_contains(t.path, token + 4));
    assert_int_equal(tu_count_sql(t.path, "SELECT length(hash) FROM api_keys"),
                     16);
    sw_key_view v;
    assert_int_equal(sw_key_check(t.s, token, &v), SW_OK);
    assert_string_equal(v.id, id);
    assert_int_equal(v.role, SW_ROLE_DPO);
    assert_string_equal(v.label, "privacy team");
    assert_false(v.revoked);
    /* a wrong key, a changed digit, not a key at all */
    char wrong[SW_APIKEY_BUFSZ];
    memcpy(wrong, token, sizeof(wrong));
    wrong[20] = wrong[20] == '0' ? '1' : '0';
    assert_int_equal(sw_key_check(t.s, wrong, &v), SW_ERR_DENIED);
    assert_int_equal(sw_key_check(t.s, "hello", &v), SW_ERR_DENIED);
    assert_int_equal(sw_key_check(t.s, NULL, &v), SW_ERR_DENIED);
    /* revoked: refused; twice: a conflict; unknown: not found */
    assert_int_equal(sw_key_revoke(t.s, id), SW_OK);
    assert_int_equal(sw_key_check(t.s, token, &v), SW_ERR_DENIED);
    assert_non_null(strstr(sw_errmsg(t.s), "revoked"));
    assert_int_equal(sw_key_revoke(t.s, id), SW_ERR_CONFLICT);
    assert_int_equal(sw_key_revoke(t.s, "key_none"), SW_ERR_NOTFOUND);
    /* both changes are in the audit trail, and it is intact */
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM audit WHERE"
                                          " action IN ('key.create',"
                                          " 'key.revoke')"),
                     2);
    sw_audit_verdict verdict;
    assert_int_equal(sw_audit_verify(t.s, &verdict), SW_OK);
    assert_true(verdict.intact);
    tu_store_free(&t);
}

static int count_key(const sw_key_view *k, void *ctx)
{
    int *n = ctx;
    (*n)++;
    assert_non_null(sw_key_role_name(k->role));
    return 0;
}

static void test_roles_and_list(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-11-01T09:00:00Z");
    static const char *const names[] = {"admin", "dpo", "service", "auditor"};
    for (int i = 0; i < 4; i++) {
        sw_key_role r;
        assert_true(sw_key_role_parse(names[i], &r));
        assert_string_equal(sw_key_role_name(r), names[i]);
        char id[SW_ID_BUFSZ], token[SW_APIKEY_BUFSZ];
        assert_int_equal(sw_key_create(t.s, r, NULL, id, token), SW_OK);
    }
    sw_key_role r;
    assert_false(sw_key_role_parse("root", &r));
    assert_false(sw_key_role_parse(NULL, &r));
    assert_null(sw_key_role_name(SW_ROLE_COUNT));
    char id[SW_ID_BUFSZ], token[SW_APIKEY_BUFSZ];
    assert_int_equal(sw_key_create(t.s, SW_ROLE_COUNT, NULL, id, token),
                     SW_ERR_INVALID);
    char label[200];
    memset(label, 'x', sizeof(label) - 1);
    label[sizeof(label) - 1] = '\0';
    assert_int_equal(sw_key_create(t.s, SW_ROLE_ADMIN, label, id, token),
                     SW_ERR_LIMIT);
    assert_string_equal(token, "");
    int n = 0;
    assert_int_equal(sw_key_list(t.s, count_key, &n), SW_OK);
    assert_int_equal(n, 4);
    tu_store_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_check_revoke),
        cmocka_unit_test(test_roles_and_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
