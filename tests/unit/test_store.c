/* SPDX-License-Identifier: Apache-2.0 */
/* The store: creation, refusals that change nothing, migrations, WAL. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

typedef struct fx {
    char *dir;
    char db[512], key[512];
    sw_policy *policy;
    sw_store_options o;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    f->dir = tu_tmpdir();
    tu_path(f->dir, "steward.db", f->db, sizeof(f->db));
    tu_path(f->dir, "steward.db.key", f->key, sizeof(f->key));
    f->policy = tu_bundled();
    sw_store_options_init(&f->o);
    f->o.policy = f->policy;
    f->o.actor = "test";
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    sw_policy_free(f->policy);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void create(fx *f)
{
    sw_error err;
    if (sw_store_create(f->db, &f->o, &err) != SW_OK)
        fail_msg("%s", err.msg);
}

/* The bytes of a file, for "nothing changed" checks. */
static char *snapshot(const char *path, size_t *n)
{
    return tu_read_file(path, n);
}

static void assert_unchanged(const char *path, const char *before, size_t n)
{
    size_t m;
    char *now = snapshot(path, &m);
    assert_int_equal(m, n);
    assert_memory_equal(now, before, n);
    free(now);
}

static void test_store__init_creates_store_and_private_key(void **state)
{
    fx *f = *state;
    create(f);
    struct stat st;
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    sw_store *s;
    sw_error err;
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_OK);
    assert_int_equal(sw_store_schema_version(s), sw_store_schema_latest());
    sw_store_close(s);
}

/* Regression: the store and its -wal and -shm were created 0644. */
static void test_store__files_are_private(void **state)
{
    fx *f = *state;
    create(f);
    sw_store *s;
    sw_error err;
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_OK);
    char sid[SW_ID_BUFSZ], side[600];
    sw_ident id = {"email", "mode@example.com"};
    sw_subject_spec spec = {"customer", NULL, NULL, NULL, 1, &id};
    assert_int_equal(sw_subject_add(s, &spec, sid), SW_OK);
    const char *ext[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(side, sizeof(side), "%s%s", f->db, ext[i]);
        struct stat st;
        assert_int_equal(stat(side, &st), 0);
        if ((st.st_mode & 0777) != 0600)
            fail_msg("%s has mode %o", side, st.st_mode & 0777);
    }
    sw_store_close(s);
}

typedef struct on_thread {
    fx *f;
    sw_status created, opened, added;
} on_thread;

static void *create_and_use(void *arg)
{
    on_thread *o = arg;
    sw_error err;
    o->created = sw_store_create(o->f->db, &o->f->o, &err);
    sw_store *s = NULL;
    o->opened = sw_store_open(o->f->db, &o->f->o, &s, &err);
    char sid[SW_ID_BUFSZ];
    sw_ident id = {"email", "small@example.com"};
    sw_subject_spec spec = {"customer", NULL, NULL, NULL, 1, &id};
    o->added = s ? sw_subject_add(s, &spec, sid) : SW_ERR_STORE;
    sw_store_close(s);
    return NULL;
}

/* Regression: creating a store put ~378 KB on the stack, more than a
 * 256 KiB thread stack (a daemon's worker) holds. */
static void test_store__works_on_a_small_thread_stack(void **state)
{
    on_thread o = {*state, SW_ERR_STORE, SW_ERR_STORE, SW_ERR_STORE};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    assert_int_equal(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, &attr, create_and_use, &o), 0);
    pthread_join(th, NULL);
    pthread_attr_destroy(&attr);
    assert_int_equal(o.created, SW_OK);
    assert_int_equal(o.opened, SW_OK);
    assert_int_equal(o.added, SW_OK);
}

static void test_store__init_refuses_to_overwrite(void **state)
{
    fx *f = *state;
    create(f);
    size_t n, k;
    char *db = snapshot(f->db, &n), *key = snapshot(f->key, &k);
    sw_error err;
    assert_int_equal(sw_store_create(f->db, &f->o, &err), SW_ERR_EXISTS);
    assert_non_null(strstr(err.msg, "refusing to overwrite"));
    assert_unchanged(f->db, db, n);
    assert_unchanged(f->key, key, k);
    /* A key file alone is not overwritten either. */
    char other[512];
    tu_path(f->dir, "other.db", other, sizeof(other));
    f->o.key_file = f->key;
    assert_int_equal(sw_store_create(other, &f->o, &err), SW_ERR_EXISTS);
    assert_unchanged(f->key, key, k);
    struct stat st;
    assert_int_not_equal(stat(other, &st), 0);
    free(db);
    free(key);
}

