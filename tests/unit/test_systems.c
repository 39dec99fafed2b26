/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connectors against real databases: a three-table CRM (contacts,
 * orders referring to contacts, notes) in an SQLite file, in a database
 * of the suite's PostgreSQL server and in one of its MariaDB server, each
 * declared as a system of the policy. The stories: the schema check, an
 * access answer with every system's rows, an erasure that follows the
 * relations child-first (the servers' foreign keys refuse another order),
 * the retention sweep with a hold on one account, and a MariaDB server
 * stopped during an erasure request and started again: the request waits,
 * then completes, nothing erased twice and nothing left. A fourth system
 * is a webhook (a support desk), served by a receiver in this program that
 * checks every job's signature; it answers at once or later through a
 * signed callback, and a forged or replayed callback is refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "testutil.h"

#define HOOK_SECRET "test-secret-of-the-support-desk"

/* The support desk's endpoint: checks each job's signature and answers
 * as its mode says. */
typedef struct hook {
    struct MHD_Daemon *d;
    unsigned short port;
    bool later;      /* erasure jobs answered 202 */
    int jobs[3];     /* access, erasure, retention jobs received */
    int bad;         /* jobs whose signature did not verify */
    char job[64];    /* the last job's Idempotency-Key */
    char body[4096]; /* the last job */
} hook;

typedef struct hook_req {
    char *data;
    size_t n;
} hook_req;

static bool signed_ok(const char *ts, const char *sig, const char *body,
                      size_t n)
{
    if (!ts || !sig || labs(atol(ts) - (long)time(NULL)) > 300)
        return false;
    char want[68];
    tu_webhook_sign(HOOK_SECRET, ts, body, n, want);
    return strcmp(sig, want) == 0;
}

static enum MHD_Result hook_answer(void *cls, struct MHD_Connection *con,
                                   const char *url, const char *method,
                                   const char *version, const char *data,
                                   size_t *size, void **req)
{
    (void)url;
    (void)method;
    (void)version;
    hook *h = cls;
    hook_req *r = *req;
    if (!r) {
        *req = calloc(1, sizeof(hook_req));
        return MHD_YES;
    }
    if (*size) {
        r->data = realloc(r->data, r->n + *size + 1);
        memcpy(r->data + r->n, data, *size);
        r->n += *size;
        r->data[r->n] = '\0';
        *size = 0;
        return MHD_YES;
    }
    const char *ts = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                                 "X-Steward-Timestamp");
    const char *sig = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                                  "X-Steward-Signature");
    const char *key =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Idempotency-Key");
    const char *text = "{}";
    unsigned code = 200;
    json_t *job = r->data ? json_loads(r->data, 0, NULL) : NULL;
    const char *kind = json_string_value(json_object_get(job, "kind"));
    if (!signed_ok(ts, sig, r->data ? r->data : "", r->n) || !kind) {
        h->bad++;
        code = 401;
    } else {
        snprintf(h->job, sizeof(h->job), "%s", key ? key : "");
        snprintf(h->body, sizeof(h->body), "%s", r->data);
        if (strcmp(kind, "access") == 0) {
            h->jobs[0]++;
            text = "{\"status\": \"done\", \"rows\": [{\"resource\": "
                   "\"tickets\", \"rows\": [{\"id\": 5, \"subject\": "
                   "\"Refund\", \"body\": \"please refund me\", "
                   "\"internal\": \"not declared\"}]}]}";
        } else if (strcmp(kind, "erasure") == 0) {
            h->jobs[1]++;
            if (h->later)
                code = 202;
            text = h->later ? "{\"status\": \"accepted\"}"
                            : "{\"status\": \"done\", \"erased\": 2}";
        } else {
            h->jobs[2]++;
            /* the first sweep finds one ticket past its time, then none */
            text = h->jobs[2] == 1
                       ? "{\"status\": \"done\", \"erased\": 1, \"held\": 0}"
                       : "{\"status\": \"done\", \"erased\": 0, \"held\": 0}";
        }
    }
    json_decref(job);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(con, code, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void hook_done(void *cls, struct MHD_Connection *con, void **req,
                      enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)con;
    (void)why;
    hook_req *r = *req;
    if (r) {
        free(r->data);
        free(r);
    }
    *req = NULL;
}

static void hook_start(hook *h)
{
    memset(h, 0, sizeof(*h));
    h->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, hook_answer, h,
        MHD_OPTION_SOCK_ADDR,
        (const struct sockaddr *)&(struct sockaddr_in){
            .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
        MHD_OPTION_NOTIFY_COMPLETED, hook_done, h, MHD_OPTION_END);
    assert_non_null(h->d);
    const union MHD_DaemonInfo *i =
        MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = i->port;
    char cred[256];
    snprintf(cred, sizeof(cred), "http://127.0.0.1:%u/hook %s", h->port,
             HOOK_SECRET);
    setenv("TEST_HOOK", cred, 1);
}

typedef struct crm {
    char dir[512];
    char lite[640];      /* the SQLite file */
    char pg_db[64];      /* the PostgreSQL database */
    char maria_db[64];   /* the MariaDB database */
    char maria_port[16]; /* the server that database is on */
    char spare_dir[640]; /* a MariaDB server of this test's own */
    tu_store t;
    hook h;
} crm;

static void maria(const char *port, const char *db, const char *sql);

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static void psql(const char *db, const char *sql)
{
    if (tu_sh("psql -q -X -v ON_ERROR_STOP=1 -h %s -p %s -U %s -d %s -c \"%s\""
              " >/dev/null",
              env_or("PGHOST", "127.0.0.1"), env_or("PGPORT", "5432"),
              env_or("PGUSER", "postgres"), db, sql) != 0)
        fail_msg("psql: %s", sql);
}

static void maria(const char *port, const char *db, const char *sql)
{
    if (tu_sh("mariadb --no-defaults -h127.0.0.1 -P%s -uroot %s -e \"%s\"",
              port, db, sql) != 0)
        fail_msg("mariadb: %s", sql);
}

/* The CRM's rows: ana (account acc-1) with two orders and a note, bob
 * (acc-2) with an order and a note, both last contacted long ago; cy
 * recently, with a note. */
