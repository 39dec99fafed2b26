/* SPDX-License-Identifier: Apache-2.0 */
/* A program of someone else's, built against the installed libsteward
 * with pkg-config: the bundled policy, a new store, a finding in text. */
#include <stdio.h>
#include <string.h>

#include <steward/steward.h>

static int on_finding(const sw_finding *f, const char *value, void *ctx)
{
    (void)f;
    (void)value;
    ++*(int *)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer STORE\n");
        return 2;
    }
    sw_diags *d = sw_diags_new();
    sw_policy *p = NULL;
    if (!d || sw_policy_load_bundled(d, &p) != SW_OK) {
        fprintf(stderr, "consumer: the bundled policy did not load\n");
        return 1;
    }
    sw_diags_free(d);
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = p;
    sw_error e;
    sw_store *s = NULL;
    if (sw_store_create(argv[1], &o, &e) != SW_OK ||
        sw_store_open(argv[1], &o, &s, &e) != SW_OK) {
        fprintf(stderr, "consumer: %s\n", e.msg);
        return 1;
    }
    sw_scan *sc = NULL;
    sw_scan_stream *st = NULL;
    int found = 0;
    char why[200];
    const char text[] = "write to ann@example.com today";
    if (sw_scan_new(0, &sc, why, sizeof(why)) != SW_OK ||
        sw_scan_open(sc, on_finding, &found, &st) != SW_OK ||
        sw_scan_feed(st, text, strlen(text)) != SW_OK ||
        sw_scan_close(st) != SW_OK) {
        fprintf(stderr, "consumer: the scanner failed\n");
        return 1;
    }
    printf("notice %s, %zu activities, schema %d, %d finding\n",
           p->notice.version, p->n_activities, sw_store_schema_version(s),
           found);
    sw_scan_free(sc);
    sw_store_close(s);
    sw_policy_free(p);
    return 0;
}
