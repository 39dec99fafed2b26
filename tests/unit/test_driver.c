/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The storage driver under steward's SQL, on each backend: values that
 * come back as they went in, bulk loads that refuse a key held already or
 * given twice, statements used again while they are being stepped, more
 * statements than the handle keeps, PostgreSQL's spelling of steward's
 * SQL, and a PostgreSQL store of the earlier layout opened and converted.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"
#include "store/sql.h"
#include "testutil.h"

static int setup(void **state)
{
    tu_store *t = calloc(1, sizeof(*t));
    tu_store_new(t, "2026-06-01T00:00:00Z");
    assert_int_equal(sw_sql_exec(t->s, "test",
                                 "CREATE TABLE t(k TEXT PRIMARY KEY,"
                                 " i INTEGER, b BLOB)"),
                     SW_OK);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tu_store *t = *state;
    tu_store_free(t);
    free(t);
    return 0;
}

typedef struct got {
    char k[64];
    bool i_null, b_null;
    int64_t i;
    uint8_t b[64];
    size_t b_len;
    int rows;
} got;

static int read_row(const sw_row *r, void *p)
{
    got *g = p;
    sw_row_text_into(r, 0, g->k, sizeof(g->k));
    g->i_null = sw_row_null(r, 1);
    g->i = sw_row_int(r, 1);
    g->b_null = sw_row_null(r, 2);
    size_t n;
    const uint8_t *b = sw_row_blob(r, 2, &n);
    g->b_len = b ? n : 0;
    if (b && n <= sizeof(g->b))
        memcpy(g->b, b, n);
    g->rows++;
    return 0;
}

static got fetch(sw_store *s, const char *k)
{
    got g;
    memset(&g, 0, sizeof(g));
    assert_int_equal(sw_sql(s, "test", "SELECT k, i, b FROM t WHERE k = ?1",
                            SW_ARGS(sw_v_text(k)), read_row, &g),
                     SW_OK);
    return g;
}

static void test_driver__values_come_back_as_they_went_in(void **state)
{
    tu_store *t = *state;
    const uint8_t bytes[] = {0, 1, 0xff, 0, 0x5c, 0x27};
    const char *text = "na\xc3\xafve 'quoted' \\ and ?1";
    struct {
        const char *k;
        sw_val i, b;
    } rows[] = {
        {"min", sw_v_int(INT64_MIN), sw_v_blob(bytes, sizeof(bytes))},
        {"max", sw_v_int(INT64_MAX), sw_v_null()},
        {text, sw_v_null(), sw_v_blob(bytes, 1)},
    };
    for (size_t r = 0; r < 3; r++)
        assert_int_equal(
            sw_sql_run(
                t->s, "test", "INSERT INTO t(k, i, b) VALUES(?1, ?2, ?3)",
                SW_ARGS(sw_v_text(rows[r].k), rows[r].i, rows[r].b), NULL),
            SW_OK);
    got g = fetch(t->s, "min");
    assert_int_equal(g.rows, 1);
    assert_false(g.i_null);
    assert_true(g.i == INT64_MIN);
    assert_int_equal(g.b_len, sizeof(bytes));
    assert_memory_equal(g.b, bytes, sizeof(bytes));
    g = fetch(t->s, "max");
    assert_true(g.i == INT64_MAX);
    assert_true(g.b_null);
    g = fetch(t->s, text);
    assert_string_equal(g.k, text);
    assert_true(g.i_null);
    assert_int_equal(g.b_len, 1);
    /* a text's bytes compare with a blob of them (CAST(... AS BLOB)) */
    int64_t n = -1;
    assert_int_equal(sw_sql_int(t->s, "test",
                                "SELECT count(*) FROM t WHERE"
                                " CAST(k AS BLOB) = ?1",
                                SW_ARGS(sw_v_blob("max", 3)), &n),
                     SW_OK);
    assert_int_equal(n, 1);
    /* booleans read as numbers */
    assert_int_equal(sw_sql_int(t->s, "test",
                                "SELECT EXISTS (SELECT 1 FROM t WHERE"
                                " i IS NULL)",
                                SW_NOARGS, &n),
                     SW_OK);
    assert_int_equal(n, 1);
    /* no row: not found */
    assert_int_equal(sw_sql_int(t->s, "test", "SELECT i FROM t WHERE k = ?1",
                                SW_ARGS(sw_v_text("none")), &n),
                     SW_ERR_NOTFOUND);
}

typedef struct load_ctx {
    const char *const *keys;
    size_t i, n;
    char refused[8][16];
    size_t n_refused;
} load_ctx;

static bool next(void *p, sw_val *v)
{
    load_ctx *c = p;
    if (c->i == c->n)
        return false;
    v[0] = sw_v_text(c->keys[c->i]);
    v[1] = sw_v_int((int64_t)c->i);
    v[2] = sw_v_blob("\0x", 2);
    c->i++;
    return true;
}