#define CRM_ROWS                                                               \
    "INSERT INTO contacts VALUES"                                              \
    " (1, 'Ana Example', 'ana@example.com', '+447700900001', 'acc-1',"         \
    " '2020-01-10 09:00:00'),"                                                 \
    " (2, 'Bob Example', 'bob@example.com', NULL, 'acc-2',"                    \
    " '2020-02-10 09:00:00'),"                                                 \
    " (3, 'Cy Example', 'cy@example.com', NULL, 'acc-3',"                      \
    " '2026-11-20 09:00:00');"                                                 \
    "INSERT INTO orders VALUES (10, 1, '12.50'), (11, 1, '3.00'),"             \
    " (12, 2, '7.00');"                                                        \
    "INSERT INTO notes VALUES (20, 1, 'asked for a demo'),"                    \
    " (21, 2, 'call back'), (22, 3, 'new lead');"

static void make_maria(crm *c);

static void make_crm(crm *c)
{
    /* SQLite: a file, its foreign keys as SQLite declares them */
    tu_path(c->dir, "crm.db", c->lite, sizeof(c->lite));
    if (tu_sh("sqlite3 %s \"CREATE TABLE contacts(id INTEGER PRIMARY KEY,"
              " name TEXT, email TEXT, phone TEXT, account TEXT,"
              " last_contact_at TEXT);"
              " CREATE TABLE orders(id INTEGER PRIMARY KEY, contact_id INTEGER"
              " REFERENCES contacts(id), total TEXT);"
              " CREATE TABLE notes(id INTEGER PRIMARY KEY, contact_id INTEGER"
              " REFERENCES contacts(id), body TEXT); %s\"",
              c->lite, CRM_ROWS) != 0)
        fail_msg("sqlite3: the CRM");
    /* PostgreSQL and MariaDB: a database each, real foreign keys */
    static int made;
    snprintf(c->pg_db, sizeof(c->pg_db), "crm_%d_%d_%s", (int)getpid(), ++made,
             tu_pg() ? "p" : "l");
    snprintf(c->maria_db, sizeof(c->maria_db), "%s", c->pg_db);
    char sql[160];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", c->pg_db);
    psql("postgres", sql);
    psql(c->pg_db,
         "CREATE TABLE contacts(id INTEGER PRIMARY KEY,"
         " name VARCHAR(100), email VARCHAR(200), phone VARCHAR(40),"
         " account VARCHAR(60), last_contact_at TIMESTAMP);"
         " CREATE INDEX ON contacts(email);"
         " CREATE TABLE orders(id INTEGER PRIMARY KEY, contact_id"
         " INTEGER NOT NULL REFERENCES contacts(id), total TEXT);"
         " CREATE TABLE notes(id INTEGER PRIMARY KEY, contact_id"
         " INTEGER NOT NULL REFERENCES contacts(id), body TEXT);" CRM_ROWS);
    make_maria(c);
    char uri[512];
    setenv("TEST_CRM_LITE", c->lite, 1);
    snprintf(uri, sizeof(uri), "postgresql://%s@%s:%s/%s",
             env_or("PGUSER", "postgres"), env_or("PGHOST", "127.0.0.1"),
             env_or("PGPORT", "5432"), c->pg_db);
    setenv("TEST_CRM_PG", uri, 1);
}

/* The MariaDB CRM, on the server at c->maria_port. */
static void make_maria(crm *c)
{
    char sql[160], uri[512];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", c->maria_db);
    maria(c->maria_port, "", sql);
    maria(c->maria_port, c->maria_db,
          "CREATE TABLE contacts(id INTEGER PRIMARY KEY, name VARCHAR(100),"
          " email VARCHAR(200), phone VARCHAR(40), account VARCHAR(60),"
          " last_contact_at DATETIME, KEY(email)) ENGINE=InnoDB;"
          " CREATE TABLE orders(id INTEGER PRIMARY KEY, contact_id INTEGER NOT"
          " NULL, total TEXT, FOREIGN KEY(contact_id) REFERENCES contacts(id))"
          " ENGINE=InnoDB;"
          " CREATE TABLE notes(id INTEGER PRIMARY KEY, contact_id INTEGER NOT"
          " NULL, body TEXT, FOREIGN KEY(contact_id) REFERENCES contacts(id))"
          " ENGINE=InnoDB;" CRM_ROWS);
    snprintf(uri, sizeof(uri), "mariadb://root@127.0.0.1:%s/%s", c->maria_port,
             c->maria_db);
    setenv("TEST_CRM_MARIA", uri, 1);
}

/* One system's datasets; contacts' erase differs per system: masked and
 * hashed (sqlite, postgresql) or the row deleted (mariadb, so that its
 * foreign keys see the order). */
static void system_yaml(char *out, size_t n, const char *id,
                        const char *connector, const char *env, bool delete)
{
    snprintf(
        out, n,
        "  - id: %s\n"
        "    name: CRM on %s\n"
        "    connector: %s\n"
        "    credentials: { env: %s }\n"
        "    datasets:\n"
        "      - table: contacts\n"
        "        activity: sales_prospects\n"
        "        rule: sales_prospects.no_agreement\n"
        "        clock: last_contact_at\n"
        "        key: id\n"
        "        identities:\n"
        "          - { type: email, column: email }\n"
        "          - { type: phone, column: phone }\n"
        "          - { type: account_id, column: account }\n"
        "        columns:\n"
        "          - { name: name, category: user.name, erase: %s }\n"
        "          - { name: email, category: user.contact.email, erase: %s }\n"
        "          - { name: phone, category: user.contact.phone_number, "
        "erase: \"null\" }\n"
        "          - { name: account, category: user.workplace, "
        "erase: \"null\" }\n"
        "      - table: orders\n"
        "        activity: sales_prospects\n"
        "        key: id\n"
        "        relations:\n"
        "          - { column: contact_id, table: contacts, references: id }\n"
        "        columns:\n"
        "          - { name: total, category: user.workplace, erase: delete }\n"
        "      - table: notes\n"
        "        activity: sales_prospects\n"
        "        key: id\n"
        "        relations:\n"
        "          - { column: contact_id, table: contacts, references: id }\n"
        "        columns:\n"
        "          - { name: body, category: user.content.correspondence, "
        "erase: delete }\n",
        id, connector, connector, env, delete ? "delete" : "mask, mask: x",
        delete ? "delete" : "hash");
}