static void test_store__wrong_key_is_refused_and_changes_nothing(void **s0)
{
    fx *f = *s0;
    create(f);
    char other_db[512], other_key[512];
    tu_path(f->dir, "b.db", other_db, sizeof(other_db));
    tu_path(f->dir, "b.db.key", other_key, sizeof(other_key));
    sw_error err;
    assert_int_equal(sw_store_create(other_db, &f->o, &err), SW_OK);
    size_t n;
    char *before = snapshot(f->db, &n);
    f->o.key_file = other_key;
    sw_store *s = (sw_store *)1;
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_ERR_CRYPTO);
    assert_null(s);
    assert_non_null(strstr(err.msg, "is not the key of"));
    assert_null(strchr(err.msg, '\n'));
    assert_unchanged(f->db, before, n);
    free(before);
}

static void test_store__missing_key_or_store_is_refused(void **state)
{
    fx *f = *state;
    sw_store *s;
    sw_error err;
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_ERR_NOTFOUND);
    assert_non_null(strstr(err.msg, "steward init"));
    create(f);
    size_t n;
    char *before = snapshot(f->db, &n);
    remove(f->key);
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_ERR_IO);
    assert_non_null(strstr(err.msg, "cannot read key file"));
    assert_unchanged(f->db, before, n);
    free(before);
}

static void test_store__corrupt_or_foreign_file_is_refused(void **state)
{
    fx *f = *state;
    create(f);
    sw_store *s;
    sw_error err;
    /* Garbage over the header. */
    FILE *fp = fopen(f->db, "r+b");
    fwrite("this is not sqlite, just text.....", 1, 34, fp);
    fclose(fp);
    size_t n;
    char *before = snapshot(f->db, &n);
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "not a steward store"));
    assert_unchanged(f->db, before, n);
    free(before);
    /* A valid SQLite file of another program. */
    char foreign[512];
    tu_path(f->dir, "foreign.db", foreign, sizeof(foreign));
    sqlite3 *db;
    sqlite3_open(foreign, &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    char fk[600];
    snprintf(fk, sizeof(fk), "%s.key", foreign);
    tu_copy(f->key, fk);
    f->o.key_file = NULL;
    assert_int_equal(sw_store_open(foreign, &f->o, &s, &err), SW_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "another program"));
}

static void test_store__newer_schema_is_refused(void **state)
{
    fx *f = *state;
    create(f);
    sqlite3 *db;
    sqlite3_open(f->db, &db);
    sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL);
    sqlite3_close(db);
    size_t n;
    char *before = snapshot(f->db, &n);
    sw_store *s;
    sw_error err;
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_ERR_VERSION);
    assert_non_null(strstr(err.msg, "schema version 99"));
    assert_unchanged(f->db, before, n);
    free(before);
}

static void test_store__previous_version_is_upgraded(void **state)
{
    fx *f = *state;
    char src[512];
    tu_copy(tu_src("tests/data/store-v1.db", src, sizeof(src)), f->db);
    tu_copy(tu_src("tests/data/store-v1.db.key", src, sizeof(src)), f->key);
    sqlite3 *db;
    sqlite3_open(f->db, &db);
    int v = -1;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(v, 1);

    sw_store *s;
    sw_error err;
    if (sw_store_open(f->db, &f->o, &s, &err) != SW_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(sw_store_schema_version(s), sw_store_schema_latest());
    /* The data written by version 1 is still there and readable. */
    sw_ident email = {"email", "v1@example.com"};
    char id[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_find(s, &email, id), SW_OK);
    sw_subject_view *view;
    assert_int_equal(sw_subject_show(s, id, &view), SW_OK);
    assert_int_equal(view->n_records, 1);
    assert_string_equal(view->records[0].value, "Version One");
    sw_subject_view_free(view);
    sw_audit_verdict verdict;
    assert_int_equal(sw_audit_verify(s, &verdict), SW_OK);
    assert_true(verdict.intact);
    bool migrated = false;
    sw_store_close(s);
    /* The upgrade itself is in the audit trail, and happens once. */
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_OK);
    sw_audit_verify(s, &verdict);
    assert_true(verdict.intact);
    sw_store_close(s);
    sqlite3_open(f->db, &db);
    sqlite3_prepare_v2(db,
                       "SELECT count(*) FROM audit WHERE action = "
                       "'store.migrate'",
                       -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        migrated = sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(migrated);
}

static void test_store__uses_wal_and_secure_delete(void **state)
{
    fx *f = *state;
    create(f);
    sqlite3 *db;
    sqlite3_open(f->db, &db);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_store__batch_keeps_failed_change_out(void **state)
{
    fx *f = *state;
    create(f);
    sw_store *s;
    sw_error err;
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_OK);
    assert_int_equal(sw_batch_begin(s), SW_OK);
    sw_ident e1 = {"email", "one@example.com"};
    sw_subject_spec ok = {"customer", NULL, NULL, NULL, 1, &e1};
    char a[SW_ID_BUFSZ], b[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_add(s, &ok, a), SW_OK);
    /* The same identifier again fails alone; the batch goes on. */
    assert_int_equal(sw_subject_add(s, &ok, b), SW_ERR_CONFLICT);
    assert_int_equal(sw_batch_commit(s), SW_OK);
    char found[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_find(s, &e1, found), SW_OK);
    assert_string_equal(found, a);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(s, &v), SW_OK);
    assert_true(v.intact);
    assert_int_equal(v.entries, 3); /* init, the policy, one subject */
    sw_store_close(s);
}

