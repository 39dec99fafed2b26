/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The clock module: the only place steward reads the system time, and the
 * calendar arithmetic behind every retention deadline. Civil <-> day-number
 * conversion follows Howard Hinnant's public-domain algorithms, so results do
 * not depend on the C library's time zone handling.
 */
#include "steward/clock.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SECS_PER_DAY 86400

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = dd;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static sw_instant clamp(sw_instant t)
{
    return t < SW_INSTANT_MIN   ? SW_INSTANT_MIN
           : t > SW_INSTANT_MAX ? SW_INSTANT_MAX
                                : t;
}

void sw_clock_init_system(sw_clock *c)
{
    c->fixed = false;
    c->at = 0;
}

void sw_clock_init_fixed(sw_clock *c, sw_instant t)
{
    c->fixed = true;
    c->at = t;
}

sw_instant sw_clock_now(const sw_clock *c)
{
    if (c->fixed)
        return c->at;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (sw_instant)ts.tv_sec;
}

double sw_clock_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sw_instant_fields(sw_instant t, int *year, int *month, int *day, int *wday)
{
    int64_t days = floor_div(clamp(t), SECS_PER_DAY);
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (year)
        *year = y;
    if (month)
        *month = m;
    if (day)
        *day = d;
    if (wday) /* 1970-01-01 was a Thursday (3 when Monday is 0) */
        *wday = (int)(((days % 7) + 7 + 3) % 7);
}

sw_instant sw_instant_from_date(int year, int month, int day)
{
    return days_from_civil(year, month, day) * SECS_PER_DAY;
}

/* Reads exactly n digits at *p into *out and advances *p. */
static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

sw_status sw_instant_parse(const char *s, sw_instant *out)
{
    if (!s)
        return SW_ERR_SYNTAX;
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) ||
        *p++ != '-' || !read_digits(&p, 2, &d))
        return SW_ERR_SYNTAX;
    int64_t offset = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi))
            return SW_ERR_SYNTAX;
        if (*p == ':') {
            p++;
            if (!read_digits(&p, 2, &se))
                return SW_ERR_SYNTAX;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return SW_ERR_SYNTAX;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om;
            if (!read_digits(&p, 2, &oh))
                return SW_ERR_SYNTAX;
            if (*p == ':')
                p++;
            if (!read_digits(&p, 2, &om))
                return SW_ERR_SYNTAX;
            if (oh > 23 || om > 59)
                return SW_ERR_RANGE;
            offset = sign * (oh * 3600 + om * 60);
        } else {
            return SW_ERR_SYNTAX; /* an instant must say it is UTC */
        }
    }
    if (*p != '\0')
        return SW_ERR_SYNTAX;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h > 23 || mi > 59 || se > 60)
        return SW_ERR_RANGE;
    if (se == 60)
        se = 59; /* leap second: UTC instants here have none */
    *out = days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + se -
           offset;
    return SW_OK;
}

sw_status sw_instant_check_input(sw_instant t)
{
    return t >= sw_instant_from_date(SW_YEAR_MIN_INPUT, 1, 1) &&
                   t < sw_instant_from_date(SW_YEAR_MAX_INPUT + 1, 1, 1)
               ? SW_OK
               : SW_ERR_RANGE;
}

char *sw_instant_format(sw_instant t, char *buf)
{
    t = clamp(t);
    int y, m, d;
    int64_t days = floor_div(t, SECS_PER_DAY);
    int64_t sod = t - days * SECS_PER_DAY;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, SW_INSTANT_BUFSZ, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    return buf;
}

char *sw_date_format(sw_instant t, char *buf)
{
    int y, m, d;
    sw_instant_fields(clamp(t), &y, &m, &d, NULL);
    snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
    return buf;
}