static void refused(void *p, const sw_val *key)
{
    load_ctx *c = p;
    if (c->n_refused < 8)
        snprintf(c->refused[c->n_refused++], 16, "%.*s", (int)key->n,
                 (const char *)key->p);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_driver__load_refuses_held_and_repeated_keys(void **state)
{
    tu_store *t = *state;
    sw_store *s = t->s;
    assert_int_equal(sw_sql_run(s, "test",
                                "INSERT INTO t(k, i) VALUES('held', 0)",
                                SW_NOARGS, NULL),
                     SW_OK);
    static const char *const keys[] = {"a", "held", "b", "a", "c"};
    static const char *const cols[] = {"k", "i", "b"};
    load_ctx c = {keys, 0, 5, {{0}}, 0};
    sw_load l = {"t", cols, 3, next, refused, &c};
    size_t stored = 0;
    assert_int_equal(s->drv->tx(s->db, SW_TX_BEGIN), SW_OK);
    assert_int_equal(s->drv->load(s->db, &l, &stored), SW_OK);
    assert_int_equal(s->drv->tx(s->db, SW_TX_COMMIT), SW_OK);
    assert_int_equal(stored, 3);
    assert_int_equal(c.n_refused, 2);
    qsort(c.refused, c.n_refused, 16, by_text);
    assert_string_equal(c.refused[0], "a");
    assert_string_equal(c.refused[1], "held");
    /* the first "a" is the one kept; "held" is unchanged */
    assert_int_equal(fetch(s, "a").i, 0);
    got h = fetch(s, "held");
    assert_true(h.b_null);
    assert_int_equal(fetch(s, "c").b_len, 2);
}

typedef struct nest_ctx {
    sw_store *s;
    int outer, inner;
} nest_ctx;

static int inner_row(const sw_row *r, void *p)
{
    (void)r;
    ((nest_ctx *)p)->inner++;
    return 0;
}

/* A callback that runs the very statement being stepped. */
static int outer_row(const sw_row *r, void *p)
{
    nest_ctx *c = p;
    c->outer++;
    assert_int_equal(sw_sql(c->s, "test", "SELECT k FROM t ORDER BY k",
                            SW_NOARGS, inner_row, c),
                     SW_OK);
    (void)r;
    return 0;
}

static void test_driver__a_statement_used_again_while_stepped(void **state)
{
    tu_store *t = *state;
    for (int i = 0; i < 3; i++) {
        char k[8];
        snprintf(k, sizeof(k), "k%d", i);
        assert_int_equal(sw_sql_run(t->s, "test", "INSERT INTO t(k) VALUES(?1)",
                                    SW_ARGS(sw_v_text(k)), NULL),
                         SW_OK);
    }
    nest_ctx c = {t->s, 0, 0};
    assert_int_equal(sw_sql(t->s, "test", "SELECT k FROM t ORDER BY k",
                            SW_NOARGS, outer_row, &c),
                     SW_OK);
    assert_int_equal(c.outer, 3);
    assert_int_equal(c.inner, 9);
}

static void test_driver__more_statements_than_are_kept(void **state)
{
    tu_store *t = *state;
    int64_t sum = 0;
    for (int i = 0; i < 3 * SW_STMT_SLOTS; i++) {
        char sql[64];
        int64_t v = -1;
        snprintf(sql, sizeof(sql), "SELECT %d + ?1", i);
        assert_int_equal(
            sw_sql_int(t->s, "test", sql, SW_ARGS(sw_v_int(1)), &v), SW_OK);
        assert_int_equal(v, i + 1);
        sum += v;
    }
    assert_int_equal(sum, (3 * SW_STMT_SLOTS) * (3 * SW_STMT_SLOTS + 1) / 2);
}

static void test_driver__postgresql_spelling(void **state)
{
    (void)state;
    static const char *const in[][2] = {
        {"SELECT ?1, ?12 FROM t WHERE k = '?3'",
         "SELECT $1, $12 FROM t WHERE k = '?3'"},
        {"CREATE TABLE x(a INTEGER, b BLOB, c TEXT) WITHOUT ROWID",
         "CREATE TABLE x(a BIGINT, b BYTEA, c TEXT) "},
        {"WHERE key = CAST(?2 AS BLOB) OR id = CAST(r.id AS BLOB)",
         "WHERE key = convert_to($2, 'UTF8') OR id = convert_to(r.id, 'UTF8')"},
        {"SELECT CAST(?3 AS INTEGER), 'it''s INTEGER', blob_x",
         "SELECT CAST($3 AS BIGINT), 'it''s INTEGER', blob_x"},
    };
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        char *out = sw_pg_rewrite(in[i][0]);
        assert_non_null(out);
        assert_string_equal(out, in[i][1]);
        free(out);
    }
    assert_int_equal(sw_pg_count_params("SELECT $1, $12, '$40'"), 12);
}