static sw_policy *systems_policy(void)
{
    size_t len;
    const char *bundled = sw_policy_bundled_text(&len);
    char a[2048], b[2048], m[2048];
    system_yaml(a, sizeof(a), "crm_lite", "sqlite", "TEST_CRM_LITE", false);
    system_yaml(b, sizeof(b), "crm_pg", "postgresql", "TEST_CRM_PG", false);
    system_yaml(m, sizeof(m), "crm_maria", "mariadb", "TEST_CRM_MARIA", true);
    /* "mask, mask: x" is two keys of the column's flow mapping */
    const char *support =
        "  - id: support\n"
        "    name: Support desk (SaaS)\n"
        "    connector: webhook\n"
        "    credentials: { env: TEST_HOOK }\n"
        "    datasets:\n"
        "      - table: tickets\n"
        "        activity: sales_prospects\n"
        "        rule: sales_prospects.no_agreement\n"
        "        clock: closed_at\n"
        "        key: id\n"
        "        identities:\n"
        "          - { type: email, column: email }\n"
        "        columns:\n"
        "          - { name: email, category: user.contact.email, erase: hash }\n"
        "          - { name: subject, category: user.content.correspondence, "
        "erase: delete }\n"
        "          - { name: body, category: user.content.correspondence, "
        "erase: delete }\n";
    char *text = malloc(len + 8192);
    assert_non_null(text);
    snprintf(text, len + 8192, "%.*s\nsystems:\n%s%s%s%s", (int)len, bundled, a,
             b, m, support);
    sw_policy *p = tu_policy_text(text);
    free(text);
    return p;
}

static int setup(void **state)
{
    crm *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    char *dir = tu_tmpdir();
    snprintf(c->dir, sizeof(c->dir), "%s", dir);
    free(dir);
    snprintf(c->maria_port, sizeof(c->maria_port), "%s",
             env_or("STEWARD_TEST_MARIADB_PORT", "3306"));
    make_crm(c);
    hook_start(&c->h);
    tu_store_new_policy(&c->t, "2026-12-01T10:00:00Z", systems_policy());
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    crm *c = *state;
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
             c->pg_db);
    psql("postgres", sql);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", c->maria_db);
    tu_sh("mariadb --no-defaults -h127.0.0.1 -P%s -uroot -e \"%s\"",
          c->maria_port, sql);
    if (c->spare_dir[0])
        tu_sh("sh %s/scripts/mariadb_test_server.sh stop %s",
              STEWARD_SOURCE_DIR, c->spare_dir);
    tu_store_free(&c->t);
    MHD_stop_daemon(c->h.d);
    tu_rmtree(c->dir);
    free(c);
    return 0;
}

/* ---- reading the CRMs back, with their own clients ---- */

static long lite_n(crm *c, const char *sql)
{
    return tu_count_sql(c->lite, sql);
}

static long pg_n(crm *c, const char *sql)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "psql -q -X -t -A -h %s -p %s -U %s -d %s -c \"%s\"",
             env_or("PGHOST", "127.0.0.1"), env_or("PGPORT", "5432"),
             env_or("PGUSER", "postgres"), c->pg_db, sql);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    long v = -1;
    if (fscanf(f, "%ld", &v) != 1)
        v = -1;
    pclose(f);
    return v;
}

static long maria_n(crm *c, const char *sql)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "mariadb --no-defaults -h127.0.0.1 -P%s -uroot -N -B %s -e \"%s\"",
             c->maria_port, c->maria_db, sql);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    long v = -1;
    if (fscanf(f, "%ld", &v) != 1)
        v = -1;
    pclose(f);
    return v;
}

/* The same count in all three CRMs. */
static void all_n(crm *c, const char *sql, long want)
{
    assert_int_equal(lite_n(c, sql), want);
    assert_int_equal(pg_n(c, sql), want);
    assert_int_equal(maria_n(c, sql), want);
}

static void prospect(crm *c, const char *email, const char *account, char *sid)
{
    sw_ident id = {"email", email};
    sw_subject_spec spec = {"prospect", account, NULL, NULL, 1, &id};
    if (sw_subject_add(c->t.s, &spec, sid) != SW_OK)
        fail_msg("subject: %s", sw_errmsg(c->t.s));
}

static sw_request_opened verified(crm *c, const char *email,
                                  sw_request_type type)
{
    sw_ident id = {"email", email};
    sw_who who = {NULL, &id};
    sw_request_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.type = type;
    spec.regulation = SW_GDPR;
    sw_request_opened o;
    if (sw_request_open(c->t.s, &who, &spec, &o) != SW_OK)
        fail_msg("open: %s", sw_errmsg(c->t.s));
    if (sw_request_verify(c->t.s, o.req.id, o.code) != SW_OK)
        fail_msg("verify: %s", sw_errmsg(c->t.s));
    return o;
}

/* ---- the stories ---- */

static void test_check_compares_the_live_schema(void **state)
{
    crm *c = *state;
    const char *ids[] = {"crm_lite", "crm_pg", "crm_maria"};
    for (size_t i = 0; i < 3; i++) {
        sw_system_report *r;
        if (sw_system_check(c->t.s, ids[i], &r) != SW_OK)
            fail_msg("%s: %s", ids[i], sw_errmsg(c->t.s));
        assert_int_equal(r->n_issues, 0);
        bool contacts = false, notes = false;
        for (size_t k = 0; k < r->n_counts; k++) {
            if (strcmp(r->counts[k].table, "contacts") == 0 &&
                !r->counts[k].category[0])
                contacts = r->counts[k].rows == 3;
            if (strcmp(r->counts[k].category, "user.contact.phone_number") == 0)
                assert_int_equal(r->counts[k].rows, 1); /* one phone */
            if (strcmp(r->counts[k].category, "user.content.correspondence") ==
                0)
                notes = r->counts[k].rows == 3;
        }
        assert_true(contacts);
        assert_true(notes);
        sw_system_report_free(r);
    }
    /* a column renamed, and one made a number: both reported */
    tu_exec_sql(c->lite, "ALTER TABLE notes RENAME COLUMN body TO text");
    psql(c->pg_db, "ALTER TABLE contacts ALTER COLUMN email TYPE INTEGER"
                   " USING NULL");
    sw_system_report *r;
    assert_int_equal(sw_system_check(c->t.s, "crm_lite", &r), SW_OK);
    assert_int_equal(r->n_issues, 1);
    assert_string_equal(r->issues[0].table, "notes");
    assert_string_equal(r->issues[0].column, "body");
    assert_string_equal(r->issues[0].what, "missing");
    sw_system_report_free(r);
    assert_int_equal(sw_system_check(c->t.s, "crm_pg", &r), SW_OK);
    assert_true(r->n_issues >= 1); /* as an identity, and as a hashed value */
    for (size_t i = 0; i < r->n_issues; i++) {
        assert_string_equal(r->issues[i].column, "email");
        assert_non_null(strstr(r->issues[i].what, "is integer"));
    }
    sw_system_report_free(r);
    /* and nothing runs on a system whose schema does not match */
    char sid[SW_ID_BUFSZ];
    prospect(c, "ana@example.com", "acc-1", sid);
    sw_system_erasure *e;
    assert_int_equal(sw_system_erase(c->t.s, sid, "crm_lite", NULL, false, &e),
                     SW_ERR_CONFLICT);
    assert_non_null(strstr(sw_errmsg(c->t.s), "no column body"));
    sw_system_erasure_free(e);
    assert_int_equal(lite_n(c, "SELECT count(*) FROM notes"), 3);
    assert_int_equal(sw_system_check(c->t.s, "nope", &r), SW_ERR_NOTFOUND);
}