static int collect(const sw_audit_entry *e, void *ctx)
{
    char *buf = ctx;
    strncat(buf, e->action, 4096 - strlen(buf) - 1);
    strncat(buf, " ", 4096 - strlen(buf) - 1);
    strncat(buf, e->objects, 4096 - strlen(buf) - 1);
    strncat(buf, "\n", 4096 - strlen(buf) - 1);
    return 0;
}

static void test_store__batch_records_share_one_audit_entry(void **state)
{
    fx *f = *state;
    create(f);
    sw_store *s;
    sw_error err;
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_OK);
    char sid[SW_ID_BUFSZ], r1[SW_ID_BUFSZ], r2[SW_ID_BUFSZ], r3[SW_ID_BUFSZ];
    sw_subject_spec spec = {"customer", NULL, NULL, NULL, 0, NULL};
    assert_int_equal(sw_subject_add(s, &spec, sid), SW_OK);
    assert_int_equal(sw_batch_begin(s), SW_OK);
    sw_record_spec r = {
        sid, "customer_account", "user.name", "A", 1, NULL, false, 0, NULL};
    assert_int_equal(sw_record_add(s, &r, r1, NULL), SW_OK);
    assert_int_equal(sw_record_add(s, &r, r2, NULL), SW_OK);
    sw_record_spec bad = r;
    bad.category = "user.nope";
    char rb[SW_ID_BUFSZ];
    assert_int_equal(sw_record_add(s, &bad, rb, NULL), SW_ERR_INVALID);
    assert_int_equal(sw_record_add(s, &r, r3, NULL), SW_OK);
    assert_int_equal(sw_batch_commit(s), SW_OK);
    char log[4096] = "";
    sw_audit_filter flt = {false, 0, sid};
    assert_int_equal(sw_audit_log(s, &flt, collect, log), SW_OK);
    /* subject.add, then one record.add naming the three records. */
    assert_non_null(strstr(log, "subject.add"));
    char *entry = strstr(log, "record.add");
    assert_non_null(entry);
    assert_non_null(strstr(entry, r1));
    assert_non_null(strstr(entry, r2));
    assert_non_null(strstr(entry, r3));
    assert_null(strstr(entry + 1, "record.add"));
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(s, &v), SW_OK);
    assert_true(v.intact);
    assert_int_equal(v.entries, 4);
    /* A rolled-back batch leaves no record and no entry. */
    assert_int_equal(sw_batch_begin(s), SW_OK);
    assert_int_equal(sw_record_add(s, &r, rb, NULL), SW_OK);
    sw_batch_rollback(s);
    assert_int_equal(sw_audit_verify(s, &v), SW_OK);
    assert_true(v.intact);
    assert_int_equal(v.entries, 4);
    sw_subject_view *view;
    assert_int_equal(sw_subject_show(s, sid, &view), SW_OK);
    assert_int_equal(view->n_records, 3);
    sw_subject_view_free(view);
    sw_store_close(s);
}

static void test_store__large_batch_splits_its_audit_entries(void **state)
{
    fx *f = *state;
    create(f);
    sw_store *s;
    sw_error err;
    assert_int_equal(sw_store_open(f->db, &f->o, &s, &err), SW_OK);
    const long n = 40000; /* ids well past one entry's worth */
    assert_int_equal(sw_batch_begin(s), SW_OK);
    char id[SW_ID_BUFSZ];
    for (long i = 0; i < n; i++) {
        char email[64];
        snprintf(email, sizeof(email), "bulk%ld@example.com", i);
        sw_ident ident = {"email", email};
        sw_subject_spec spec = {
            "marketing_subscriber", NULL, NULL, NULL, 1, &ident};
        assert_int_equal(sw_subject_add(s, &spec, id), SW_OK);
    }
    assert_int_equal(sw_batch_commit(s), SW_OK);
    sw_ident last = {"email", "bulk39999@example.com"};
    char found[SW_ID_BUFSZ];
    assert_int_equal(sw_subject_find(s, &last, found), SW_OK);
    assert_string_equal(found, id);
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(s, &v), SW_OK);
    assert_true(v.intact);
    assert_true(v.entries >= 3); /* init and at least two coalesced entries */
    sw_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_store__init_creates_store_and_private_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__files_are_private, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_store__works_on_a_small_thread_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__init_refuses_to_overwrite,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_store__wrong_key_is_refused_and_changes_nothing, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_store__missing_key_or_store_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_store__corrupt_or_foreign_file_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__newer_schema_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_store__previous_version_is_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__uses_wal_and_secure_delete,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_store__batch_keeps_failed_change_out, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_store__batch_records_share_one_audit_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_store__large_batch_splits_its_audit_entries, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