typedef struct found {
    size_t rows;
} found;

static int count_found(const sw_traffic_row *r, void *p)
{
    (void)r;
    ((found *)p)->rows++;
    return 0;
}

/* A PostgreSQL store an earlier steward made (tests/data/README.md):
 * opened, its layout converted once, every kind of data still there. */
static void test_driver__earlier_postgresql_layout_is_converted(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char uri[512], key[512], src[512];
    tu_db(dir, uri, sizeof(uri));
    tu_path(dir, "legacy.key", key, sizeof(key));
    tu_copy(tu_src("tests/data/store-pg-v7.key", src, sizeof(src)), key);
    assert_int_equal(
        tu_sh("psql -q -v ON_ERROR_STOP=1 -o /dev/null '%s'"
              " -f '%s'",
              uri, tu_src("tests/data/store-pg-v7.sql", src, sizeof(src))),
        0);
    sw_policy *p = tu_bundled();
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = p;
    o.key_file = key;
    sw_clock_init_fixed(&o.clock, tu_instant("2026-11-21T00:00:00Z"));
    sw_store *s;
    sw_error err;
    for (int round = 0; round < 2; round++) { /* converted, then as is */
        if (sw_store_open(uri, &o, &s, &err) != SW_OK)
            fail_msg("%s", err.msg);
        assert_int_equal(sw_store_schema_version(s), sw_store_schema_latest());
        sw_ident email = {"email", "legacy@example.com"};
        char id[SW_ID_BUFSZ];
        assert_int_equal(sw_subject_find(s, &email, id), SW_OK);
        sw_subject_view *v;
        assert_int_equal(sw_subject_show(s, id, &v), SW_OK);
        assert_int_equal(v->n_records, 1);
        assert_string_equal(v->records[0].value, "Legacy Name");
        assert_string_equal(v->account, "PG-ACCOUNT");
        sw_subject_view_free(v);
        found f = {0};
        size_t n = 0;
        assert_int_equal(
            sw_traffic_find(s, "msisdn", "+447700900123", count_found, &f, &n),
            SW_OK);
        assert_int_equal(f.rows, 2);
        sw_audit_verdict verdict;
        assert_int_equal(sw_audit_verify(s, &verdict), SW_OK);
        assert_true(verdict.intact);
        sw_store_close(s);
    }
    /* one table per month, keyed by id: an id held already is refused */
    assert_int_equal(
        tu_sh("psql -At '%s' -c \"SELECT to_regclass('traffic')"
              " IS NULL AND to_regclass('meta') IS NOT NULL AND"
              " to_regclass('steward_meta') IS NULL\" | grep -qx t",
              uri),
        0);
    char nd[512];
    tu_path(dir, "t.ndjson", nd, sizeof(nd));
    FILE *fp = fopen(nd, "w");
    assert_non_null(fp);
    fputs("{\"id\":\"cdr-legacy-1\",\"account\":\"PG-ACCOUNT\",\"channel\":"
          "\"sms\",\"time\":\"2026-11-19T09:00:00Z\",\"destination\":"
          "\"+447700900123\"}\n{\"id\":\"cdr-legacy-3\",\"account\":"
          "\"PG-ACCOUNT\",\"channel\":\"sms\",\"time\":"
          "\"2026-11-19T10:00:00Z\",\"destination\":\"+447700900123\"}\n",
          fp);
    fclose(fp);
    assert_int_equal(sw_store_open(uri, &o, &s, &err), SW_OK);
    fp = fopen(nd, "r");
    sw_diags *d = sw_diags_new();
    sw_ingest_options io = {.skip_bad = true};
    sw_ingest_result res;
    assert_int_equal(sw_traffic_ingest(s, fp, "t.ndjson", &io, d, &res), SW_OK);
    fclose(fp);
    assert_int_equal(res.stored, 1);
    assert_int_equal(res.bad, 1);
    assert_non_null(strstr(sw_diags_at(d, 0)->message, "exists"));
    sw_diags_free(d);
    sw_store_close(s);
    sw_policy_free(p);
    tu_db_drop(uri);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest common[] = {
        cmocka_unit_test_setup_teardown(
            test_driver__values_come_back_as_they_went_in, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_driver__load_refuses_held_and_repeated_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_driver__a_statement_used_again_while_stepped, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_driver__more_statements_than_are_kept, setup, teardown),
        cmocka_unit_test(test_driver__postgresql_spelling),
    };
    const struct CMUnitTest pg[] = {
        cmocka_unit_test(test_driver__earlier_postgresql_layout_is_converted),
    };
    int failed = cmocka_run_group_tests(common, NULL, NULL);
    if (tu_pg())
        failed += cmocka_run_group_tests(pg, NULL, NULL);
    return failed;
}
