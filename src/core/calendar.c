/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public holidays by rule, working days, dates in a time zone and the
 * deadlines of requests on them. Holidays are computed for any year from
 * the rules of each jurisdiction (fixed dates with their substitute or
 * observed days, Easter-based days, n-th and last weekdays); time zones
 * come from ICU's database.
 */
#include <stdio.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "steward/calendar.h"

/* ---- dates ---- */

static sw_date date_of_instant(sw_instant t)
{
    sw_date d;
    sw_instant_fields(t, &d.year, &d.month, &d.day, NULL);
    return d;
}

static int64_t day_number(sw_date d)
{
    return sw_instant_from_date(d.year, d.month, d.day) / 86400;
}

static sw_date date_of_day(int64_t n)
{
    return date_of_instant(n * 86400);
}

int sw_weekday(sw_date d)
{
    int wday;
    sw_instant_fields(sw_instant_from_date(d.year, d.month, d.day), NULL, NULL,
                      NULL, &wday);
    return wday;
}

sw_date sw_date_add_days(sw_date d, int n)
{
    return date_of_day(day_number(d) + n);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : n[m - 1];
}

sw_date sw_date_add_months(sw_date d, int n)
{
    int m0 = d.year * 12 + (d.month - 1) + n;
    sw_date r = {m0 / 12, m0 % 12 + 1, d.day};
    if (r.day > month_days(r.year, r.month))
        r.day = month_days(r.year, r.month);
    return r;
}

long sw_date_diff(sw_date a, sw_date b)
{
    return (long)(day_number(b) - day_number(a));
}

sw_status sw_date_parse(const char *text, sw_date *out)
{
    int y, m, d, used = 0;
    if (!text || strlen(text) != 10 ||
        sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10)
        return SW_ERR_SYNTAX;
    if (y < 1583 || y > 9999 || m < 1 || m > 12 || d < 1 ||
        d > month_days(y, m))
        return SW_ERR_RANGE;
    *out = (sw_date){y, m, d};
    return SW_OK;
}

/* Easter Sunday (Gregorian computus, the anonymous algorithm). */
static sw_date easter(int y)
{
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return (sw_date){y, month, day};
}

/* The n-th (1..5) weekday wd (0 Monday) of a month; n = -1: the last. */
static sw_date nth_weekday(int y, int m, int wd, int n)
{
    if (n > 0) {
        int first = sw_weekday((sw_date){y, m, 1});
        return (sw_date){y, m, 1 + (wd - first + 7) % 7 + 7 * (n - 1)};
    }
    int last = month_days(y, m);
    int lwd = sw_weekday((sw_date){y, m, last});
    return (sw_date){y, m, last - (lwd - wd + 7) % 7};
}

/* ---- holidays ---- */

typedef struct hlist {
    sw_holiday *v;
    size_t n;
} hlist;

static void add(hlist *h, sw_date d, const char *name, bool observed)
{
    if (h->n < SW_HOLIDAYS_MAX)
        h->v[h->n++] = (sw_holiday){d, name, observed};
}

/* A fixed date, and when it falls on a Saturday or Sunday the weekday
 * that takes its place (sat_shift, sun_shift days; 0: none). */
static void fixed(hlist *h, int y, int m, int d, const char *name,
                  int sat_shift, int sun_shift)
{
    sw_date x = {y, m, d};
    int wd = sw_weekday(x);
    int shift = wd == 5 ? sat_shift : wd == 6 ? sun_shift : 0;
    if (shift)
        add(h, sw_date_add_days(x, shift), name, true);
    else
        add(h, x, name, false);
}

/* England and Wales: the Banking and Financial Dealings Act 1971 and
 * the royal proclamations that move or add a day. */
