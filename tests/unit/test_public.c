/* SPDX-License-Identifier: Apache-2.0 */
/* The privacy centre's public door: a held and an unknown address answer
 * alike; wrong guesses never cancel a request; a request's state needs the
 * session its verification gave; messages and tries are limited per
 * address and per client, and the limits put guessing a code beyond a
 * year. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define T0 "2026-05-04T08:00:00Z"

static sw_public_limits lim;

static void customer(tu_store *t, const char *email)
{
    char sid[SW_ID_BUFSZ];
    sw_ident id = {"email", email};
    sw_subject_spec spec = {"customer", "ACME", NULL, NULL, 1, &id};
    if (sw_subject_add(t->s, &spec, sid) != SW_OK)
        fail_msg("subject: %s", sw_errmsg(t->s));
}

static sw_status file(tu_store *t, const char *client, const char *email,
                      sw_request_type type, sw_public_filing *f)
{
    sw_ident id = {"email", email};
    sw_request_spec spec = {type, SW_GDPR, NULL, NULL, NULL, false, 0};
    return sw_public_file(t->s, &lim, client, &id, &spec, f);
}

/* The code in a message body ("... is 123456. ..."). */
static void code_of(const sw_public_filing *f, char code[8])
{
    const char *p = strstr(f->body, " is ");
    assert_non_null(p);
    snprintf(code, 8, "%.6s", p + 4);
    assert_int_equal(strspn(code, "0123456789"), 6);
}

