/* SPDX-License-Identifier: Apache-2.0 */
/* steward calendar show: the public holidays a deadline counts on. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const char *const weekdays[] = {"Monday",   "Tuesday", "Wednesday",
                                       "Thursday", "Friday",  "Saturday",
                                       "Sunday"};

static void date_text(sw_date d, char buf[16])
{
    snprintf(buf, 16, "%04d-%02d-%02d", d.year, d.month, d.day);
}

static int do_show(cli *c, const cli_args *a)
{
    const char *reg = a->v[O_REGULATION];
    if (reg && strcmp(reg, "gdpr") != 0 && strcmp(reg, "ccpa") != 0)
        return cli_usage("calendar show ",
                         "--regulation '%s': expected gdpr or ccpa", reg);
    int year;
    if (a->v[O_YEAR]) {
        char *end;
        long y = strtol(a->v[O_YEAR], &end, 10);
        if (*end || y < 1583 || y > 9999)
            return cli_usage("calendar show ",
                             "--year '%s': a year from 1583 to 9999",
                             a->v[O_YEAR]);
        year = (int)y;
    } else {
        sw_instant_fields(sw_clock_now(&c->clock), &year, NULL, NULL, NULL);
    }
    sw_policy *p;
    int rc = cli_load_policy(c, &p);
    if (rc)
        return rc;
    sw_calendar cal;
    sw_policy_calendar(p, reg ? reg : "gdpr", &cal);
    const char *j =
        a->v[O_JURISDICTION] ? a->v[O_JURISDICTION] : cal.jurisdiction;
    if (!j || !sw_jurisdiction_known(j)) {
        rc = j ? cli_fail("--jurisdiction '%s': steward computes holidays for "
                          "GB-ENG, HR and US-CA",
                          j)
               : cli_fail("the policy states no calendar for %s: name one "
                          "with --jurisdiction",
                          reg ? reg : "gdpr");
        sw_policy_free(p);
        return rc;
    }
    /* the policy's own days count only on its own jurisdiction */
    bool own = cal.jurisdiction && strcmp(cal.jurisdiction, j) == 0;
    sw_holiday h[SW_HOLIDAYS_MAX];
    size_t n = sw_holidays(j, year, h);
    json_t *list = json_array();
    if (!c->json)
        printf("%s (%s), %d:\n", sw_jurisdiction_name(j), j, year);
    for (size_t i = 0; i < n; i++) {
        char d[16];
        date_text(h[i].date, d);
        bool removed = false;
        for (size_t k = 0; own && k < cal.n_remove; k++)
            removed |= strcmp(cal.remove[k], d) == 0;
        if (removed)
            continue;
        const char *wd = weekdays[sw_weekday(h[i].date)];
        if (c->json)
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:b}",
                                                  "date", d, "weekday", wd,
                                                  "name", h[i].name, "observed",
                                                  h[i].observed, "added", 0));
        else
            printf("  %s  %-9s  %s%s\n", d, wd, h[i].name,
                   h[i].observed ? " (substitute or observed day)" : "");
    }
    for (size_t k = 0; own && k < cal.n_add; k++) {
        sw_date x;
        if (sw_date_parse(cal.add[k], &x) != SW_OK || x.year != year)
            continue;
        const char *wd = weekdays[sw_weekday(x)];
        if (c->json)
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s, s:b, s:b}", "date", cal.add[k],
                                "weekday", wd, "name", "added by the policy", 0,
                                "added", 1));
        else
            printf("  %s  %-9s  added by the policy\n", cal.add[k], wd);
    }
    if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:s, s:i, s:s?, s:o}", "jurisdiction", j, "name",
                      sw_jurisdiction_name(j), "year", year, "time_zone",
                      own ? cal.time_zone : NULL, "holidays", list));
    else
        json_decref(list);
    sw_policy_free(p);
    return rc;
}

static const cli_verb verbs[] = {
    {"show", do_show,
     "steward calendar show [--jurisdiction GB-ENG|HR|US-CA] "
     "[--regulation gdpr|ccpa] [--year Y] [--json]",
     "Prints the public holidays of a year (default: this one) that request\n"
     "deadlines count on: those of the policy's calendar for the regulation\n"
     "(default gdpr), with the days the policy adds or removes, or of the\n"
     "jurisdiction named. Computed by rule for any year: fixed dates with\n"
     "their substitute or observed days, Easter, n-th and last weekdays.",
     OPT(O_JURISDICTION) | OPT(O_REGULATION) | OPT(O_YEAR), 0, 0},
};

int cmd_calendar(int argc, char **argv, cli *c)
{
    return cli_run_family("calendar", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