static void test_access_answer_holds_every_systems_rows(void **state)
{
    crm *c = *state;
    char sid[SW_ID_BUFSZ];
    prospect(c, "ana@example.com", "acc-1", sid);
    sw_request_opened o = verified(c, "ana@example.com", SW_REQ_ACCESS);
    sw_fulfilment f;
    if (sw_request_fulfil(c->t.s, o.req.id, NULL, &f) != SW_OK)
        fail_msg("fulfil: %s", sw_errmsg(c->t.s));
    assert_non_null(strstr(f.outcome, "13 rows of the company's systems"));
    assert_int_equal(c->h.jobs[0], 1); /* one signed access job */
    assert_int_equal(c->h.bad, 0);
    json_t *a = json_loads(f.answer, 0, NULL);
    free(f.answer);
    assert_non_null(a);
    json_t *sys = json_object_get(a, "systems");
    /* three databases with three tables each, and the support desk */
    assert_int_equal(json_array_size(sys), 10);
    size_t i;
    json_t *t;
    int per_system[4] = {0, 0, 0, 0};
    json_array_foreach(sys, i, t)
    {
        const char *id = json_string_value(json_object_get(t, "system"));
        const char *table = json_string_value(json_object_get(t, "table"));
        json_t *rows = json_object_get(t, "rows");
        int k = strcmp(id, "crm_lite") == 0    ? 0
                : strcmp(id, "crm_pg") == 0    ? 1
                : strcmp(id, "crm_maria") == 0 ? 2
                                               : 3;
        per_system[k] += (int)json_array_size(rows);
        if (k == 3) { /* the desk's fields, labelled; undeclared ones out */
            assert_string_equal(table, "tickets");
            json_t *row = json_array_get(rows, 0);
            json_t *body = json_object_get(row, "body");
            assert_string_equal(
                json_string_value(json_object_get(body, "value")),
                "please refund me");
            assert_string_equal(
                json_string_value(json_object_get(body, "category")),
                "user.content.correspondence");
            assert_null(json_object_get(row, "internal"));
        } else if (strcmp(table, "contacts") == 0) {
            assert_int_equal(json_array_size(rows), 1);
            json_t *name = json_object_get(json_array_get(rows, 0), "name");
            assert_string_equal(
                json_string_value(json_object_get(name, "value")),
                "Ana Example");
            assert_string_equal(
                json_string_value(json_object_get(name, "category")),
                "user.name");
        } else if (strcmp(table, "orders") == 0) {
            assert_int_equal(json_array_size(rows), 2); /* not bob's */
        } else {
            assert_string_equal(table, "notes");
            json_t *body = json_object_get(json_array_get(rows, 0), "body");
            assert_string_equal(
                json_string_value(json_object_get(body, "value")),
                "asked for a demo");
        }
    }
    assert_int_equal(per_system[0], 4);
    assert_int_equal(per_system[1], 4);
    assert_int_equal(per_system[2], 4);
    assert_int_equal(per_system[3], 1);
    /* the job named the person by their identifiers */
    assert_non_null(strstr(c->h.body, "ana@example.com"));
    json_decref(a);
}

static void test_erasure_follows_relations_child_first(void **state)
{
    crm *c = *state;
    char sid[SW_ID_BUFSZ];
    prospect(c, "ana@example.com", "acc-1", sid);
    tu_exec_sql(c->lite, "PRAGMA foreign_keys = ON");
    sw_request_opened o = verified(c, "ana@example.com", SW_REQ_ERASURE);
    sw_fulfilment f;
    if (sw_request_fulfil(c->t.s, o.req.id, NULL, &f) != SW_OK)
        fail_msg("fulfil: %s", sw_errmsg(c->t.s));
    assert_non_null(strstr(f.outcome, "in the systems: crm_lite 4 rows"));
    assert_non_null(strstr(f.outcome, "support 2 rows"));
    assert_int_equal(c->h.jobs[1], 1);
    free(f.answer);
    /* ana's orders and notes are gone everywhere; bob's and cy's stay */
    all_n(c, "SELECT count(*) FROM orders WHERE contact_id = 1", 0);
    all_n(c, "SELECT count(*) FROM notes WHERE contact_id = 1", 0);
    all_n(c, "SELECT count(*) FROM orders", 1);
    all_n(c, "SELECT count(*) FROM notes", 2);
    /* the contact: masked and hashed where the policy says so ... */
    assert_int_equal(lite_n(c, "SELECT count(*) FROM contacts WHERE id = 1 AND"
                               " name = 'x' AND phone IS NULL AND email LIKE"
                               " 'sw:%'"),
                     1);
    assert_int_equal(pg_n(c, "SELECT count(*) FROM contacts WHERE id = 1 AND"
                             " name = 'x' AND phone IS NULL AND email LIKE"
                             " 'sw:%'"),
                     1);
    /* ... the same pseudonym for the same address in one store */
    assert_int_equal(pg_n(c, "SELECT count(*) FROM contacts WHERE email ="
                             " (SELECT email FROM contacts WHERE id = 1)"),
                     1);
    /* ... and deleted on MariaDB, whose foreign keys allow it only after
     * the orders and notes went */
    assert_int_equal(maria_n(c, "SELECT count(*) FROM contacts WHERE id = 1"),
                     0);
    all_n(c, "SELECT count(*) FROM contacts WHERE email = 'bob@example.com'",
          1);
    /* run again: nothing more is found or changed */
    sw_system_erasure *e;
    char sid2[SW_ID_BUFSZ];
    prospect(c, "ana@example.com", "acc-1", sid2);
    assert_int_equal(sw_system_erase(c->t.s, sid2, NULL, NULL, false, &e),
                     SW_OK);
    for (size_t i = 0; i < e->n_steps; i++) /* (the desk says what it did) */
        if (strcmp(e->steps[i].system, "support") != 0)
            assert_int_equal(e->steps[i].rows, 0);
    sw_system_erasure_free(e);
    /* every system's erasure is in the audit trail, without a value */
    sw_audit_verdict v;
    assert_int_equal(sw_audit_verify(c->t.s, &v), SW_OK);
    assert_true(v.intact);
}

