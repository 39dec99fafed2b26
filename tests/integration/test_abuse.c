/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The real stewardd on 127.0.0.1, tried as an attacker would, bounded in
 * count and time: held and unknown addresses answer alike at the public
 * door; guessing codes is held back; slow clients are capped and cut while
 * the daemon keeps answering; a trail cut at its end is found; and the
 * inputs that used to crash or answer {} say what is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testhttp.h"

#define FLOOR_MS 200

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void start(daemon_t *d, const char *const *more)
{
    daemon_start(d);
    tu_run r;
    tu_steward(&r, NULL, "subject", "add", "--kind", "customer", "--email",
               "held@example.com", "--store", d->store, (const char *)NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    const char *args[32] = {"--rate", "0", "--public-floor", "200", NULL};
    int n = 4;
    for (int i = 0; more && more[i] && n < 31; i++)
        args[n++] = more[i];
    args[n] = NULL;
    daemon_run(d, args);
}

static bool ticket_form(const char *t)
{
    regex_t re;
    assert_int_equal(regcomp(&re, "^req_[0-9a-f]{20}$", REG_EXTENDED), 0);
    bool ok = t && regexec(&re, t, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static double file_req(daemon_t *d, const char *email, resp *r)
{
    double t0 = now_ms();
    http_json(d->port, "POST", "/privacy/api/requests", NULL,
              json_pack("{s:s, s:s}", "type", "access", "email", email), r);
    return now_ms() - t0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Regression: a held address answered 409 with the open request's id and
 * a real-looking number in ~0.74 ms, an unknown one 202 in ~0.13 ms. */
static void test_abuse__held_and_unknown_answer_alike(void **state)
{
    (void)state;
    daemon_t d;
    start(&d, NULL);
    enum { N = 6 };
    double held[N], unknown[N];
    char first_held[64] = "", first_unknown[64] = "";
    for (int i = 0; i < N; i++) {
        resp a, b;
        held[i] = file_req(&d, "held@example.com", &a);
        unknown[i] = file_req(&d, "nobody@example.com", &b);
        assert_int_equal(a.status, 202);
        assert_int_equal(b.status, 202);
        char ida[64], idb[64];
        snprintf(ida, sizeof(ida), "%s",
                 json_string_value(json_object_get(a.json, "id")));
        snprintf(idb, sizeof(idb), "%s",
                 json_string_value(json_object_get(b.json, "id")));
        assert_true(ticket_form(ida));
        assert_true(ticket_form(idb));
        /* one shape, one text: only the number differs */
        json_object_del(a.json, "id");
        json_object_del(b.json, "id");
        assert_true(json_equal(a.json, b.json));
        if (!i) {
            snprintf(first_held, sizeof(first_held), "%s", ida);
            snprintf(first_unknown, sizeof(first_unknown), "%s", idb);
        }
        /* never sooner than the floor, whatever the address */
        assert_true(held[i] >= FLOOR_MS - 5);
        assert_true(unknown[i] >= FLOOR_MS - 5);
        resp_free(&a);
        resp_free(&b);
    }
    qsort(held, N, sizeof(double), by_value);
    qsort(unknown, N, sizeof(double), by_value);
    print_message("filing: held address median %.1f ms, unknown %.1f ms "
                  "(floor %d ms)\n",
                  held[N / 2], unknown[N / 2], FLOOR_MS);
    /* status and a wrong code: alike too */
    resp a, b;
    char path[128];
    snprintf(path, sizeof(path), "/privacy/api/requests/%s", first_held);
    http(d.port, "GET", path, NULL, NULL, NULL, 0, NULL, &a);
    snprintf(path, sizeof(path), "/privacy/api/requests/%s", first_unknown);
    http(d.port, "GET", path, NULL, NULL, NULL, 0, NULL, &b);
    assert_int_equal(a.status, 404);
    assert_int_equal(b.status, 404);
    assert_string_equal(a.body, b.body);
    resp_free(&a);
    resp_free(&b);
    snprintf(path, sizeof(path), "/privacy/api/requests/%s/verify", first_held);
    http_json(d.port, "POST", path, NULL, json_pack("{s:s}", "code", "000001"),
              &a);
    snprintf(path, sizeof(path), "/privacy/api/requests/%s/verify",
             first_unknown);
    http_json(d.port, "POST", path, NULL, json_pack("{s:s}", "code", "000001"),
              &b);
    assert_int_equal(a.status, 403);
    assert_int_equal(b.status, 403);
    assert_string_equal(a.body, b.body);
    resp_free(&a);
    resp_free(&b);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

/* The n-th guess from one client address; its status (and Retry-After). */
static int guess(daemon_t *d, const char *src, const char *ticket, char *retry)
{
    char path[128], body[64], head[512];
    snprintf(path, sizeof(path), "/privacy/api/requests/%s/verify", ticket);
    snprintf(body, sizeof(body), "{\"code\":\"%06d\"}", rand() % 1000000);
    int fd = connect_from(src, d->port);
    assert_true(fd >= 0);
    int n = snprintf(head, sizeof(head),
                     "POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: "
                     "%zu\r\n\r\n%s",
                     path, strlen(body), body);
    send_all(fd, head, (size_t)n);
    resp r;
    read_resp(fd, &r);
    int status = r.status;
    const char *ra = strstr(r.head, "Retry-After: ");
    if (retry)
        snprintf(retry, 16, "%.*s", ra ? (int)strcspn(ra + 13, "\r\n") : 0,
                 ra ? ra + 13 : "");
    resp_free(&r);
    return status;
}

/* Regression: 3 016 file-and-guess cycles in 30 s. Guesses from one client
 * are held back after its limit, for a held and an unknown address alike,
 * and the owner's request is never refused. */
static void test_abuse__guessing_is_held_back(void **state)
{
    (void)state;
    daemon_t d;
    static const char *const more[] = {"--client-attempts-per-hour", "6", NULL};
    start(&d, more);
    resp a, b;
    file_req(&d, "held@example.com", &a);
    file_req(&d, "nobody@example.com", &b);
    const char *held = json_string_value(json_object_get(a.json, "id"));
    const char *unknown = json_string_value(json_object_get(b.json, "id"));
    const char *tickets[2] = {held, unknown},
               *from[2] = {"127.0.0.2", "127.0.0.3"};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 6; i++)
            assert_int_equal(guess(&d, from[k], tickets[k], NULL), 403);
        char retry[16];
        assert_int_equal(guess(&d, from[k], tickets[k], retry), 429);
        assert_true(atoi(retry) > 0);
    }
    resp_free(&a);
    resp_free(&b);
    /* the owner's request stays open, waiting for its code */
    char admin[80];
    make_key(&d, "admin", admin, sizeof(admin));
    resp l;
    http(d.port, "GET", "/v1/requests", admin, NULL, NULL, 0, NULL, &l);
    assert_int_equal(l.status, 200);
    json_t *reqs = json_object_get(l.json, "requests");
    assert_int_equal(json_array_size(reqs), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(reqs, 0), "state")),
        "verifying");
    resp_free(&l);
    /* and the owner's own message count stays within its limit */
    char *box = tu_read_file(d.outbox, NULL);
    int msgs = 0;
    for (char *p = box; (p = strstr(p, "held@example.com")); p++)
        msgs++;
    assert_true(msgs <= 3);
    free(box);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

static bool still_open(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static double healthz_ms(daemon_t *d)
{
    double t0 = now_ms();
    int fd = connect_from("127.0.0.2", d->port);
    assert_true(fd >= 0);
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: "
                      "close\r\n\r\n";
    send_all(fd, req, strlen(req));
    resp r;
    read_resp(fd, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    return now_ms() - t0;
}

/* Regression: 4 000 connections trickling a byte a second were all held
 * open. Connections from one address are capped, the slow ones are cut
 * after the head's deadline, and /healthz answers meanwhile. */
static void test_abuse__slow_clients_are_capped_and_cut(void **state)
{
    (void)state;
    daemon_t d;
    static const char *const more[] = {"--max-per-client", "8",
                                       "--header-timeout", "2", NULL};
    start(&d, more);
    enum { SLOW = 40 };
    int fds[SLOW];
    for (int i = 0; i < SLOW; i++) {
        fds[i] = connect_to(d.port);
        assert_true(fds[i] >= 0);
        send(fds[i], "G", 1, MSG_NOSIGNAL);
    }
    double worst = 0;
    int open_early = -1;
    const char *head = "ET /healthz HTTP/1.1\r\nHost: slow\r\n";
    double t0 = now_ms();
    for (int tick = 0; now_ms() - t0 < 3500; tick++) {
        for (int i = 0; i < SLOW; i++) /* one byte each, now and then */
            if (fds[i] >= 0 && head[tick % 30])
                send(fds[i], head + tick % 30, 1, MSG_NOSIGNAL);
        if (tick == 2) {
            open_early = 0;
            for (int i = 0; i < SLOW; i++)
                open_early += still_open(fds[i]);
        }
        double ms = healthz_ms(&d);
        if (ms > worst)
            worst = ms;
        struct timespec ts = {0, 250 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int open_late = 0;
    for (int i = 0; i < SLOW; i++) {
        open_late += still_open(fds[i]);
        close(fds[i]);
    }
    print_message("slow clients: %d of %d open at first, %d after the "
                  "head's deadline; /healthz at worst %.1f ms\n",
                  open_early, SLOW, open_late, worst);
    assert_true(open_early >= 1 && open_early <= 8);
    assert_int_equal(open_late, 0);
    assert_true(worst < 50);
    /* counted */
    char admin[80];
    make_key(&d, "admin", admin, sizeof(admin));
    resp m;
    http(d.port, "GET", "/metrics", admin, NULL, NULL, 0, NULL, &m);
    const char *cut = strstr(m.body, "\nstewardd_slow_connections_cut_total ");
    assert_non_null(cut);
    /* every one open at first was cut by the daemon, none by the test */
    assert_true(atoi(cut + strlen("\nstewardd_slow_connections_cut_total ")) >=
                open_early);
    resp_free(&m);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

/* Regression: the trail's last entries deleted and its head set to the
 * one left read as intact. */
static void test_abuse__cut_trail_is_found(void **state)
{
    (void)state;
    daemon_t d;
    start(&d, NULL);
    char admin[80];
    make_key(&d, "admin", admin, sizeof(admin));
    resp r;
    http(d.port, "GET", "/v1/audit/verify", admin, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "intact")));
    long entries = (long)json_integer_value(json_object_get(r.json, "entries"));
    resp_free(&r);
    assert_int_equal(daemon_stop(&d), 0);
    char cut[1024];
    snprintf(cut, sizeof(cut),
             tu_pg()
                 ? "DELETE FROM audit WHERE seq > %ld; UPDATE meta"
                   " SET value = (SELECT a.seq || ' ' || encode(a.hash,"
                   " 'hex') FROM audit a WHERE a.seq = %ld) || ' ' ||"
                   " right(value, 64) WHERE key = 'audit_seal'"
                 : "DELETE FROM audit WHERE seq > %ld; UPDATE meta SET value"
                   " = (SELECT a.seq || ' ' || lower(hex(a.hash)) FROM"
                   " audit a WHERE a.seq = %ld) || ' ' || substr(value,"
                   " length(value) - 63) WHERE key = 'audit_seal'",
             entries - 1, entries - 1);
    tu_exec_sql(d.store, cut);
    daemon_run(&d, NULL);
    http(d.port, "GET", "/v1/audit/verify", admin, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "intact")));
    assert_non_null(
        strstr(json_string_value(json_object_get(r.json, "reason")), "seal"));
    resp_free(&r);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

/* Regression: one visitor choosing cookies again and again crashed the
 * daemon (a use-after-free past 64 consents). */
static void test_abuse__one_visitor_many_cookie_choices(void **state)
{
    (void)state;
    daemon_t d;
    start(&d, NULL);
    const char *cookie = "Cookie: stw_visitor=0123456789abcdef0123456789abcd"
                         "ef\r\n";
    for (int i = 0; i < 80; i++) {
        const char *body = i % 2 ? "{\"analytics\":false,\"advertising\":false}"
                                 : "{\"analytics\":true,\"advertising\":true}";
        resp r;
        http(d.port, "POST", "/privacy/api/cookies", NULL, "application/json",
             body, strlen(body), cookie, &r);
        if (r.status != 200)
            fail_msg("choice %d: %d %s", i, r.status, r.body);
        assert_int_equal(json_is_true(json_object_get(r.json, "analytics")),
                         i % 2 == 0);
        resp_free(&r);
    }
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

/* An error with a message that names what is wrong. */
static void says(daemon_t *d, const char *key, const char *method,
                 const char *path, json_t *body, int status, const char *needle)
{
    resp r;
    http_json(d->port, method, path, key, body, &r);
    if (r.status != status)
        fail_msg("%s %s: %d, expected %d: %s", method, path, r.status, status,
                 r.body);
    const char *msg = json_string_value(
        json_object_get(json_object_get(r.json, "error"), "message"));
    if (!msg || !strstr(msg, needle))
        fail_msg("%s %s: the message does not say '%s': %s", method, path,
                 needle, r.body);
    resp_free(&r);
}

/* Regression: these answered 422 with {}, were ignored, or were taken. */
static void test_abuse__malformed_input_says_what(void **state)
{
    (void)state;
    daemon_t d;
    start(&d, NULL);
    char admin[80];
    make_key(&d, "admin", admin, sizeof(admin));
    says(&d, admin, "GET", "/v1/decide?purpose=%ff%fe&email=a%00b@example.com",
         NULL, 422, "not UTF-8");
    says(&d, admin, "GET", "/v1/subjects?email=%c0%af", NULL, 422, "'email'");
    says(&d, admin, "GET", "/v1/audit?limit=-1", NULL, 422, "limit");
    says(&d, admin, "GET", "/v1/audit?limit=abc", NULL, 422, "limit");
    says(&d, admin, "GET", "/v1/sweeps?limit=0", NULL, 422, "limit");
    resp r;
    http_json(d.port, "POST", "/v1/subjects", admin,
              json_pack("{s:s, s:[{s:s, s:s}]}", "kind", "customer",
                        "identifiers", "type", "email", "value",
                        "late@example.com"),
              &r);
    assert_int_equal(r.status, 201);
    char sid[SW_ID_BUFSZ];
    snprintf(sid, sizeof(sid), "%s",
             json_string_value(json_object_get(r.json, "id")));
    resp_free(&r);
    says(&d, admin, "POST", "/v1/records",
         json_pack("{s:s, s:s, s:s, s:s, s:s}", "subject", sid, "activity",
                   "customer_account", "category", "user.name", "value", "X",
                   "collected_at", "9999-12-31T23:59:59Z"),
         422, "2999");
    size_t n = 500 * 1024;
    char *big = malloc(n + 1);
    memset(big, 'A', n);
    big[n] = '\0';
    says(&d, admin, "POST", "/v1/subjects",
         json_pack("{s:s, s:s}", "kind", "customer", "account", big), 413,
         "account");
    free(big);
    assert_int_equal(daemon_stop(&d), 0);
    daemon_free(&d);
}

int main(void)
{
    srand(7);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abuse__held_and_unknown_answer_alike),
        cmocka_unit_test(test_abuse__guessing_is_held_back),
        cmocka_unit_test(test_abuse__slow_clients_are_capped_and_cut),
        cmocka_unit_test(test_abuse__cut_trail_is_found),
        cmocka_unit_test(test_abuse__one_visitor_many_cookie_choices),
        cmocka_unit_test(test_abuse__malformed_input_says_what),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