static void gb_eng(hlist *h, int y)
{
    fixed(h, y, 1, 1, "New Year's Day", 2, 1);
    sw_date e = easter(y);
    add(h, sw_date_add_days(e, -2), "Good Friday", false);
    add(h, sw_date_add_days(e, 1), "Easter Monday", false);
    if (y == 1995 || y == 2020) /* moved to VE Day's anniversary */
        add(h, (sw_date){y, 5, 8}, "Early May bank holiday", false);
    else if (y >= 1978)
        add(h, nth_weekday(y, 5, 0, 1), "Early May bank holiday", false);
    if (y == 2002 || y == 2012) { /* jubilees */
        add(h, (sw_date){y, 6, 4}, "Spring bank holiday", false);
        add(h, (sw_date){y, 6, y == 2002 ? 3 : 5}, "Jubilee bank holiday",
            false);
    } else if (y == 2022) {
        add(h, (sw_date){y, 6, 2}, "Spring bank holiday", false);
        add(h, (sw_date){y, 6, 3}, "Platinum Jubilee bank holiday", false);
    } else {
        add(h, nth_weekday(y, 5, 0, -1), "Spring bank holiday", false);
    }
    if (y == 2011)
        add(h, (sw_date){y, 4, 29}, "Royal wedding bank holiday", false);
    if (y == 2022)
        add(h, (sw_date){y, 9, 19}, "State funeral bank holiday", false);
    if (y == 2023)
        add(h, (sw_date){y, 5, 8}, "Coronation bank holiday", false);
    if (y == 1999)
        add(h, (sw_date){y, 12, 31}, "Millennium bank holiday", false);
    add(h, nth_weekday(y, 8, 0, -1), "Summer bank holiday", false);
    /* Christmas and Boxing Day: a weekend day moves to the next free
     * weekday, Christmas first */
    int wd = sw_weekday((sw_date){y, 12, 25});
    if (wd == 5) { /* Saturday */
        add(h, (sw_date){y, 12, 27}, "Christmas Day", true);
        add(h, (sw_date){y, 12, 28}, "Boxing Day", true);
    } else if (wd == 6) { /* Sunday */
        add(h, (sw_date){y, 12, 26}, "Boxing Day", false);
        add(h, (sw_date){y, 12, 27}, "Christmas Day", true);
    } else {
        add(h, (sw_date){y, 12, 25}, "Christmas Day", false);
        if (wd == 4) /* Boxing Day on the Saturday */
            add(h, (sw_date){y, 12, 28}, "Boxing Day", true);
        else
            add(h, (sw_date){y, 12, 26}, "Boxing Day", false);
    }
}

/* Croatia: the Act on Holidays, Remembrance Days and Non-Working Days
 * (as amended in 2019, from 2020; the earlier list before). No day is
 * moved when one falls on a weekend. */
static void hr(hlist *h, int y)
{
    sw_date e = easter(y);
    add(h, (sw_date){y, 1, 1}, "New Year's Day", false);
    add(h, (sw_date){y, 1, 6}, "Epiphany", false);
    add(h, e, "Easter Sunday", false);
    add(h, sw_date_add_days(e, 1), "Easter Monday", false);
    add(h, (sw_date){y, 5, 1}, "Labour Day", false);
    if (y >= 2020)
        add(h, (sw_date){y, 5, 30}, "Statehood Day", false);
    add(h, sw_date_add_days(e, 60), "Corpus Christi", false);
    add(h, (sw_date){y, 6, 22}, "Anti-Fascist Struggle Day", false);
    if (y < 2020)
        add(h, (sw_date){y, 6, 25}, "Statehood Day", false);
    add(h, (sw_date){y, 8, 5},
        "Victory and Homeland Thanksgiving Day and the Day of Croatian "
        "Defenders",
        false);
    add(h, (sw_date){y, 8, 15}, "Assumption of Mary", false);
    if (y < 2020 && y >= 2002)
        add(h, (sw_date){y, 10, 8}, "Independence Day", false);
    add(h, (sw_date){y, 11, 1}, "All Saints' Day", false);
    if (y >= 2020)
        add(h, (sw_date){y, 11, 18},
            "Remembrance Day for the Victims of the Homeland War", false);
    add(h, (sw_date){y, 12, 25}, "Christmas Day", false);
    add(h, (sw_date){y, 12, 26}, "St Stephen's Day", false);
}

/* California: the state holidays its offices close on (Government Code
 * 6700 and 19853, as CalHR lists them): a Sunday holiday is observed on
 * the Monday; a Saturday one is not moved, except Veterans Day (the
 * Friday before). */