static void test_dry_run_changes_nothing(void **state)
{
    crm *c = *state;
    char sid[SW_ID_BUFSZ];
    prospect(c, "bob@example.com", "acc-2", sid);
    sw_system_erasure *e;
    assert_int_equal(sw_system_erase(c->t.s, sid, NULL, NULL, true, &e), SW_OK);
    assert_non_null(e->statements);
    assert_non_null(strstr(e->statements, "DELETE FROM \"notes\" WHERE"));
    assert_null(strstr(e->statements, "bob@example.com")); /* bound */
    assert_non_null(strstr(e->statements, "POST an erasure job"));
    assert_int_equal(c->h.jobs[1], 0); /* nothing sent */
    size_t rows = 0;
    for (size_t i = 0; i < e->n_steps; i++)
        rows += e->steps[i].rows;
    assert_int_equal(rows, 9); /* 3 systems x (contact, order, note) */
    sw_system_erasure_free(e);
    all_n(c, "SELECT count(*) FROM notes", 3);
    all_n(c, "SELECT count(*) FROM contacts WHERE email = 'bob@example.com'",
          1);
}

static void test_retention_sweep_honours_a_hold(void **state)
{
    crm *c = *state;
    char hold[SW_ID_BUFSZ];
    assert_int_equal(sw_hold_place(c->t.s, "account:acc-1", "litigation",
                                   "claim by Ana", hold),
                     SW_OK);
    sw_sweep_report *r = tu_sweep(&c->t, "2026-12-01T10:00:00Z");
    /* bob is past six months since the last contact; ana too, but held;
     * cy was contacted recently */
    assert_int_equal(r->n_systems, 4);
    for (size_t i = 0; i < r->n_systems; i++) {
        bool desk = strcmp(r->systems[i].system, "support") == 0;
        assert_string_equal(r->systems[i].table, desk ? "tickets" : "contacts");
        assert_string_equal(r->systems[i].rule, "sales_prospects.no_agreement");
        assert_int_equal(r->systems[i].rows, 1);
        assert_int_equal(r->systems[i].held, desk ? 0 : 1);
        assert_string_equal(r->systems[i].error, "");
    }
    assert_int_equal(r->system_rows, 4);
    /* the desk was told the cut-off and who is held */
    assert_int_equal(c->h.jobs[2], 1);
    assert_non_null(strstr(c->h.body, "\"clock_before\":\"2026-06-01"));
    assert_non_null(strstr(c->h.body, "acc-1"));
    sw_sweep_report_free(r);
    all_n(c, "SELECT count(*) FROM orders WHERE contact_id = 2", 0);
    all_n(c, "SELECT count(*) FROM notes WHERE contact_id = 2", 0);
    all_n(c, "SELECT count(*) FROM notes WHERE contact_id IN (1, 3)", 2);
    all_n(c, "SELECT count(*) FROM orders WHERE contact_id = 1", 2);
    assert_int_equal(maria_n(c, "SELECT count(*) FROM contacts"), 2);
    assert_int_equal(lite_n(c, "SELECT count(*) FROM contacts WHERE name ="
                               " 'Ana Example' OR name = 'Cy Example'"),
                     2);
    /* a second sweep finds nothing more; the hold released, ana goes */
    r = tu_sweep(&c->t, "2026-12-01T11:00:00Z");
    assert_int_equal(r->system_rows, 0);
    sw_sweep_report_free(r);
    assert_int_equal(sw_hold_release(c->t.s, hold), SW_OK);
    r = tu_sweep(&c->t, "2026-12-01T12:00:00Z");
    assert_int_equal(r->system_rows, 3);
    sw_sweep_report_free(r);
    all_n(c, "SELECT count(*) FROM orders", 0);
    all_n(c, "SELECT count(*) FROM notes", 1);
}

/* Batches of one row: the sweep goes on from each batch's last key. */
static void test_retention_goes_batch_by_batch(void **state)
{
    crm *c = *state;
    sw_system_sweep *w;
    assert_int_equal(sw_system_sweep_run(c->t.s, false, 1, &w), SW_OK);
    size_t sql = 0;
    for (size_t i = 0; i < w->n; i++) {
        assert_string_equal(w->tables[i].error, "");
        if (strcmp(w->tables[i].system, "support") != 0) {
            assert_int_equal(w->tables[i].rows, 2); /* ana and bob */
            sql++;
        }
    }
    assert_int_equal(sql, 3);
    sw_system_sweep_free(w);
    all_n(c, "SELECT count(*) FROM notes", 1); /* cy's */
    all_n(c, "SELECT count(*) FROM orders", 0);
}

/* The audit entries of one system's expiry, one a batch. */
typedef struct expiry_count {
    const char *system;
    long n;
} expiry_count;

static int count_expiry(const sw_audit_entry *e, void *p)
{
    expiry_count *k = p;
    json_t *d = json_loads(e->details ? e->details : "{}", 0, NULL);
    const char *sys = json_string_value(json_object_get(d, "system"));
    if (strcmp(e->action, "system.expire") == 0 && sys &&
        strcmp(sys, k->system) == 0)
        k->n++;
    json_decref(d);
    return 0;
}