/* Parses an unsigned count of at most 4 digits at *p. */
static bool read_count(const char **p, int32_t *out)
{
    int n = 0;
    int32_t v = 0;
    while (isdigit((unsigned char)**p)) {
        if (++n > 4)
            return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return n > 0;
}

sw_status sw_duration_parse(const char *s, sw_duration *out)
{
    sw_duration d = {0, 0, 0};
    if (!s || !*s)
        return SW_ERR_SYNTAX;
    const char *p = s;
    if (*p == 'P' || *p == 'p') {
        /* ISO-8601: designators in order Y, M, W, D; at least one. */
        static const char order[] = "YMWD";
        int last = -1, seen = 0;
        p++;
        while (*p) {
            int32_t n;
            if (!read_count(&p, &n))
                return SW_ERR_SYNTAX;
            const char *u = strchr(order, toupper((unsigned char)*p));
            if (!*p || !u || (int)(u - order) <= last)
                return SW_ERR_SYNTAX;
            last = (int)(u - order);
            switch (*u) {
            case 'Y': d.years = n; break;
            case 'M': d.months = n; break;
            case 'W': d.days += 7 * n; break;
            case 'D': d.days += n; break;
            }
            p++;
            seen++;
        }
        if (!seen)
            return SW_ERR_SYNTAX;
        /* weeks and days together are days: at most 9999 of them, so
         * the duration formats as one this parser reads back */
        if (d.days > 9999)
            return SW_ERR_SYNTAX;
    } else {
        int32_t n;
        if (!read_count(&p, &n) || !*p || p[1] != '\0')
            return SW_ERR_SYNTAX;
        switch (*p) {
        case 'd': d.days = n; break;
        case 'w': d.days = 7 * n; break;
        case 'm': d.months = n; break;
        case 'y': d.years = n; break;
        default: return SW_ERR_SYNTAX;
        }
        if (d.days > 9999)
            return SW_ERR_SYNTAX;
    }
    *out = d;
    return SW_OK;
}

char *sw_duration_format(sw_duration d, char *buf)
{
    int n = snprintf(buf, SW_DURATION_BUFSZ, "P");
    if (d.years)
        n += snprintf(buf + n, (size_t)(SW_DURATION_BUFSZ - n), "%dY",
                      (int)d.years);
    if (d.months)
        n += snprintf(buf + n, (size_t)(SW_DURATION_BUFSZ - n), "%dM",
                      (int)d.months);
    if (d.days || sw_duration_is_zero(d))
        snprintf(buf + n, (size_t)(SW_DURATION_BUFSZ - n), "%dD", (int)d.days);
    return buf;
}

bool sw_duration_is_zero(sw_duration d)
{
    return d.years == 0 && d.months == 0 && d.days == 0;
}

sw_instant sw_instant_sub(sw_instant t, sw_duration d)
{
    sw_duration back = {-d.years, -d.months, -d.days};
    return sw_instant_add(t, back);
}

sw_instant sw_instant_add(sw_instant t, sw_duration d)
{
    t = clamp(t);
    int64_t days = floor_div(t, SECS_PER_DAY);
    int64_t sod = t - days * SECS_PER_DAY;
    int y, m, dd;
    civil_from_days(days, &y, &m, &dd);
    int64_t months =
        (int64_t)y * 12 + (m - 1) + (int64_t)d.years * 12 + d.months;
    /* past the last year (or before the first) there is nothing to clamp
     * a day to: the bound itself */
    if (months >= (int64_t)10000 * 12)
        return SW_INSTANT_MAX;
    if (months < 12)
        return SW_INSTANT_MIN;
    int ny = (int)floor_div(months, 12);
    int nm = (int)(months - (int64_t)ny * 12) + 1;
    int dim = days_in_month(ny, nm);
    if (dd > dim)
        dd = dim;
    return clamp((days_from_civil(ny, nm, dd) + d.days) * SECS_PER_DAY + sod);
}

sw_instant sw_end_of_day(sw_instant t)
{
    return clamp((floor_div(clamp(t), SECS_PER_DAY) + 1) * SECS_PER_DAY);
}

sw_instant sw_end_of_month(sw_instant t)
{
    int y, m;
    sw_instant_fields(clamp(t), &y, &m, NULL, NULL);
    return clamp(m == 12 ? sw_instant_from_date(y + 1, 1, 1)
                         : sw_instant_from_date(y, m + 1, 1));
}

sw_instant sw_end_of_year(sw_instant t)
{
    int y;
    sw_instant_fields(clamp(t), &y, NULL, NULL, NULL);
    return clamp(sw_instant_from_date(y + 1, 1, 1));
}

sw_instant sw_add_business_days(sw_instant t, int n)
{
    t = clamp(t);
    if (n > 3660000) /* ten thousand years of them: past the last day */
        return SW_INSTANT_MAX;
    int wday;
    sw_instant_fields(t, NULL, NULL, NULL, &wday);
    /* Deadlines count a few business days: a day-by-day walk is exact
     * whatever weekday the count starts on. */
    for (int left = n; left > 0 && t < SW_INSTANT_MAX;) {
        t += SECS_PER_DAY;
        wday = (wday + 1) % 7;
        if (wday < 5)
            left--;
    }
    return clamp(t);
}

int64_t sw_days_between(sw_instant a, sw_instant b)
{
    return floor_div(clamp(b) - clamp(a), SECS_PER_DAY);
}