static void us_ca(hlist *h, int y)
{
    fixed(h, y, 1, 1, "New Year's Day", 0, 1);
    add(h, nth_weekday(y, 1, 0, 3), "Martin Luther King Jr. Day", false);
    add(h, nth_weekday(y, 2, 0, 3), "Presidents' Day", false);
    fixed(h, y, 3, 31, "Cesar Chavez Day", 0, 1);
    add(h, nth_weekday(y, 5, 0, -1), "Memorial Day", false);
    fixed(h, y, 7, 4, "Independence Day", 0, 1);
    add(h, nth_weekday(y, 9, 0, 1), "Labor Day", false);
    fixed(h, y, 11, 11, "Veterans Day", -1, 1);
    sw_date tg = nth_weekday(y, 11, 3, 4);
    add(h, tg, "Thanksgiving Day", false);
    add(h, sw_date_add_days(tg, 1), "Day after Thanksgiving", false);
    fixed(h, y, 12, 25, "Christmas Day", 0, 1);
}

typedef struct jurisdiction {
    const char *code, *name;
    void (*rules)(hlist *h, int year);
} jurisdiction;

static const jurisdiction jurisdictions[] = {
    {"GB-ENG", "England and Wales", gb_eng},
    {"HR", "Croatia", hr},
    {"US-CA", "California", us_ca},
};

static const jurisdiction *find(const char *code)
{
    for (size_t i = 0;
         code && i < sizeof(jurisdictions) / sizeof(*jurisdictions); i++)
        if (strcmp(jurisdictions[i].code, code) == 0)
            return &jurisdictions[i];
    return NULL;
}

bool sw_jurisdiction_known(const char *j)
{
    return find(j) != NULL;
}

const char *sw_jurisdiction_name(const char *j)
{
    const jurisdiction *x = find(j);
    return x ? x->name : NULL;
}

size_t sw_holidays(const char *j, int year, sw_holiday out[SW_HOLIDAYS_MAX])
{
    const jurisdiction *x = find(j);
    if (!x || year < 1583 || year > 9999)
        return 0;
    hlist h = {out, 0};
    x->rules(&h, year);
    /* in date order (a handful: insertion sort) */
    for (size_t i = 1; i < h.n; i++)
        for (size_t k = i;
             k > 0 && day_number(out[k].date) < day_number(out[k - 1].date);
             k--) {
            sw_holiday t = out[k];
            out[k] = out[k - 1];
            out[k - 1] = t;
        }
    return h.n;
}

static bool listed(size_t n, const char *const *v, sw_date d)
{
    for (size_t i = 0; i < n; i++) {
        sw_date x;
        if (sw_date_parse(v[i], &x) == SW_OK && x.year == d.year &&
            x.month == d.month && x.day == d.day)
            return true;
    }
    return false;
}

bool sw_working_day(const sw_calendar *c, sw_date d)
{
    if (sw_weekday(d) >= 5)
        return false;
    if (!c)
        return true;
    if (listed(c->n_remove, c->remove, d))
        return true;
    if (listed(c->n_add, c->add, d))
        return false;
    sw_holiday h[SW_HOLIDAYS_MAX];
    size_t n = sw_holidays(c->jurisdiction, d.year, h);
    for (size_t i = 0; i < n; i++)
        if (h[i].date.month == d.month && h[i].date.day == d.day)
            return false;
    return true;
}

/* ---- time zones (ICU) ---- */

bool sw_time_zone_known(const char *tz)
{
    if (!tz || strlen(tz) >= 127)
        return false;
    UChar id[128], canon[128];
    u_uastrncpy(id, tz, 127);
    id[127] = 0;
    UErrorCode e = U_ZERO_ERROR;
    UBool system = 0;
    ucal_getCanonicalTimeZoneID(id, -1, canon, 128, &system, &e);
    return U_SUCCESS(e) && system;
}

/* A calendar of a zone ICU knows (ucal_open would take any other
 * name as GMT), or NULL. */