static long expiry_batches(crm *c, const char *system)
{
    expiry_count k = {system, 0};
    assert_int_equal(sw_audit_log(c->t.s, NULL, count_expiry, &k), SW_OK);
    return k.n;
}

/* 2 000 contacts past their time in each CRM, keys 100 * step to 2099 *
 * step, one in a hundred with an order; ana's account held; the sweep in
 * batches of 100 rows. Every row due goes, children first, but the held
 * account's, whatever batch it is in; each batch an audit entry. */
static void bulk_sweep(crm *c, long step)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO contacts SELECT i * %ld, rpad('Person ', 100, 'x'),"
             " 'p' || i || '@bulk.example', NULL, 'bulk-' || i,"
             " '2019-05-01 08:00:00' FROM generate_series(100, 2099) i;"
             " INSERT INTO orders SELECT 1000 + i, i * %ld, '1.00' FROM"
             " generate_series(100, 2099, 100) i; ANALYZE contacts",
             step, step);
    psql(c->pg_db, sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO contacts SELECT seq * %ld, RPAD('Person ', 100, 'x'),"
             " CONCAT('p', seq, '@bulk.example'), NULL, CONCAT('bulk-', seq),"
             " '2019-05-01 08:00:00' FROM seq_100_to_2099;"
             " INSERT INTO orders SELECT 1000 + seq, seq * %ld, '1.00' FROM"
             " seq_100_to_2099_step_100",
             step, step);
    maria(c->maria_port, c->maria_db, sql);
    snprintf(sql, sizeof(sql),
             "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1"
             " FROM n WHERE i < 2099) INSERT INTO contacts SELECT i * %ld,"
             " 'Person ' || hex(zeroblob(46)), 'p' || i || '@bulk.example',"
             " NULL, 'bulk-' || i, '2019-05-01 08:00:00' FROM n;"
             " INSERT INTO orders SELECT 1000 + id / %ld, id, '1.00' FROM"
             " contacts WHERE id >= 100 AND (id / %ld) %% 100 = 0",
             step, step, step);
    tu_exec_sql(c->lite, sql);
    all_n(c, "SELECT count(*) FROM contacts", 2003);
    all_n(c, "SELECT count(*) FROM orders", 23);
    char hold[SW_ID_BUFSZ];
    assert_int_equal(
        sw_hold_place(c->t.s, "account:acc-1", "litigation", "dispute", hold),
        SW_OK);
    sw_system_sweep *w;
    assert_int_equal(sw_system_sweep_run(c->t.s, false, 100, &w), SW_OK);
    size_t sql_systems = 0;
    for (size_t i = 0; i < w->n; i++) {
        assert_string_equal(w->tables[i].error, "");
        if (strcmp(w->tables[i].system, "support") == 0)
            continue;
        assert_int_equal(w->tables[i].rows, 2001); /* bob and the bulk */
        assert_int_equal(w->tables[i].held, 1);    /* ana */
        sql_systems++;
    }
    assert_int_equal(sql_systems, 3);
    sw_system_sweep_free(w);
    /* SQLite and PostgreSQL mask and hash, MariaDB deletes: left as they
     * were, ana (held) and cy (recent) */
    const char *kept = "SELECT count(*) FROM contacts WHERE name <> 'x'"
                       " AND id IN (1, 3)";
    assert_int_equal(lite_n(c, "SELECT count(*) FROM contacts WHERE"
                               " name <> 'x'"),
                     2);
    assert_int_equal(lite_n(c, kept), 2);
    assert_int_equal(pg_n(c, "SELECT count(*) FROM contacts WHERE"
                             " name <> 'x'"),
                     2);
    assert_int_equal(pg_n(c, kept), 2);
    assert_int_equal(maria_n(c, "SELECT count(*) FROM contacts"), 2);
    assert_int_equal(maria_n(c, kept), 2);
    all_n(c, "SELECT count(*) FROM orders", 2); /* ana's */
    /* batches of about 100 rows: some twenty of them in each system */
    long lite = expiry_batches(c, "crm_lite"), pg = expiry_batches(c, "crm_pg"),
         ma = expiry_batches(c, "crm_maria");
    assert_true(lite >= 15 && lite <= 30);
    assert_true(pg >= 10 && pg <= 60);
    assert_true(ma >= 15 && ma <= 30);
}

/* Keys close together: spans of the key (of the heap's blocks on
 * PostgreSQL), over many pages of each database. */
static void test_retention_spans_many_rows(void **state)
{
    bulk_sweep(*state, 1);
}

/* Keys a million apart, too sparse for spans: batches by row, each from
 * the last key of the batch before. */
static void test_retention_batches_sparse_keys_by_row(void **state)
{
    bulk_sweep(*state, 1000000);
}

/* Discovery: a column the policy does not declare that holds e-mail
 * addresses is found in each SQL system; the declared ones are labelled. */
static void test_scan_finds_undeclared_personal_data(void **state)
{
    crm *c = *state;
    tu_exec_sql(c->lite, "ALTER TABLE notes ADD COLUMN extra TEXT;"
                         " UPDATE notes SET extra = 'write to ana@example.com'"
                         " WHERE id = 20");
    psql(c->pg_db, "ALTER TABLE notes ADD COLUMN extra TEXT;"
                   " UPDATE notes SET extra = 'write to ana@example.com'"
                   " WHERE id = 20");
    maria(c->maria_port, c->maria_db,
          "ALTER TABLE notes ADD COLUMN extra TEXT;"
          " UPDATE notes SET extra = 'write to ana@example.com' WHERE id = 20");
    const char *const systems[] = {"crm_lite", "crm_pg", "crm_maria"};
    for (size_t k = 0; k < 3; k++) {
        sw_system_scan_report *r;
        if (sw_system_scan(c->t.s, systems[k], 10, &r) != SW_OK)
            fail_msg("%s: %s", systems[k], sw_errmsg(c->t.s));
        assert_int_equal(r->undeclared, 1);
        bool extra = false, email = false;
        for (size_t i = 0; i < r->n; i++) {
            const sw_column_scan *col = &r->columns[i];
            if (strcmp(col->table, "notes") == 0 &&
                strcmp(col->column, "extra") == 0) {
                extra = col->findings[SW_PII_EMAIL] == 1 && !col->category[0];
            }
            if (strcmp(col->table, "contacts") == 0 &&
                strcmp(col->column, "email") == 0)
                email = col->findings[SW_PII_EMAIL] == 3 &&
                        strcmp(col->category, "user.contact.email") == 0;
        }
        assert_true(extra);
        assert_true(email);
        sw_system_scan_report_free(r);
    }
    tu_run r;
    tu_steward(&r, NULL, "system", "scan", "crm_lite", "--store", c->t.path,
               (const char *)NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "notes.extra"));
    assert_null(strstr(r.out, "ana@example.com")); /* never the value */
    tu_run_free(&r);
    sw_system_scan_report *w;
    assert_int_equal(sw_system_scan(c->t.s, "support", 10, &w),
                     SW_ERR_UNSUPPORTED);
}

