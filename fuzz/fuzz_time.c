/* SPDX-License-Identifier: Apache-2.0 */
/* Instants and durations: what parses formats and parses back to the same
 * value; arithmetic on anything parsed stays within the years steward
 * writes. The input is "INSTANT\nDURATION" (either part may be junk). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "steward/steward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_instant(sw_instant t)
{
    char buf[SW_INSTANT_BUFSZ], date[11];
    sw_instant_format(t, buf);
    sw_instant back;
    if (strlen(buf) != 20 || sw_instant_parse(buf, &back) != SW_OK)
        abort(); /* every instant formats as one steward reads */
    if (t >= SW_INSTANT_MIN && t <= SW_INSTANT_MAX && back != t)
        abort();
    sw_date_format(t, date);
    if (strlen(date) != 10)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *nl = memchr(text, '\n', size);
    const char *dur = "";
    if (nl) {
        *nl = '\0';
        dur = nl + 1;
    }
    sw_instant t = 0;
    bool has_t = sw_instant_parse(text, &t) == SW_OK;
    if (has_t) {
        check_instant(t);
        sw_instant_check_input(t);
        check_instant(sw_end_of_day(t));
        check_instant(sw_end_of_month(t));
        check_instant(sw_end_of_year(t));
        check_instant(sw_add_business_days(t, (int)(size % 400)));
        int y, m, d, w;
        sw_instant_fields(t, &y, &m, &d, &w);
        if (m < 1 || m > 12 || d < 1 || d > 31 || w < 0 || w > 6)
            abort();
    }
    sw_duration du;
    if (sw_duration_parse(dur, &du) == SW_OK) {
        char buf[SW_DURATION_BUFSZ];
        sw_duration_format(du, buf);
        sw_duration back;
        if (sw_duration_parse(buf, &back) != SW_OK)
            abort();
        sw_instant base = has_t ? t : 0;
        check_instant(sw_instant_add(base, du));
        sw_duration neg = {-du.years, -du.months, -du.days};
        check_instant(sw_instant_add(base, neg));
    }
    free(text);
    return 0;
}
