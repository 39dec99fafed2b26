/* SPDX-License-Identifier: Apache-2.0 */
/* stewardd's calls in-process: a rate-limit bucket is a caller's own
 * whatever their names hash to; API keys are remembered by a keyed hash,
 * never as text; a body that cannot be spooled says why. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "routes.h"
#include "stewardd.h"
#include "testutil.h"

static server *new_server(double rate)
{
    server *srv = calloc(1, sizeof(*srv));
    assert_non_null(srv);
    srv->o.rate = rate;
    pthread_mutex_init(&srv->rate_mu, NULL);
    pthread_mutex_init(&srv->key_mu, NULL);
    pthread_mutex_init(&srv->pool_mu, NULL);
    auth_init(srv);
    return srv;
}

/* A server prepared on the test store t (closed first: the server opens
 * its own handles). */
static server *server_on(tu_store *t)
{
    sw_store_close(t->s);
    t->s = NULL;
    server *srv = new_server(0);
    srv->o.store = t->path;
    srv->policy = t->policy;
    char err[512];
    assert_int_equal(server_prepare(srv, err, sizeof(err)), 0);
    if (tu_pg())
        srv->so.key_file = t->key;
    return srv;
}

static void server_done(server *srv, tu_store *t)
{
    server_release(srv);
    free(srv);
    tu_store_reopen(t);
    tu_store_free(t);
}

/* The hash the old table used (djb2, 256 slots): two names of one slot. */
static size_t old_slot(const char *who)
{
    size_t h = 5381;
    for (const char *p = who; *p; p++)
        h = h * 33 + (unsigned char)*p;
    return h % 64 % 256;
}

/* Regression: two callers of one slot reset each other to a full burst,
 * so neither was ever limited. */
static void test_auth__callers_never_share_a_bucket(void **state)
{
    (void)state;
    server *srv = new_server(1); /* 1 a second, bursts of 2 */
    char a[32] = "ip:192.0.2.1", b[32];
    size_t want = old_slot(a);
    int n = 0;
    do
        snprintf(b, sizeof(b), "ip:198.51.100.%d", n++);
    while (old_slot(b) != want && n < 100000);
    assert_int_equal(old_slot(b), want);
    double retry = 0;
    int allowed = 0;
    for (int i = 0; i < 20; i++) {
        allowed += rate_take(srv, a, &retry);
        rate_take(srv, b, &retry); /* the other caller, in between */
    }
    /* a burst of 2 (and maybe one refilled): far from 20 */
    assert_true(allowed <= 3);
    assert_true(retry > 0);
    free(srv);
}

/* Callers whose buckets are full again give their slots up; a table full
 * of callers still spending refuses a new one rather than merge it. */
static void test_auth__a_full_table_refuses_new_callers(void **state)
{
    (void)state;
    server *srv = new_server(0.001); /* nobody refills in this test */
    double retry;
    char who[32];
    for (int i = 0; i < RATE_SLOTS; i++) {
        snprintf(who, sizeof(who), "key_%d", i);
        assert_true(rate_take(srv, who, &retry));
    }
    assert_false(rate_take(srv, "key_new", &retry));
    assert_int_equal(atomic_load(&srv->rate_full), 1);
    /* the ones in the table keep their own buckets */
    assert_false(rate_take(srv, "key_7", &retry)); /* its one call spent */
    assert_true(retry > 100);
    free(srv);
}

/* Regression: the key cache compared token text with strcmp. It keeps a
 * keyed hash now; the token's text is nowhere in it. */
static void test_auth__keys_remembered_by_hash(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-01T00:00:00Z");
    char id[SW_ID_BUFSZ], token[SW_APIKEY_BUFSZ];
    assert_int_equal(sw_key_create(t.s, SW_ROLE_DPO, "test", id, token), SW_OK);
    server *srv = server_on(&t);
    sw_key_view k;
    char why[256];
    assert_int_equal(key_check(srv, token, &k, why, sizeof(why)), SW_OK);
    assert_string_equal(k.id, id);
    /* remembered: the second check needs no store */
    assert_int_equal(key_check(srv, token, &k, why, sizeof(why)), SW_OK);
    assert_null(memmem(srv->keys, sizeof(srv->keys), token, strlen(token)));
    /* one character off: not the remembered key */
    char wrong[SW_APIKEY_BUFSZ];
    snprintf(wrong, sizeof(wrong), "%s", token);
    wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == 'a' ? 'b' : 'a';
    assert_int_equal(key_check(srv, wrong, &k, why, sizeof(why)),
                     SW_ERR_DENIED);
    server_done(srv, &t);
}

