/* SPDX-License-Identifier: Apache-2.0 */
/* The traffic ingest (NDJSON or CSV, the line parser through to the store)
 * on a real SQLite store: any input is stored or refused with diagnostics,
 * and never crashes. The first byte says whether bad lines are skipped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "steward/steward.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sw_store *store;
static sw_policy *policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/steward-fuzz-XXXXXX", path[64];
    if (!mkdtemp(dir) || sw_policy_load_bundled(NULL, &policy) != SW_OK)
        abort();
    snprintf(path, sizeof(path), "%s/steward.db", dir);
    sw_store_options o;
    sw_store_options_init(&o);
    o.policy = policy;
    sw_clock_init_fixed(&o.clock, 1767225600); /* 2026-01-01 */
    sw_error err;
    if (sw_store_create(path, &o, &err) != SW_OK ||
        sw_store_open(path, &o, &store, &err) != SW_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    FILE *f = fmemopen((void *)(data + 1), size - 1, "r");
    if (!f)
        return 0;
    sw_diags *d = sw_diags_new();
    sw_ingest_options o;
    memset(&o, 0, sizeof(o));
    o.skip_bad = data[0] & 1;
    sw_ingest_result r;
    sw_status st = sw_traffic_ingest(store, f, "fuzz", &o, d, &r);
    fclose(f);
    if (st != SW_OK && st != SW_ERR_SYNTAX && st != SW_ERR_INVALID &&
        st != SW_ERR_LIMIT && st != SW_ERR_CONFLICT)
        abort(); /* a store failure on input alone */
    char line[1024];
    for (size_t i = 0; i < sw_diags_count(d); i++)
        sw_diag_format(sw_diags_at(d, i), line, sizeof(line));
    sw_diags_free(d);
    return 0;
}