static bool ticket_form(const char *ticket)
{
    regex_t re;
    assert_int_equal(regcomp(&re, "^req_[0-9a-f]{20}$", REG_EXTENDED), 0);
    bool ok = regexec(&re, ticket, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static int first_request(const sw_request_view *r, void *ctx)
{
    *(sw_request_view *)ctx = *r;
    return 1;
}

static sw_request_view only_request(tu_store *t)
{
    sw_request_view v;
    memset(&v, 0, sizeof(v));
    assert_int_equal(sw_request_list(t->s, false, 0, first_request, &v), SW_OK);
    assert_true(v.id[0] != '\0');
    return v;
}

/* Regression: filing twice for a held address was a 409 naming the open
 * request, an unknown address always a 202; real numbers started with
 * the time, decoys did not. */
static void test_public__held_and_unknown_answer_alike(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    customer(&t, "ann@acme.example");
    sw_public_filing a1, a2, u1, u2;
    assert_int_equal(file(&t, "c1", "ann@acme.example", SW_REQ_ACCESS, &a1),
                     SW_OK);
    assert_int_equal(file(&t, "c1", "ann@acme.example", SW_REQ_ACCESS, &a2),
                     SW_OK);
    assert_int_equal(file(&t, "c1", "nobody@else.example", SW_REQ_ACCESS, &u1),
                     SW_OK);
    assert_int_equal(file(&t, "c1", "nobody@else.example", SW_REQ_ACCESS, &u2),
                     SW_OK);
    const sw_public_filing *all[] = {&a1, &a2, &u1, &u2};
    for (int i = 0; i < 4; i++) {
        assert_true(ticket_form(all[i]->ticket));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(all[i]->ticket, all[j]->ticket);
    }
    /* the owner got a code once: filing again keeps it */
    assert_true(a1.send);
    assert_non_null(strstr(a1.body, "code"));
    assert_false(a2.send);
    /* the stranger's address hears that nothing is held */
    assert_true(u1.send);
    assert_non_null(strstr(u1.body, "hold no personal data"));
    assert_string_equal(u1.to, "nobody@else.example");
    /* one request, whose code works through either ticket */
    char code[8];
    code_of(&a1, code);
    sw_public_verified v;
    assert_int_equal(sw_public_verify(t.s, &lim, "c1", a2.ticket, code, &v),
                     SW_OK);
    assert_string_equal(v.req.id, a2.ticket);
    assert_int_equal(v.req.state, SW_RS_IN_PROGRESS);
    assert_int_equal(strlen(v.session), 64);
    assert_int_equal(tu_count_sql(t.path, "SELECT count(*) FROM requests"), 1);
    /* input that is wrong is wrong for anyone */
    assert_int_equal(file(&t, "c1", "not an address", SW_REQ_ACCESS, &u2),
                     SW_ERR_INVALID);
    assert_int_equal(file(&t, "c1", "ann@acme.example", SW_REQ_TYPE_COUNT, &u2),
                     SW_ERR_INVALID);
    tu_store_free(&t);
}

/* Regression: five wrong codes refused the owner's request. */
static void test_public__wrong_guesses_never_cancel(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    customer(&t, "bo@acme.example");
    sw_public_filing mine, theirs;
    assert_int_equal(
        file(&t, "owner", "bo@acme.example", SW_REQ_ERASURE, &mine), SW_OK);
    char code[8], wrong[8];
    code_of(&mine, code);
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
    /* a stranger files for the same address and guesses */
    assert_int_equal(
        file(&t, "stranger", "bo@acme.example", SW_REQ_ERASURE, &theirs),
        SW_OK);
    sw_public_verified v;
    for (int i = 0; i < 4; i++)
        assert_int_equal(
            sw_public_verify(t.s, &lim, "stranger", theirs.ticket, wrong, &v),
            SW_ERR_DENIED);
    /* the request is untouched; the owner's code still works */
    assert_int_equal(only_request(&t).state, SW_RS_VERIFYING);
    assert_int_equal(
        sw_public_verify(t.s, &lim, "owner", mine.ticket, code, &v), SW_OK);
    assert_int_equal(only_request(&t).state, SW_RS_IN_PROGRESS);
    tu_store_free(&t);

    /* five wrong codes end the code, not the request */
    tu_store_new(&t, T0);
    customer(&t, "bo@acme.example");
    assert_int_equal(
        file(&t, "owner", "bo@acme.example", SW_REQ_ERASURE, &mine), SW_OK);
    code_of(&mine, code);
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
    for (int i = 0; i < 5; i++)
        assert_int_equal(
            sw_public_verify(t.s, &lim, "stranger", mine.ticket, wrong, &v),
            SW_ERR_DENIED);
    assert_int_equal(only_request(&t).state, SW_RS_VERIFYING);
    assert_int_equal(
        sw_public_verify(t.s, &lim, "owner", mine.ticket, code, &v),
        SW_ERR_DENIED);
    /* filing again issues a new code, which verifies */
    assert_int_equal(
        file(&t, "owner", "bo@acme.example", SW_REQ_ERASURE, &theirs), SW_OK);
    assert_true(theirs.send);
    code_of(&theirs, code);
    assert_int_equal(
        sw_public_verify(t.s, &lim, "owner", theirs.ticket, code, &v), SW_OK);
    tu_store_free(&t);
}

/* Regression: any request's type, state and dates showed to anyone with
 * its number. */
static void test_public__state_needs_the_session(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    customer(&t, "cy@acme.example");
    sw_public_filing f, u;
    assert_int_equal(file(&t, "c", "cy@acme.example", SW_REQ_ACCESS, &f),
                     SW_OK);
    assert_int_equal(file(&t, "c", "zed@else.example", SW_REQ_ACCESS, &u),
                     SW_OK);
    sw_public_request v;
    assert_int_equal(sw_public_status(t.s, f.ticket, NULL, &v), SW_ERR_DENIED);
    char code[8];
    code_of(&f, code);
    sw_public_verified pv;
    assert_int_equal(sw_public_verify(t.s, &lim, "c", f.ticket, code, &pv),
                     SW_OK);
    char other[65];
    memset(other, 'a', 64);
    other[64] = '\0';
    assert_int_equal(sw_public_status(t.s, f.ticket, other, &v), SW_ERR_DENIED);
    assert_int_equal(sw_public_status(t.s, u.ticket, pv.session, &v),
                     SW_ERR_DENIED);
    assert_int_equal(
        sw_public_status(t.s, "req_0000000000000000dead", pv.session, &v),
        SW_ERR_DENIED);
    assert_int_equal(sw_public_status(t.s, f.ticket, pv.session, &v), SW_OK);
    assert_string_equal(v.id, f.ticket);
    assert_int_equal(v.state, SW_RS_IN_PROGRESS);
    /* the request's own type and dates, under the ticket */
    sw_request_view held = only_request(&t);
    assert_int_equal(v.type, SW_REQ_ACCESS);
    assert_int_equal(v.received_at, held.received_at);
    assert_int_equal(v.due_at, held.due_at);
    assert_false(v.closed);
    /* the session ends with its life */
    char later[SW_INSTANT_BUFSZ];
    tu_store_now(
        &t, sw_instant_format(tu_instant(T0) + lim.session_life + 1, later));
    assert_int_equal(sw_public_status(t.s, f.ticket, pv.session, &v),
                     SW_ERR_DENIED);
    tu_store_free(&t);
}

/* Regression: every filing sent a message (3 016 in 30 s to one victim). */
static void test_public__messages_limited_per_address(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    customer(&t, "dee@acme.example");
    const char *addrs[] = {"dee@acme.example", "nobody@else.example"};
    for (int a = 0; a < 2; a++) {
        size_t sent = 0;
        sw_instant now = tu_instant(T0);
        for (int i = 0; i < 60; i++) { /* one a minute, from many clients */
            char client[32], when[SW_INSTANT_BUFSZ];
            snprintf(client, sizeof(client), "bot-%d-%d", a, i);
            tu_store_now(&t, sw_instant_format(now + 60 * i, when));
            sw_public_filing f;
            /* a new type now and then: a new request would want a code */
            assert_int_equal(
                file(&t, client, addrs[a], (sw_request_type)(i % 4), &f),
                SW_OK);
            sent += f.send;
        }
        if (sent > lim.messages_per_hour)
            fail_msg("%s got %zu messages in an hour", addrs[a], sent);
        assert_true(sent >= 1);
    }
    /* one client is held back after its filings per hour, held address or
     * not */
    sw_public_filing f;
    sw_status st = SW_OK;
    unsigned n = 0;
    for (; n < 100 && st == SW_OK; n++)
        st = file(&t, "one-client",
                  n % 2 ? "dee@acme.example" : "nobody@else.example",
                  SW_REQ_ACCESS, &f);
    assert_int_equal(st, SW_ERR_RATE);
    assert_int_equal(n, lim.client_filings_per_hour + 1);
    assert_true(f.retry_after > 0);
    tu_store_free(&t);
}

/* Regression: 3 016 file-and-guess cycles in 30 s made guessing someone
 * else's code a matter of minutes. An attacker with a fresh client for
 * every call tries as fast as the limits allow for three simulated days;
 * the rate they leave puts the expected time to guess a code (a million
 * codes) beyond a year, and the owner's request is never cancelled. */
static void test_public__guessing_takes_beyond_a_year(void **state)
{
    (void)state;
    tu_store t;
    tu_store_new(&t, T0);
    customer(&t, "eve@acme.example");
    sw_public_filing mine;
    assert_int_equal(
        file(&t, "owner", "eve@acme.example", SW_REQ_ACCESS, &mine), SW_OK);
    char owner_code[8];
    code_of(&mine, owner_code);
    sw_instant start = tu_instant(T0), now = start, end = start + 3 * 86400;
    size_t checked = 0, limited = 0, messages = 1, calls = 0;
    char ticket[SW_ID_BUFSZ] = "";
    unsigned seed = 12345;
    while (now < end && calls < 100000) {
        char client[32], when[SW_INSTANT_BUFSZ];
        snprintf(client, sizeof(client), "bot-%zu", calls++);
        tu_store_now(&t, sw_instant_format(now, when));
        if (!ticket[0] || calls % 6 == 0) { /* a fresh code now and then */
            sw_public_filing f;
            sw_status st =
                file(&t, client, "eve@acme.example", SW_REQ_ACCESS, &f);
            assert_true(st == SW_OK || st == SW_ERR_RATE);
            if (st == SW_OK) {
                snprintf(ticket, sizeof(ticket), "%s", f.ticket);
                messages += f.send;
            }
            now += 1;
            continue;
        }
        char guess[8];
        seed = seed * 1103515245u + 12345u;
        snprintf(guess, sizeof(guess), "%06u", (seed >> 8) % 1000000u);
        if (strcmp(guess, owner_code) == 0)
            continue;
        sw_public_verified v;
        sw_status st = sw_public_verify(t.s, &lim, client, ticket, guess, &v);
        if (st == SW_ERR_RATE) {
            limited++;
            now += v.retry_after > 0 ? v.retry_after : 1;
        } else {
            assert_int_equal(st, SW_ERR_DENIED);
            checked++;
            now += 1;
        }
    }
    double days = (double)(now - start) / 86400.0;
    double per_day = (double)checked / days;
    double expected_days = 1e6 / per_day;
    print_message("guesses checked: %zu in %.1f days (%.1f a day, %zu held "
                  "back); expected time to guess a code: %.0f days; "
                  "messages to the owner: %zu\n",
                  checked, days, per_day, limited, expected_days, messages);
    assert_true(checked > 0);
    assert_true(expected_days > 365.0);
    assert_true((double)messages <= lim.messages_per_day * (days + 1));
    /* the owner's request was never cancelled */
    assert_int_equal(only_request(&t).state, SW_RS_VERIFYING);
    tu_store_free(&t);
}

int main(void)
{
    sw_public_limits_init(&lim);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public__held_and_unknown_answer_alike),
        cmocka_unit_test(test_public__wrong_guesses_never_cancel),
        cmocka_unit_test(test_public__state_needs_the_session),
        cmocka_unit_test(test_public__messages_limited_per_address),
        cmocka_unit_test(test_public__guessing_takes_beyond_a_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
