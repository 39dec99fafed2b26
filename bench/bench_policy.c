/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy load and due-date computation, each against a baseline in the same
 * run: loading the bundled policy vs. libfyaml building a document from the
 * same text; sw_rule_due vs. the C library's timegm doing a comparable
 * calendar addition.
 */
#include <libfyaml.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "steward/steward.h"

int main(void)
{
    size_t len;
    const char *text = sw_policy_bundled_text(&len);
    const int loads = 200;

    double t0 = now_s();
    for (int i = 0; i < loads; i++) {
        struct fy_parse_cfg cfg = {NULL, FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT,
                                   NULL, NULL};
        struct fy_document *d = fy_document_build_from_string(&cfg, text, len);
        fy_document_destroy(d);
    }
    double base = now_s() - t0;

    t0 = now_s();
    for (int i = 0; i < loads; i++) {
        sw_policy *p;
        if (sw_policy_load_bundled(NULL, &p) != SW_OK)
            return 1;
        sw_policy_free(p);
    }
    double ours = now_s() - t0;
    printf("policy load: %.2f ms per load (%zu bytes, %d loads); libfyaml "
           "parse alone %.2f ms; ratio %.2f (steward time / baseline time)\n",
           ours * 1e3 / loads, len, loads, base * 1e3 / loads, ours / base);

    sw_policy *p;
    if (sw_policy_load_bundled(NULL, &p) != SW_OK)
        return 1;
    const sw_rule *r = sw_policy_rule(p, "customer_account.invoices");
    const int n = 5000000;
    sw_instant t = 1700000000, due = 0, acc = 0;

    t0 = now_s();
    for (int i = 0; i < n; i++) {
        time_t tt = (time_t)(t + i * 37);
        struct tm tm;
        gmtime_r(&tt, &tm);
        tm.tm_year += 11; /* end of year + 10 years, the same rule */
        tm.tm_mon = 0;
        tm.tm_mday = 1;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        acc += (sw_instant)timegm(&tm);
    }
    base = now_s() - t0;
    sw_instant check = acc;
    acc = 0;
    t0 = now_s();
    for (int i = 0; i < n; i++) {
        sw_rule_due(r, t + i * 37, &due);
        acc += due;
    }
    ours = now_s() - t0;
    printf("due dates: %.1f M/s (sw_rule_due); gmtime_r+timegm %.1f M/s; "
           "ratio %.2f (steward rate / baseline rate)%s\n",
           n / ours / 1e6, n / base / 1e6, base / ours,
           acc == check ? "" : " [results differ]");
    sw_policy_free(p);
    return 0;
}