static UCalendar *open_zone(const char *tz)
{
    if (!sw_time_zone_known(tz))
        return NULL;
    UChar id[128];
    u_uastrncpy(id, tz, 127);
    id[127] = 0;
    UErrorCode e = U_ZERO_ERROR;
    UCalendar *cal = ucal_open(id, -1, "en_US", UCAL_GREGORIAN, &e);
    if (U_FAILURE(e)) {
        if (cal)
            ucal_close(cal);
        return NULL;
    }
    return cal;
}

sw_status sw_local_date(const char *tz, sw_instant t, sw_date *out)
{
    if (!tz || strcmp(tz, "UTC") == 0) {
        *out = date_of_instant(t);
        return SW_OK;
    }
    UCalendar *cal = open_zone(tz);
    if (!cal)
        return SW_ERR_INVALID;
    UErrorCode e = U_ZERO_ERROR;
    ucal_setMillis(cal, (UDate)t * 1000.0, &e);
    sw_date d = {ucal_get(cal, UCAL_EXTENDED_YEAR, &e),
                 ucal_get(cal, UCAL_MONTH, &e) + 1,
                 ucal_get(cal, UCAL_DATE, &e)};
    ucal_close(cal);
    if (U_FAILURE(e))
        return SW_ERR_RANGE;
    *out = d;
    return SW_OK;
}

sw_status sw_local_day_end(const char *tz, sw_date d, sw_instant *out)
{
    if (!tz || strcmp(tz, "UTC") == 0) {
        *out = sw_instant_from_date(d.year, d.month, d.day) + 86399;
        return SW_OK;
    }
    UCalendar *cal = open_zone(tz);
    if (!cal)
        return SW_ERR_INVALID;
    UErrorCode e = U_ZERO_ERROR;
    ucal_clear(cal);
    ucal_setDateTime(cal, d.year, d.month - 1, d.day, 23, 59, 59, &e);
    UDate ms = ucal_getMillis(cal, &e);
    ucal_close(cal);
    if (U_FAILURE(e))
        return SW_ERR_RANGE;
    *out = (sw_instant)(ms / 1000.0);
    return SW_OK;
}

/* ---- deadlines ---- */

static const char *zone_of(const sw_calendar *c)
{
    return c ? c->time_zone : NULL;
}

sw_status sw_deadline_months(const sw_calendar *c, sw_instant t, int n,
                             sw_instant *due)
{
    sw_date r;
    sw_status st = sw_local_date(zone_of(c), t, &r);
    if (st != SW_OK)
        return st;
    sw_date d = sw_date_add_months(r, n);
    for (int i = 0; i < 60 && !sw_working_day(c, d); i++)
        d = sw_date_add_days(d, 1);
    return sw_local_day_end(zone_of(c), d, due);
}

sw_status sw_deadline_business_days(const sw_calendar *c, sw_instant t, int n,
                                    sw_instant *due)
{
    sw_date d;
    sw_status st = sw_local_date(zone_of(c), t, &d);
    if (st != SW_OK)
        return st;
    for (int counted = 0; counted < n;) {
        d = sw_date_add_days(d, 1);
        counted += sw_working_day(c, d);
    }
    return sw_local_day_end(zone_of(c), d, due);
}

sw_status sw_deadline_days(const sw_calendar *c, sw_instant t, int n,
                           sw_instant *due)
{
    sw_date d;
    sw_status st = sw_local_date(zone_of(c), t, &d);
    if (st != SW_OK)
        return st;
    return sw_local_day_end(zone_of(c), sw_date_add_days(d, n), due);
}

long sw_working_days_left(const sw_calendar *c, sw_instant now, sw_instant due)
{
    sw_date a, b;
    if (sw_local_date(zone_of(c), now, &a) != SW_OK ||
        sw_local_date(zone_of(c), due, &b) != SW_OK)
        return 0;
    long diff = sw_date_diff(a, b), n = 0;
    if (diff >= 0) {
        for (long i = 1; i <= diff && i <= 3660; i++)
            n += sw_working_day(c, sw_date_add_days(a, (int)i));
        return n;
    }
    for (long i = 0; i < -diff && i <= 3660; i++)
        n -= sw_working_day(c, sw_date_add_days(b, (int)i + 1));
    return n;
}
