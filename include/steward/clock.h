/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The clock: ISO-8601 instants in UTC, calendar durations, the calendar
 * arithmetic retention rules need, and the injectable "now".
 *
 * Instants are whole seconds since 1970-01-01T00:00:00Z, proleptic Gregorian,
 * years 0001 to 9999. All functions are pure and thread-safe, except
 * sw_clock_now() on a system clock, which reads the system time.
 */
#ifndef STEWARD_CLOCK_H
#define STEWARD_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "steward/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t sw_instant;

/* The instants steward writes: 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59Z. Arithmetic saturates at these bounds (a due date
 * past year 9999 is that last second), so every instant formats. */
#define SW_INSTANT_MIN INT64_C(-62135596800)
#define SW_INSTANT_MAX INT64_C(253402300799)
/* The years a time given with data may have (a record's collection, an
 * event, a receipt, a birth): SW_ERR_RANGE outside them. */
#define SW_YEAR_MIN_INPUT 1900
#define SW_YEAR_MAX_INPUT 2999

/* Bytes needed by sw_instant_format(): "YYYY-MM-DDTHH:MM:SSZ" and a NUL. */
#define SW_INSTANT_BUFSZ 21
/* Bytes needed by sw_duration_format(). */
#define SW_DURATION_BUFSZ 40

/* A calendar duration. Years and months are added together, with the day
 * clamped to the end of the target month; days are added after that. */
typedef struct sw_duration {
    int32_t years;
    int32_t months;
    int32_t days;
} sw_duration;

/* The source of "now": the system clock, or a fixed instant for tests and
 * demos. Held by value; no release needed. */
typedef struct sw_clock {
    bool fixed;
    sw_instant at;
} sw_clock;

/* A clock reading the system time. */
void sw_clock_init_system(sw_clock *c);
/* A clock frozen at t. */
void sw_clock_init_fixed(sw_clock *c, sw_instant t);
/* The current instant of c. */
sw_instant sw_clock_now(const sw_clock *c);
/* Seconds on the system's monotonic clock: for intervals (timeouts, rates,
 * latencies), never for the time of anything. */
double sw_clock_mono(void);

/*
 * Parses an ISO-8601 date or instant: "2025-01-31", "2025-01-31T10:00Z",
 * "2025-01-31T10:00:05Z", "2025-01-31T10:00:05.250+02:00" (fractions are
 * dropped; offsets are converted to UTC). A date means its first instant.
 * Returns SW_ERR_SYNTAX for malformed text, SW_ERR_RANGE for impossible dates
 * (2025-02-30) or years outside 1..9999. *out is untouched on failure.
 */
sw_status sw_instant_parse(const char *s, sw_instant *out);

/* SW_OK when t is in the years SW_YEAR_MIN_INPUT to SW_YEAR_MAX_INPUT,
 * SW_ERR_RANGE otherwise. */
sw_status sw_instant_check_input(sw_instant t);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf (SW_INSTANT_BUFSZ bytes),
 * t taken within SW_INSTANT_MIN..SW_INSTANT_MAX. Returns buf. */
char *sw_instant_format(sw_instant t, char *buf);
/* Writes the date part "YYYY-MM-DD" of t into buf (at least 11 bytes). */
char *sw_date_format(sw_instant t, char *buf);

/* Civil fields of t (UTC). Any pointer may be NULL. wday: 0 = Monday. */
void sw_instant_fields(sw_instant t, int *year, int *month, int *day,
                       int *wday);
/* The instant of 00:00:00Z on the given civil date; the date must be valid. */
sw_instant sw_instant_from_date(int year, int month, int day);

/*
 * Parses a duration: the short form "<n>d", "<n>w", "<n>m", "<n>y" (days,
 * weeks, months, years) or ISO-8601 "PnYnMnWnD" (no time part). n is
 * 0..9999, and weeks and days together at most 9999 days (so that every
 * duration formats as one this reads back). Returns SW_ERR_SYNTAX
 * otherwise.
 */
sw_status sw_duration_parse(const char *s, sw_duration *out);
/* Writes d in ISO-8601 form ("P7Y", "P12M", "P60D", "P0D") into buf
 * (SW_DURATION_BUFSZ bytes). Returns buf. */
char *sw_duration_format(sw_duration d, char *buf);
/* true when every field of d is zero. */
bool sw_duration_is_zero(sw_duration d);

/* t + d with month-end clamping (2024-02-29 + 1y = 2025-02-28;
 * 2025-01-31 + 1m = 2025-02-28). The time of day is kept; the result
 * saturates at SW_INSTANT_MIN and SW_INSTANT_MAX. */
sw_instant sw_instant_add(sw_instant t, sw_duration d);
/* t - d, the same way ("30 days ago", "10 years before"). */
sw_instant sw_instant_sub(sw_instant t, sw_duration d);

/* The first instant of the next day / month / year after t's. */
sw_instant sw_end_of_day(sw_instant t);
sw_instant sw_end_of_month(sw_instant t);
sw_instant sw_end_of_year(sw_instant t);

/* t plus n business days (n >= 0): steps forward one day at a time and
 * counts only the Mondays to Fridays reached, so Friday + 1 = Monday and
 * Saturday + 1 = Monday. The time of day is kept. */
sw_instant sw_add_business_days(sw_instant t, int n);

/* Whole days from a to b, rounded towards negative infinity (b - a). */
int64_t sw_days_between(sw_instant a, sw_instant b);

#ifdef __cplusplus
}
#endif
#endif
