/* SPDX-License-Identifier: Apache-2.0 */
/* The law's calendars: public holidays by rule against the published
 * lists (GOV.UK's bank holidays for England and Wales, Croatia's Act on
 * Holidays, CalHR's state holidays), dates across time zones, and the
 * GDPR and CCPA deadlines on them. */
#include <string.h>

#include "testutil.h"

static void date_text(sw_date d, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* Every day off of the year, in order, exactly the list given. */
static void expect_year(const char *j, int year, const char *const *want)
{
    sw_holiday h[SW_HOLIDAYS_MAX];
    size_t n = sw_holidays(j, year, h), k = 0;
    for (; want[k]; k++) {
        if (k >= n)
            fail_msg("%s %d: %s missing", j, year, want[k]);
        char d[16];
        date_text(h[k].date, d, sizeof(d));
        if (strcmp(d, want[k]) != 0)
            fail_msg("%s %d: holiday %zu is %s (%s), expected %s", j, year,
                     k + 1, d, h[k].name, want[k]);
    }
    assert_int_equal(n, k);
}

static void test_calendar__england_and_wales_2025_to_2028(void **state)
{
    (void)state;
    static const char *const y2025[] = {
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26",
        "2025-08-25", "2025-12-25", "2025-12-26", NULL};
    static const char *const y2026[] = {
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
        "2026-08-31", "2026-12-25", "2026-12-28", NULL};
    static const char *const y2027[] = {
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
        "2027-08-30", "2027-12-27", "2027-12-28", NULL};
    static const char *const y2028[] = {
        "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29",
        "2028-08-28", "2028-12-25", "2028-12-26", NULL};
    expect_year("GB-ENG", 2025, y2025);
    expect_year("GB-ENG", 2026, y2026);
    expect_year("GB-ENG", 2027, y2027);
    expect_year("GB-ENG", 2028, y2028);
    /* the proclaimed ones of recent years */
    static const char *const y2022[] = {
        "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02",
        "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19",
        "2022-12-26", "2022-12-27", NULL};
    expect_year("GB-ENG", 2022, y2022);
    sw_holiday h[SW_HOLIDAYS_MAX];
    sw_holidays("GB-ENG", 2027, h);
    assert_string_equal(h[6].name, "Christmas Day");
    assert_true(h[6].observed);
}

static void test_calendar__croatia_2025_to_2028(void **state)
{
    (void)state;
    static const char *const y2025[] = {
        "2025-01-01", "2025-01-06", "2025-04-20", "2025-04-21", "2025-05-01",
        "2025-05-30", "2025-06-19", "2025-06-22", "2025-08-05", "2025-08-15",
        "2025-11-01", "2025-11-18", "2025-12-25", "2025-12-26", NULL};
    static const char *const y2026[] = {
        "2026-01-01", "2026-01-06", "2026-04-05", "2026-04-06", "2026-05-01",
        "2026-05-30", "2026-06-04", "2026-06-22", "2026-08-05", "2026-08-15",
        "2026-11-01", "2026-11-18", "2026-12-25", "2026-12-26", NULL};
    static const char *const y2027[] = {
        "2027-01-01", "2027-01-06", "2027-03-28", "2027-03-29", "2027-05-01",
        "2027-05-27", "2027-05-30", "2027-06-22", "2027-08-05", "2027-08-15",
        "2027-11-01", "2027-11-18", "2027-12-25", "2027-12-26", NULL};
    static const char *const y2028[] = {
        "2028-01-01", "2028-01-06", "2028-04-16", "2028-04-17", "2028-05-01",
        "2028-05-30", "2028-06-15", "2028-06-22", "2028-08-05", "2028-08-15",
        "2028-11-01", "2028-11-18", "2028-12-25", "2028-12-26", NULL};
    expect_year("HR", 2025, y2025);
    expect_year("HR", 2026, y2026);
    expect_year("HR", 2027, y2027);
    expect_year("HR", 2028, y2028);
}

static void test_calendar__california_2025_to_2028(void **state)
{
    (void)state;
    static const char *const y2025[] = {
        "2025-01-01", "2025-01-20", "2025-02-17", "2025-03-31",
        "2025-05-26", "2025-07-04", "2025-09-01", "2025-11-11",
        "2025-11-27", "2025-11-28", "2025-12-25", NULL};
    /* 4 July is a Saturday: not moved (holiday credit, CalHR) */
    static const char *const y2026[] = {
        "2026-01-01", "2026-01-19", "2026-02-16", "2026-03-31",
        "2026-05-25", "2026-07-04", "2026-09-07", "2026-11-11",
        "2026-11-26", "2026-11-27", "2026-12-25", NULL};
    /* 4 July a Sunday: Monday the 5th */
    static const char *const y2027[] = {
        "2027-01-01", "2027-01-18", "2027-02-15", "2027-03-31",
        "2027-05-31", "2027-07-05", "2027-09-06", "2027-11-11",
        "2027-11-25", "2027-11-26", "2027-12-25", NULL};
    /* Veterans Day a Saturday: the Friday before */
    static const char *const y2028[] = {
        "2028-01-01", "2028-01-17", "2028-02-21", "2028-03-31",
        "2028-05-29", "2028-07-04", "2028-09-04", "2028-11-10",
        "2028-11-23", "2028-11-24", "2028-12-25", NULL};
    expect_year("US-CA", 2025, y2025);
    expect_year("US-CA", 2026, y2026);
    expect_year("US-CA", 2027, y2027);
    expect_year("US-CA", 2028, y2028);
    /* 2024's Cesar Chavez Day, a Sunday, on Monday 1 April (CalHR 2024) */
    sw_holiday h[SW_HOLIDAYS_MAX];
    sw_holidays("US-CA", 2024, h);
    assert_int_equal(h[3].date.month, 4);
    assert_int_equal(h[3].date.day, 1);
    assert_false(sw_jurisdiction_known("FR"));
    assert_int_equal(sw_holidays("FR", 2026, h), 0);
}

static sw_instant due(sw_status (*fn)(const sw_calendar *, sw_instant, int,
                                      sw_instant *),
                      const sw_calendar *c, const char *received, int n)
{
    sw_instant d = 0;
    assert_int_equal(fn(c, tu_instant(received), n, &d), SW_OK);
    return d;
}

static const sw_calendar london = {"GB-ENG", "Europe/London", 0, NULL, 0, NULL};
static const sw_calendar california = {
    "US-CA", "America/Los_Angeles", 0, NULL, 0, NULL};

/* GDPR Art. 12(3) on England's calendar: the same date a month on (or
 * the month's last day), the next working day when that is a weekend or
 * bank holiday, to 23:59:59 London time. */
static void test_calendar__gdpr_deadlines(void **state)
{
    (void)state;
    static const struct {
        const char *received, *due;
    } cases[] = {
        /* 28 Feb 2026 is a Saturday */
        {"2026-01-31T09:00:00Z", "2026-03-02T23:59:59Z"},
        /* 23:30 UTC on 30 June is 1 July in London; 1 August a Saturday */
        {"2026-06-30T23:30:00Z", "2026-08-03T22:59:59Z"},
        {"2026-06-30T22:59:59Z", "2026-07-30T22:59:59Z"},
        /* Good Friday, then Easter Monday */
        {"2026-03-03T10:00:00Z", "2026-04-07T22:59:59Z"},
        /* a leap year's 29 February, a Tuesday */
        {"2028-01-31T09:00:00Z", "2028-02-29T23:59:59Z"},
        /* Christmas on a Friday, Boxing Day's substitute on Monday */
        {"2026-11-25T12:00:00Z", "2026-12-29T23:59:59Z"},
        /* both substitutes of 2027 */
        {"2027-11-27T12:00:00Z", "2027-12-29T23:59:59Z"},
        /* New Year's Day 2028 a Saturday, its substitute on the 3rd */
        {"2027-12-01T12:00:00Z", "2028-01-04T23:59:59Z"},
        /* an ordinary day: the same date */
        {"2026-09-15T08:00:00Z", "2026-10-15T22:59:59Z"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sw_instant d = due(sw_deadline_months, &london, cases[i].received, 1);
        char got[SW_INSTANT_BUFSZ];
        if (d != tu_instant(cases[i].due))
            fail_msg("received %s: due %s, expected %s", cases[i].received,
                     sw_instant_format(d, got), cases[i].due);
    }
    /* the extension: two months from the first deadline (2 May 2026 a
     * Saturday, 4 May a bank holiday) */
    assert_int_equal(
        due(sw_deadline_months, &london, "2026-03-02T23:59:59Z", 2),
        tu_instant("2026-05-05T22:59:59Z"));
    /* a day the policy adds (a one-off bank holiday) moves it on */
    static const char *const extra[] = {"2026-03-02"};
    sw_calendar with = london;
    with.n_add = 1;
    with.add = extra;
    assert_int_equal(due(sw_deadline_months, &with, "2026-01-31T09:00:00Z", 1),
                     tu_instant("2026-03-03T23:59:59Z"));
    /* and one it removes counts as a working day */
    static const char *const gone[] = {"2026-04-06"};
    sw_calendar without = london;
    without.n_remove = 1;
    without.remove = gone;
    assert_int_equal(
        due(sw_deadline_months, &without, "2026-03-03T10:00:00Z", 1),
        tu_instant("2026-04-06T22:59:59Z"));
}

/* CCPA on California's calendar: 10 business days to acknowledge from
 * the day after receipt, 45 calendar days to answer, 23:59:59 Pacific. */
static void test_calendar__ccpa_deadlines(void **state)
{
    (void)state;
    /* Friday 18 December 2026: Christmas and New Year's Day skipped */
    assert_int_equal(
        due(sw_deadline_business_days, &california, "2026-12-18T20:00:00Z", 10),
        tu_instant("2027-01-06T07:59:59Z"));
    assert_int_equal(
        due(sw_deadline_days, &california, "2026-12-18T20:00:00Z", 45),
        tu_instant("2027-02-02T07:59:59Z"));
    /* Thanksgiving and the day after */
    assert_int_equal(
        due(sw_deadline_business_days, &california, "2026-11-25T20:00:00Z", 10),
        tu_instant("2026-12-12T07:59:59Z"));
    /* 05:00 UTC on 2 January is still 1 January in California */
    assert_int_equal(
        due(sw_deadline_business_days, &california, "2026-01-02T05:00:00Z", 10),
        tu_instant("2026-01-16T07:59:59Z"));
    /* across the change to daylight saving time (8 March 2026) */
    assert_int_equal(
        due(sw_deadline_days, &california, "2026-02-20T18:00:00Z", 45),
        tu_instant("2026-04-07T06:59:59Z"));
}

static void test_calendar__zones_and_working_days(void **state)
{
    (void)state;
    sw_date d;
    assert_int_equal(
        sw_local_date("Europe/London", tu_instant("2026-06-30T23:30:00Z"), &d),
        SW_OK);
    assert_int_equal(d.month, 7);
    assert_int_equal(d.day, 1);
    assert_int_equal(
        sw_local_date("Europe/Zagreb", tu_instant("2026-12-31T23:30:00Z"), &d),
        SW_OK);
    assert_int_equal(d.year, 2027);
    assert_true(sw_time_zone_known("America/Los_Angeles"));
    assert_false(sw_time_zone_known("Europe/Atlantis"));
    assert_int_equal(sw_local_date("Europe/Atlantis", 0, &d), SW_ERR_INVALID);
    /* from Thursday 24 December 2026 to Tuesday 29th: 28th is a bank
     * holiday, so one working day is left (the 29th) */
    assert_int_equal(sw_working_days_left(&london,
                                          tu_instant("2026-12-24T10:00:00Z"),
                                          tu_instant("2026-12-29T23:59:59Z")),
                     1);
    /* overdue: the working days since */
    assert_int_equal(sw_working_days_left(&london,
                                          tu_instant("2027-01-05T10:00:00Z"),
                                          tu_instant("2026-12-29T23:59:59Z")),
                     -4);
    assert_int_equal(sw_date_parse("2026-02-29", &d), SW_ERR_RANGE);
    assert_int_equal(sw_date_parse("26-02-01", &d), SW_ERR_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar__england_and_wales_2025_to_2028),
        cmocka_unit_test(test_calendar__croatia_2025_to_2028),
        cmocka_unit_test(test_calendar__california_2025_to_2028),
        cmocka_unit_test(test_calendar__gdpr_deadlines),
        cmocka_unit_test(test_calendar__ccpa_deadlines),
        cmocka_unit_test(test_calendar__zones_and_working_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