/* Regression: the reply read strerror(errno) long after the write that
 * failed, so it named whatever the network calls in between left. The
 * spool is swapped for /dev/full (no space left); errno is then changed as
 * a later read from the client would. */
static void test_stewardd__a_full_disk_says_so(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, "2026-05-01T00:00:00Z");
    server *srv = server_on(&t);
    call *c = call_new(srv);
    assert_non_null(c);
    c->method = "POST";
    snprintf(c->path, sizeof(c->path), "/v1/traffic");
    bool other;
    assert_true(call_route(c, &other));
    c->has_key = true;
    c->key.role = SW_ROLE_ADMIN;
    assert_int_equal(r_traffic_ingest(c, NULL), 0);
    assert_non_null(c->stream_data);
    /* the spool's descriptor is the first member of its state */
    int spool = *(int *)c->stream;
    int full = open("/dev/full", O_WRONLY);
    assert_true(full >= 0);
    assert_true(dup2(full, spool) == spool);
    close(full);
    c->stream_data(c, "{}\n", 3);
    errno = EAGAIN; /* what the daemon's next read from the client leaves */
    c->stream_end(c, false);
    assert_int_equal(c->status, 500);
    const char *msg = json_string_value(
        json_object_get(json_object_get(c->out, "error"), "message"));
    assert_non_null(msg);
    if (!strstr(msg, strerror(ENOSPC)))
        fail_msg("the message does not say the disk is full: %s", msg);
    call_free(c);
    server_done(srv, &t);
}

/* Issue 16: the outbox (addresses, codes, links) was never trimmed. A
 * message goes once a confirmation link it could carry is over. */
static void
test_stewardd__outbox_keeps_messages_while_they_can_be_used(void **state)
{
    (void)state;
    server *srv = new_server(0);
    char *dir = tu_tmpdir();
    char path[512];
    tu_path(dir, "outbox.ndjson", path, sizeof(path));
    srv->o.outbox = path;
    srv->policy = tu_bundled();
    pthread_mutex_init(&srv->out_mu, NULL);
    sw_clock_init_fixed(&srv->clock, tu_instant("2026-12-01T00:00:00Z"));
    assert_int_equal(
        outbox_send(srv, "email", "old@example.com", "Confirm", "link 1"), 0);
    sw_clock_init_fixed(&srv->clock, tu_instant("2026-12-05T00:00:00Z"));
    assert_int_equal(
        outbox_send(srv, "email", "new@example.com", "Confirm", "link 2"), 0);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("a line another tool wrote\n", f);
    fclose(f);
    size_t removed = 9;
    /* the longest bundled link (an answer's download) lives 30 days: the
     * first message until 12-31 */
    assert_int_equal(
        outbox_trim(srv, tu_instant("2026-12-30T23:59:59Z"), &removed), 0);
    assert_int_equal(removed, 0);
    assert_true(tu_file_contains(path, "old@example.com"));
    assert_int_equal(
        outbox_trim(srv, tu_instant("2026-12-31T00:00:00Z"), &removed), 0);
    assert_int_equal(removed, 1);
    assert_false(tu_file_contains(path, "old@example.com"));
    assert_true(tu_file_contains(path, "new@example.com"));
    assert_true(tu_file_contains(path, "a line another tool wrote"));
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    sw_policy_free(srv->policy);
    pthread_mutex_destroy(&srv->out_mu);
    free(srv);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth__callers_never_share_a_bucket),
        cmocka_unit_test(test_auth__a_full_table_refuses_new_callers),
        cmocka_unit_test(test_auth__keys_remembered_by_hash),
        cmocka_unit_test(test_stewardd__a_full_disk_says_so),
        cmocka_unit_test(
            test_stewardd__outbox_keeps_messages_while_they_can_be_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