static void test_erasure_keeps_what_a_hold_covers(void **state)
{
    crm *c = *state;
    char sid[SW_ID_BUFSZ], hold[SW_ID_BUFSZ];
    prospect(c, "bob@example.com", "acc-2", sid);
    assert_int_equal(
        sw_hold_place(c->t.s, "account:acc-2", "litigation", "dispute", hold),
        SW_OK);
    sw_system_erasure *e;
    assert_int_equal(sw_system_erase(c->t.s, sid, NULL, NULL, false, &e),
                     SW_OK);
    /* bob's contact in each database; the desk is not sent the job */
    assert_int_equal(e->kept, 4);
    assert_int_equal(c->h.jobs[1], 0);
    sw_system_erasure_free(e);
    all_n(c, "SELECT count(*) FROM notes WHERE contact_id = 2", 1);
    all_n(c, "SELECT count(*) FROM contacts WHERE email = 'bob@example.com'",
          1);
    /* released, the same erasure takes them */
    assert_int_equal(sw_hold_release(c->t.s, hold), SW_OK);
    assert_int_equal(sw_system_erase(c->t.s, sid, NULL, NULL, false, &e),
                     SW_OK);
    assert_int_equal(e->kept, 0);
    sw_system_erasure_free(e);
    all_n(c, "SELECT count(*) FROM notes WHERE contact_id = 2", 0);
    all_n(c, "SELECT count(*) FROM contacts WHERE email = 'bob@example.com'",
          0);
}

/* The command line: check's exit status, erase's dry run and its usage. */
static void test_cli_check_and_dry_run(void **state)
{
    crm *c = *state;
    char sid[SW_ID_BUFSZ];
    prospect(c, "ana@example.com", "acc-1", sid);
    tu_run r;
    tu_steward(&r, NULL, "system", "check", "crm_pg", "--store", c->t.path,
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "the live schema matches the policy"));
    tu_run_free(&r);
    tu_exec_sql(c->lite, "ALTER TABLE notes RENAME COLUMN body TO text");
    tu_steward(&r, NULL, "system", "check", "crm_lite", "--store", c->t.path,
               (const char *)NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "mismatch  notes.body: missing"));
    tu_run_free(&r);
    tu_steward(&r, NULL, "system", "check", "nope", "--store", c->t.path,
               (const char *)NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no system 'nope'"));
    tu_run_free(&r);
    tu_steward(&r, NULL, "system", "erase", "--email", "ana@example.com",
               "--system", "crm_maria", "--dry-run", "--store", c->t.path,
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "would crm_maria  orders"));
    assert_non_null(strstr(r.out, "DELETE FROM \"contacts\" WHERE"));
    assert_null(strstr(r.out, "ana@example.com"));
    tu_run_free(&r);
    assert_int_equal(maria_n(c, "SELECT count(*) FROM orders"), 3);
    tu_steward(&r, NULL, "system", "erase", "--store", c->t.path,
               (const char *)NULL);
    assert_int_equal(r.status, 2); /* whom: a usage error */
    tu_run_free(&r);
    tu_steward(&r, NULL, "system", "-h", (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "steward system check NAME"));
    tu_run_free(&r);
}

/* A callback as the desk would send it: body signed at ts. */
static sw_status callback(crm *c, const char *job, const char *secret, long ts,
                          sw_system_callback *out)
{
    char body[256], t[24], sig[68];
    snprintf(body, sizeof(body),
             "{\"job\": \"%s\", \"status\": \"done\", \"erased\": 3}", job);
    snprintf(t, sizeof(t), "%ld", ts);
    tu_webhook_sign(secret, t, body, strlen(body), sig);
    return sw_request_system_callback(c->t.s, "support", t, sig, body,
                                      strlen(body), out);
}

