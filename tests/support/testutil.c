/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the test programs. */
#include "testutil.h"

#include <libpq-fe.h>

#include <sqlite3.h>

#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

const char *tu_src(const char *rel, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", STEWARD_SOURCE_DIR, rel);
    return buf;
}

sw_instant tu_instant(const char *iso)
{
    sw_instant t = 0;
    if (sw_instant_parse(iso, &t) != SW_OK)
        fail_msg("bad instant in test: %s", iso);
    return t;
}

sw_policy *tu_bundled(void)
{
    sw_policy *p = NULL;
    sw_diags *d = sw_diags_new();
    sw_status st = sw_policy_load_bundled(d, &p);
    if (st != SW_OK) {
        char line[1400];
        for (size_t i = 0; i < sw_diags_count(d); i++)
            print_error("%s\n",
                        sw_diag_format(sw_diags_at(d, i), line, sizeof(line)));
    }
    sw_diags_free(d);
    assert_int_equal(st, SW_OK);
    return p;
}

static char *slurp_fd(int fd)
{
    lseek(fd, 0, SEEK_SET);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(fd);
    return buf;
}

static int temp_fd(void)
{
    char path[] = "/tmp/steward-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    return fd;
}

static void run_argv(tu_run *r, const char *const *env, const char **argv)
{
    int out = temp_fd(), err = temp_fd();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        unsetenv("STEWARD_POLICY");
        unsetenv("STEWARD_NOW");
        for (size_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    assert_true(waitpid(pid, &st, 0) == pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = slurp_fd(out);
    r->err = slurp_fd(err);
}

void tu_steward(tu_run *r, const char *const *env, ...)
{
    const char *argv[64];
    int argc = 0;
    argv[argc++] = STEWARD_BIN;
    va_list ap;
    va_start(ap, env);
    for (const char *a; (a = va_arg(ap, const char *)) && argc < 63;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    run_argv(r, env, argv);
}

void tu_run_cmd(tu_run *r, const char *const *env, const char *prog, ...)
{
    const char *argv[64];
    int argc = 0;
    argv[argc++] = prog;
    va_list ap;
    va_start(ap, prog);
    for (const char *a; (a = va_arg(ap, const char *)) && argc < 63;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    run_argv(r, env, argv);
}

void tu_run_free(tu_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

char *tu_tmpdir(void)
{
    char *dir = strdup("/tmp/steward-test-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *dir)
{
    if (dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tu_path(const char *dir, const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", dir, name);
    return buf;
}

static bool is_pg(const char *path)
{
    return strncmp(path, "postgresql://", 13) == 0;
}

bool tu_file_contains(const char *path, const char *needle)
{
    size_t pl = strlen(path);
    if (is_pg(path) && pl > 4 &&
        (strcmp(path + pl - 4, "-wal") == 0 ||
         strcmp(path + pl - 4, "-shm") == 0))
        return false;  /* SQLite's side files: a server has none here */
    if (is_pg(path)) { /* every byte the database holds, as pg_dump sees it */
        char dump[] = "/tmp/steward-dump-XXXXXX";
        int fd = mkstemp(dump);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(tu_sh("pg_dump --data-only -Fp '%s' > %s", path, dump),
                         0);
        bool found = tu_file_contains(dump, needle);
        /* bytea columns are dumped as hex: look for the needle's hex too */
        char hex[1024] = "\\x";
        for (size_t i = 0; needle[i] && i < 500; i++)
            snprintf(hex + 3 + 2 * i, sizeof(hex) - 3 - 2 * i, "%02x",
                     (unsigned char)needle[i]);
        found = found || tu_file_contains(dump, hex + 3);
        unlink(dump);
        return found;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t nl = strlen(needle), cap = 1 << 16, keep = 0;
    char *buf = malloc(cap + nl);
    bool found = false;
    for (size_t got; !found && (got = fread(buf + keep, 1, cap, f)) > 0;) {
        size_t len = keep + got;
        found = memmem(buf, len, needle, nl) != NULL;
        keep = len < nl ? len : nl - 1;
        memmove(buf, buf + len - keep, keep);
    }
    free(buf);
    fclose(f);
    return found;
}

void tu_copy(const char *from, const char *to)
{
    size_t n;
    char *data = tu_read_file(from, &n);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    free(data);
}

int tu_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* ---- PostgreSQL: STEWARD_TEST_PG=1 under pg_virtualenv (PG* variables) ----
 */

bool tu_pg(void)
{
    const char *v = getenv("STEWARD_TEST_PG");
    return v && *v && strcmp(v, "0") != 0;
}

static void pg_uri(const char *db, char *out, size_t n)
{
    const char *user = getenv("PGUSER"), *pw = getenv("PGPASSWORD"),
               *host = getenv("PGHOST"), *port = getenv("PGPORT");
    snprintf(out, n, "postgresql://%s%s%s@%s:%s/%s", user ? user : "postgres",
             pw ? ":" : "", pw ? pw : "", host ? host : "localhost",
             port ? port : "5432", db);
}

static void pg_admin(const char *sql)
{
    char uri[512];
    pg_uri("postgres", uri, sizeof(uri));
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("PostgreSQL: %s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("PostgreSQL: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

static void open_store(tu_store *t, const sw_clock *c)
{
    sw_store_options o;
    sw_store_options_init(&o);
    if (t->key[0])
        o.key_file = t->key;
    o.policy = t->policy;
    o.clock = *c;
    o.actor = "test";
    o.default_country = "GB";
    sw_error err;
    sw_status st = sw_store_open(t->path, &o, &t->s, &err);
    if (st != SW_OK)
        fail_msg("open %s: %s", t->path, err.msg);
}

sw_policy_plan *tu_store_apply(tu_store *t, sw_policy *next)
{
    sw_policy_plan *plan = NULL;
    sw_status st = sw_policy_apply(t->s, next, false, &plan);
    if (st != SW_OK)
        fail_msg("policy apply: %s", sw_errmsg(t->s));
    assert_non_null(plan);
    sw_policy_free(t->policy); /* the store holds next now */
    t->policy = next;
    return plan;
}

sw_policy *tu_policy_text(const char *text)
{
    sw_diags *d = sw_diags_new();
    sw_policy *p = NULL;
    sw_status st =
        sw_policy_load_buffer("test policy", text, strlen(text), d, &p);
    if (st != SW_OK) {
        char line[600] = "";
        if (sw_diags_count(d))
            sw_diag_format(sw_diags_at(d, 0), line, sizeof(line));
        fail_msg("test policy not loaded: %s", line);
    }
    sw_diags_free(d);
    return p;
}

char *tu_bundled_variant(const char *const *pairs)
{
    size_t len, extra = 0;
    const char *text = sw_policy_bundled_text(&len);
    for (size_t i = 0; pairs[i]; i += 2)
        extra += strlen(pairs[i + 1]);
    char *buf = malloc(len + extra + 1);
    assert_non_null(buf);
    memcpy(buf, text, len);
    buf[len] = '\0';
    for (size_t i = 0; pairs[i]; i += 2) {
        char *at = strstr(buf, pairs[i]);
        if (!at)
            fail_msg("'%s' is not in the bundled policy", pairs[i]);
        size_t from = strlen(pairs[i]), to = strlen(pairs[i + 1]);
        memmove(at + to, at + from, strlen(at + from) + 1);
        memcpy(at, pairs[i + 1], to);
    }
    return buf;
}

void tu_bundled_variant_file(const char *path, const char *const *pairs)
{
    char *text = tu_bundled_variant(pairs);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    free(text);
}

sw_policy *tu_policy_file(const char *relpath)
{
    char path[512];
    sw_diags *d = sw_diags_new();
    sw_policy *p = NULL;
    if (sw_policy_load_file(tu_src(relpath, path, sizeof(path)), d, &p) !=
        SW_OK)
        fail_msg("%s not loaded", relpath);
    sw_diags_free(d);
    return p;
}

void tu_store_new_policy(tu_store *t, const char *now, sw_policy *policy)
{
    memset(t, 0, sizeof(*t));
    t->dir = tu_tmpdir();
    tu_path(t->dir, "steward.db", t->path, sizeof(t->path));
    if (tu_pg()) {
        tu_db(t->dir, t->path, sizeof(t->path));
        tu_path(t->dir, "steward.key", t->key, sizeof(t->key));
    }
    t->policy = policy;
    sw_store_options o;
    sw_store_options_init(&o);
    if (t->key[0])
        o.key_file = t->key;
    o.policy = t->policy;
    sw_clock_init_fixed(&o.clock, tu_instant(now));
    sw_error err;
    if (sw_store_create(t->path, &o, &err) != SW_OK)
        fail_msg("create %s: %s", t->path, err.msg);
    t->clock = o.clock;
    open_store(t, &t->clock);
}

void tu_store_new(tu_store *t, const char *now)
{
    tu_store_new_policy(t, now, tu_bundled());
}

void tu_db(const char *dir, char *path, size_t n)
{
    if (!tu_pg()) {
        tu_path(dir, "steward.db", path, n);
        return;
    }
    /* a database of its own, named after the directory */
    char db[128], sql[256], key[512];
    snprintf(db, sizeof(db), "sw_%s", strrchr(dir, '/') + 1);
    for (char *p = db; *p; p++)
        if (*p == '-')
            *p = '_';
        else if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    pg_admin(sql);
    pg_uri(db, path, n);
    tu_path(dir, "steward.key", key, sizeof(key));
    setenv("STEWARD_KEY_FILE", key, 1);
}

void tu_db_drop(const char *path)
{
    if (!is_pg(path))
        return;
    char sql[256];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
             strrchr(path, '/') + 1);
    pg_admin(sql);
}

void tu_store_reopen(tu_store *t)
{
    sw_store_close(t->s);
    open_store(t, &t->clock);
}

void tu_store_now(tu_store *t, const char *now)
{
    sw_clock_init_fixed(&t->clock, tu_instant(now));
    sw_store_set_clock(t->s, &t->clock);
}

static sw_sweep_report *sweep_once(tu_store *t, bool dry)
{
    sw_sweep_options o = {dry, 0, NULL, NULL};
    sw_sweep_report *r = NULL;
    if (sw_sweep(t->s, &o, &r) != SW_OK)
        fail_msg("%s: %s", dry ? "sweep plan" : "sweep", sw_errmsg(t->s));
    return r;
}

#define SAME(field)                                                            \
    if (plan->field != r->field)                                               \
        fail_msg("at %s the plan said %s %zu, the sweep did %zu", now, #field, \
                 (size_t)plan->field, (size_t)r->field);

sw_sweep_report *tu_sweep(tu_store *t, const char *now)
{
    tu_store_now(t, now);
    sw_sweep_report *plan = sweep_once(t, true);
    sw_sweep_report *r = sweep_once(t, false);
    assert_true(plan->dry_run);
    assert_false(r->dry_run);
    SAME(records)
    SAME(subjects_removed)
    SAME(orphans_removed)
    SAME(held)
    SAME(n_groups)
    SAME(n_held)
    SAME(epochs_destroyed)
    SAME(traffic_rekeyed)
    SAME(traffic_stripped)
    SAME(traffic_deleted)
    SAME(traffic_held)
    SAME(months_dropped)
    SAME(consents_expired)
    SAME(unconfirmed_removed)
    SAME(suppression_removed)
    SAME(requests_removed)
    SAME(public_removed)
    SAME(holds_removed)
    SAME(bills_removed)
    SAME(events_removed)
    for (size_t i = 0; i < r->n_groups; i++) {
        assert_string_equal(plan->groups[i].rule, r->groups[i].rule);
        assert_int_equal(plan->groups[i].records, r->groups[i].records);
    }
    sw_sweep_report_free(plan);
    /* the retention audit reads every store a test sweeps */
    sw_retention_audit *a = NULL;
    if (sw_retention_audit_run(t->s, &a) != SW_OK)
        fail_msg("retention audit: %s", sw_errmsg(t->s));
    sw_retention_audit_free(a);
    return r;
}
#undef SAME

void tu_store_free(tu_store *t)
{
    sw_store_close(t->s);
    tu_db_drop(t->path);
    sw_policy_free(t->policy);
    tu_rmtree(t->dir);
    free(t->dir);
    memset(t, 0, sizeof(*t));
}

void tu_store_copy(const tu_store *t, char *path, size_t n, char *key,
                   size_t kn)
{
    if (is_pg(t->path)) {
        const char *db = strrchr(t->path, '/') + 1;
        char copy[160], sql[400];
        snprintf(copy, sizeof(copy), "%s_copy", db);
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", copy);
        pg_admin(sql);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s", copy, db);
        pg_admin(sql);
        pg_uri(copy, path, n);
        snprintf(key, kn, "%s", t->key);
        return;
    }
    char from_key[600];
    snprintf(path, n, "%s/copy.db", t->dir);
    snprintf(key, kn, "%s/copy.db.key", t->dir);
    snprintf(from_key, sizeof(from_key), "%s.key", t->path);
    tu_copy(t->path, path);
    tu_copy(from_key, key);
}

void tu_store_copy_drop(const char *path)
{
    if (is_pg(path))
        tu_db_drop(path);
    else
        remove(path);
}

void tu_exec_sql(const char *db_path, const char *sql)
{
    if (is_pg(db_path)) {
        PGconn *c = PQconnectdb(db_path);
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK &&
            PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
        return;
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(db);
}

long tu_count_sql(const char *db_path, const char *sql)
{
    if (is_pg(db_path)) {
        PGconn *c = PQconnectdb(db_path);
        PGresult *r = PQexec(c, sql);
        long n = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
                         !PQgetisnull(r, 0, 0)
                     ? atol(PQgetvalue(r, 0, 0))
                     : -1;
        PQclear(r);
        PQfinish(c);
        return n;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    long n = -1;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

bool tu_csv_has_formula(const char *csv)
{
    bool start = true, quoted = false;
    for (const char *s = csv; *s; s++) {
        if (quoted) {
            if (*s == '"' && s[1] == '"') {
                s++;
            } else if (*s == '"') {
                quoted = false;
                continue;
            }
            if (start && strchr("=+-@\t\r", *s))
                return true;
            start = false;
            continue;
        }
        if (*s == '"' && start) {
            quoted = true;
            continue;
        }
        if (*s == ',' || *s == '\n') {
            start = true;
            continue;
        }
        if (*s == '\r' && s[1] == '\n')
            continue;
        if (start && strchr("=+-@\t\r", *s))
            return true;
        start = false;
    }
    return false;
}

void tu_webhook_sign(const char *secret, const char *ts, const char *body,
                     size_t n, char *out)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[32];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
                                strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, n);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "v1=", 3);
    sodium_bin2hex(out + 3, 65, mac, sizeof(mac));
}
