/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The law's calendars: public holidays computed by rule for the
 * jurisdictions steward knows (any year), working days, dates in a time
 * zone (IANA names, through ICU), and the deadlines of data-subject
 * requests on them: GDPR / UK GDPR Art. 12(3) (months, ending on a
 * working day) and CCPA (business days to acknowledge, calendar days to
 * answer). See docs/requests.md for the rules and their sources.
 */
#ifndef STEWARD_CALENDAR_H
#define STEWARD_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/clock.h"
#include "steward/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A civil date. */
typedef struct sw_date {
    int year, month, day;
} sw_date;

/* The most public holidays a jurisdiction has in a year. */
#define SW_HOLIDAYS_MAX 24

typedef struct sw_holiday {
    sw_date date;
    const char *name; /* static */
    bool observed;    /* a substitute or observed day for one on a weekend */
} sw_holiday;

/* "GB-ENG" (England and Wales), "HR" (Croatia), "US-CA" (California, the
 * state's holidays as its offices observe them). */
bool sw_jurisdiction_known(const char *jurisdiction);
/* Its name ("England and Wales"), or NULL when unknown. */
const char *sw_jurisdiction_name(const char *jurisdiction);
/* The days off of year (1583..9999) in date order, observed days
 * included; the number written to out (0 for an unknown jurisdiction). */
size_t sw_holidays(const char *jurisdiction, int year,
                   sw_holiday out[SW_HOLIDAYS_MAX]);

/* A calendar a deadline counts on. */
typedef struct sw_calendar {
    const char *jurisdiction; /* NULL: weekends only */
    const char *time_zone;    /* IANA name; NULL: UTC */
    /* dates ("YYYY-MM-DD") added as holidays, or taken away */
    size_t n_add;
    const char *const *add;
    size_t n_remove;
    const char *const *remove;
} sw_calendar;

/* "YYYY-MM-DD"; SW_ERR_SYNTAX or SW_ERR_RANGE otherwise. */
sw_status sw_date_parse(const char *text, sw_date *out);
/* 0 Monday .. 6 Sunday. */
int sw_weekday(sw_date d);
sw_date sw_date_add_days(sw_date d, int n);
/* The same date n months on, or the last day of that month. */
sw_date sw_date_add_months(sw_date d, int n);
/* Days from a to b (b - a). */
long sw_date_diff(sw_date a, sw_date b);

/* Neither a Saturday, a Sunday nor a holiday of the calendar. */
bool sw_working_day(const sw_calendar *c, sw_date d);

/* Whether ICU knows the time zone name. */
bool sw_time_zone_known(const char *tz);
/* The date of t in tz (NULL: UTC). SW_ERR_INVALID for an unknown zone. */
sw_status sw_local_date(const char *tz, sw_instant t, sw_date *out);
/* The instant of 23:59:59 local time on d in tz: a deadline's last
 * second. */
sw_status sw_local_day_end(const char *tz, sw_date d, sw_instant *out);

/* GDPR Art. 12(3): received at t, the period ends on the same date n
 * months later (the month's last day when there is none) in the
 * calendar's zone, moved to the next working day; due at its last
 * second. From a deadline, n = 2 gives the extended one. */
sw_status sw_deadline_months(const sw_calendar *c, sw_instant t, int n,
                             sw_instant *due);
/* CCPA: the last second of the n-th business day after the day of t. */
sw_status sw_deadline_business_days(const sw_calendar *c, sw_instant t, int n,
                                    sw_instant *due);
/* CCPA: the last second of the day n calendar days after the day of t. */
sw_status sw_deadline_days(const sw_calendar *c, sw_instant t, int n,
                           sw_instant *due);
/* Working days from the day of now to the day of due: those after today
 * up to and including due's day; negative (the working days since) when
 * due is past. */
long sw_working_days_left(const sw_calendar *c, sw_instant now, sw_instant due);

#ifdef __cplusplus
}
#endif
#endif