static void test_webhook_answers_later_and_callbacks_are_checked(void **state)
{
    crm *c = *state;
    c->h.later = true;
    char sid[SW_ID_BUFSZ];
    prospect(c, "cy@example.com", "acc-3", sid);
    sw_request_opened o = verified(c, "cy@example.com", SW_REQ_ERASURE);
    sw_fulfilment f;
    assert_int_equal(sw_request_fulfil(c->t.s, o.req.id, NULL, &f),
                     SW_ERR_BUSY);
    assert_non_null(strstr(sw_errmsg(c->t.s), "support (its answer comes"));
    char job[64];
    snprintf(job, sizeof(job), "%s", c->h.job);
    assert_true(strncmp(job, "job_", 4) == 0);
    /* fulfilled again before the callback: the job is not sent again */
    assert_int_equal(sw_request_fulfil(c->t.s, o.req.id, NULL, &f),
                     SW_ERR_BUSY);
    assert_int_equal(c->h.jobs[1], 1);
    sw_system_callback cb;
    long now = (long)time(NULL);
    /* forged (another secret), too old, for an unknown job: refused */
    assert_int_equal(callback(c, job, "not-the-secret-at-all", now, &cb),
                     SW_ERR_DENIED);
    assert_int_equal(callback(c, job, HOOK_SECRET, now - 900, &cb),
                     SW_ERR_DENIED);
    assert_int_equal(
        callback(c, "job_000000000000000000000000", HOOK_SECRET, now, &cb),
        SW_ERR_NOTFOUND);
    sw_request_view v;
    assert_int_equal(sw_request_get(c->t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_IN_PROGRESS);
    /* the desk's real answer completes the request */
    assert_int_equal(callback(c, job, HOOK_SECRET, now, &cb), SW_OK);
    assert_true(cb.done);
    assert_true(cb.completed);
    assert_string_equal(cb.request, o.req.id);
    assert_int_equal(sw_request_get(c->t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_COMPLETED);
    /* the same callback again (a replay) changes nothing */
    assert_int_equal(callback(c, job, HOOK_SECRET, now, &cb), SW_ERR_CONFLICT);
    char *json;
    assert_int_equal(sw_request_systems(c->t.s, o.req.id, &json), SW_OK);
    assert_non_null(strstr(json, "\"rows\":3"));
    free(json);
}

/* A MariaDB server of this test's own, stopped during a request and
 * started again on its data. */
static void spare_server(crm *c, const char *how)
{
    const char *port = env_or("STEWARD_TEST_MARIADB_SPARE_PORT", "3307");
    if (tu_sh("sh %s/scripts/mariadb_test_server.sh %s %s %s",
              STEWARD_SOURCE_DIR, how, c->spare_dir, port) != 0)
        fail_msg("mariadb_test_server.sh %s", how);
}

static void test_stopped_server_resumes_the_erasure(void **state)
{
    crm *c = *state;
    tu_path(c->dir, "spare-mariadb", c->spare_dir, sizeof(c->spare_dir));
    spare_server(c, "start");
    snprintf(c->maria_port, sizeof(c->maria_port), "%s",
             env_or("STEWARD_TEST_MARIADB_SPARE_PORT", "3307"));
    make_maria(c); /* the MariaDB CRM, on the spare server */
    char sid[SW_ID_BUFSZ];
    prospect(c, "cy@example.com", "acc-3", sid); /* not due yet */
    sw_request_opened o = verified(c, "cy@example.com", SW_REQ_ERASURE);
    spare_server(c, "pause"); /* the server stops */
    sw_fulfilment f;
    assert_int_equal(sw_request_fulfil(c->t.s, o.req.id, NULL, &f),
                     SW_ERR_BUSY);
    assert_non_null(strstr(sw_errmsg(c->t.s), "waits for 1 system: crm_maria"));
    assert_null(strstr(sw_errmsg(c->t.s), "cy@example.com"));
    /* the others are done; the request is still open, the subject kept */
    sw_request_view v;
    assert_int_equal(sw_request_get(c->t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_IN_PROGRESS);
    char *json;
    assert_int_equal(sw_request_systems(c->t.s, o.req.id, &json), SW_OK);
    json_t *sys = json_loads(json, 0, NULL);
    free(json);
    assert_int_equal(json_array_size(sys), 4);
    size_t i;
    json_t *e;
    json_array_foreach(sys, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "system"));
        const char *st = json_string_value(json_object_get(e, "state"));
        assert_string_equal(st,
                            strcmp(id, "crm_maria") == 0 ? "pending" : "done");
    }
    json_decref(sys);
    assert_int_equal(
        lite_n(c, "SELECT count(*) FROM notes WHERE contact_id = 3"), 0);
    /* started again: the sweep after the back-off completes the request */
    spare_server(c, "resume");
    sw_sweep_report *r = tu_sweep(&c->t, "2026-12-01T10:05:00Z");
    assert_int_equal(r->requests_resumed, 1);
    sw_sweep_report_free(r);
    assert_int_equal(sw_request_get(c->t.s, o.req.id, &v), SW_OK);
    assert_int_equal(v.state, SW_RS_COMPLETED);
    assert_int_equal(maria_n(c, "SELECT count(*) FROM contacts WHERE id = 3"),
                     0);
    assert_int_equal(
        maria_n(c, "SELECT count(*) FROM notes WHERE contact_id = 3"), 0);
    /* nothing erased twice: the systems done before ran once */
    assert_int_equal(sw_request_systems(c->t.s, o.req.id, &json), SW_OK);
    sys = json_loads(json, 0, NULL);
    free(json);
    json_array_foreach(sys, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "system"));
        assert_string_equal(json_string_value(json_object_get(e, "state")),
                            "done");
        assert_int_equal(json_integer_value(json_object_get(e, "attempts")),
                         strcmp(id, "crm_maria") == 0 ? 2 : 1);
        assert_int_equal(json_integer_value(json_object_get(e, "rows")), 2);
    }
    json_decref(sys);
}

/* A connection kept from one call to the next, its server restarted in
 * between: the next call makes it again and answers at once. */
static void test_kept_connection_survives_a_restart(void **state)
{
    crm *c = *state;
    tu_path(c->dir, "spare-mariadb", c->spare_dir, sizeof(c->spare_dir));
    spare_server(c, "start");
    snprintf(c->maria_port, sizeof(c->maria_port), "%s",
             env_or("STEWARD_TEST_MARIADB_SPARE_PORT", "3307"));
    make_maria(c);
    char sid[SW_ID_BUFSZ];
    prospect(c, "ana@example.com", "acc-1", sid);
    char *json;
    assert_int_equal(sw_system_rows(c->t.s, sid, &json), SW_OK);
    assert_non_null(strstr(json, "crm_maria"));
    free(json);
    spare_server(c, "pause");
    spare_server(c, "resume");
    if (sw_system_rows(c->t.s, sid, &json) != SW_OK)
        fail_msg("after the restart: %s", sw_errmsg(c->t.s));
    json_t *all = json_loads(json, 0, NULL);
    free(json);
    size_t i, maria_rows = 0;
    json_t *e;
    json_array_foreach(all, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "system")),
                   "crm_maria") == 0)
            maria_rows++;
    }
    json_decref(all);
    assert_true(maria_rows > 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_check_compares_the_live_schema),
        T(test_access_answer_holds_every_systems_rows),
        T(test_erasure_follows_relations_child_first),
        T(test_dry_run_changes_nothing),
        T(test_retention_sweep_honours_a_hold),
        T(test_retention_goes_batch_by_batch),
        T(test_retention_spans_many_rows),
        T(test_retention_batches_sparse_keys_by_row),
        T(test_scan_finds_undeclared_personal_data),
        T(test_erasure_keeps_what_a_hold_covers),
        T(test_webhook_answers_later_and_callbacks_are_checked),
        T(test_cli_check_and_dry_run),
        T(test_stopped_server_resumes_the_erasure),
        T(test_kept_connection_survives_a_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
