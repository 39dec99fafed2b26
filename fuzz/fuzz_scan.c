/* SPDX-License-Identifier: Apache-2.0 */
/* The scanner over any bytes: fed in chunks whose sizes the input's first
 * byte picks, every finding lies inside the input, in order, without
 * overlap, over valid UTF-8, and the same as when the input is fed whole;
 * each redaction mode writes its text without reading past the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "steward/scan.h"
#include "steward/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static sw_scan *sc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char why[200];
    if (sw_scan_new(0, &sc, why, sizeof(why)) != SW_OK)
        abort();
    return 0;
}

typedef struct seen {
    const char *text;
    size_t size;
    uint64_t end; /* the last finding's end */
    size_t n;
    uint64_t sum; /* of offsets and lengths, to compare two runs */
} seen;

static int check(const sw_finding *f, const char *value, void *ctx)
{
    seen *s = ctx;
    if (f->offset < s->end || f->offset + f->length > s->size ||
        f->length == 0 || memcmp(value, s->text + f->offset, f->length) != 0 ||
        !sw_utf8_valid(value, f->length) || (unsigned)f->type >= SW_PII_COUNT)
        abort();
    s->end = f->offset + f->length;
    s->n++;
    s->sum += f->offset * 31 + f->length * 7 + (uint64_t)f->type;
    return 0;
}

static seen run(const char *text, size_t size, size_t chunk)
{
    seen s = {text, size, 0, 0, 0};
    sw_scan_stream *st;
    if (sw_scan_open(sc, check, &s, &st) != SW_OK)
        abort();
    for (size_t i = 0; i < size;) {
        size_t k = chunk && size - i > chunk ? chunk : size - i;
        if (sw_scan_feed(st, text + i, k) != SW_OK)
            abort();
        i += k;
    }
    if (sw_scan_close(st) != SW_OK)
        abort();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sc)
        LLVMFuzzerInitialize(NULL, NULL);
    if (!size)
        return 0;
    size_t chunk = 1 + data[0] % 97;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    seen whole = run(text, n, 0), parts = run(text, n, chunk);
    if (whole.n != parts.n || whole.sum != parts.sum)
        abort();
    uint8_t key[32] = {0};
    for (int m = SW_REDACT_TYPE; m <= SW_REDACT_DROP; m++) {
        char *out;
        size_t len, counts[SW_PII_COUNT] = {0};
        if (sw_redact_text(sc, (sw_redact_mode)m, 0, key, text, n, &out, &len,
                           counts) != SW_OK)
            abort();
        size_t all = 0;
        for (int t = 0; t < SW_PII_COUNT; t++)
            all += counts[t];
        if (all != whole.n || (m == SW_REDACT_MASK && len != n) ||
            strlen(out) > len)
            abort();
        free(out);
    }
    return 0;
}
