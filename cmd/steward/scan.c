/* SPDX-License-Identifier: Apache-2.0 */
/* steward scan: personal data in free text (docs/scan.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "steward/scan.h"

#define CHUNK (1u << 20)

typedef struct scan_out {
    bool json;
    size_t counts[SW_PII_COUNT];
    int failed;
} scan_out;

/* A finding as a line: where, how long, what, why; never the value. */
static int print_finding(const sw_finding *f, const char *value, void *ctx)
{
    (void)value;
    scan_out *o = ctx;
    o->counts[f->type]++;
    int n = o->json
                ? printf("{\"offset\":%llu,\"length\":%u,\"type\":\"%s\","
                         "\"rule\":\"%s\"}\n",
                         (unsigned long long)f->offset, f->length,
                         sw_pii_name(f->type), f->rule)
                : printf("%llu\t%u\t%s\t%s\n", (unsigned long long)f->offset,
                         f->length, sw_pii_name(f->type), f->rule);
    if (n < 0)
        o->failed = 1;
    return o->failed;
}

static int write_out(const char *p, size_t n, void *ctx)
{
    (void)ctx;
    return fwrite(p, 1, n, stdout) == n ? 0 : 1;
}

static void progress(unsigned long long bytes)
{
    fprintf(stderr, "\r%llu MiB read", bytes >> 20);
}

static void summary(const size_t counts[SW_PII_COUNT], bool redacted)
{
    size_t all = 0;
    for (unsigned i = 0; i < SW_PII_COUNT; i++)
        all += counts[i];
    fprintf(stderr, "%zu finding%s%s", all, all == 1 ? "" : "s",
            redacted ? " removed" : "");
    const char *sep = ": ";
    for (unsigned i = 0; i < SW_PII_COUNT; i++)
        if (counts[i]) {
            fprintf(stderr, "%s%s %zu", sep, sw_pii_name((sw_pii_type)i),
                    counts[i]);
            sep = ", ";
        }
    fputc('\n', stderr);
}

static int do_scan(cli *c, const cli_args *a)
{
    const char *path = a->n_pos ? a->pos[0] : "-";
    unsigned types = 0;
    char bad[64];
    if (a->set[O_TYPES] &&
        !sw_pii_parse_list(a->v[O_TYPES], &types, bad, sizeof(bad)))
        return cli_usage("scan",
                         "--types: '%s' is not a type (email, phone, "
                         "iban, card, ipv4, ipv6, imei, imsi, mac, "
                         "uk_nino, hr_oib, us_ssn, de_tax_id, "
                         "birth_date, name)",
                         bad);
    sw_redact_mode mode = SW_REDACT_TYPE;
    bool redact = a->set[O_REDACT];
    if (redact && !sw_redact_mode_parse(a->v[O_REDACT], &mode))
        return cli_usage("scan",
                         "--redact: '%s' is not type, mask, hash or "
                         "drop",
                         a->v[O_REDACT]);
    if (redact && c->json)
        return cli_usage("scan", "--json lists findings; --redact writes the "
                                 "text: choose one");
    /* a pseudonym is keyed by the store: the same value, the same one */
    uint8_t key[32];
    if (redact && mode == SW_REDACT_HASH) {
        sw_store *s;
        sw_policy *p;
        int rc = cli_open_store(c, &s, &p);
        if (rc)
            return rc;
        sw_store_pseudonym_key(s, key);
        cli_close_store(s, p);
    }
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return cli_fail("%s: cannot open: %s", path, strerror(errno));
    sw_scan *sc;
    char why[200];
    if (sw_scan_new(types, &sc, why, sizeof(why)) != SW_OK) {
        if (f != stdin)
            fclose(f);
        return cli_fail("scan: %s", why);
    }
    scan_out o = {c->json, {0}, 0};
    sw_scan_stream *st = NULL;
    sw_redactor *r = NULL;
    sw_status s = redact ? sw_redact_open(sc, mode, key, write_out, NULL, &r)
                         : sw_scan_open(sc, print_finding, &o, &st);
    char *buf = s == SW_OK ? malloc(CHUNK) : NULL;
    int rc = 0;
    if (!buf) {
        rc = cli_fail("scan: out of memory");
    } else {
        bool tty = isatty(2);
        unsigned long long total = 0;
        size_t n;
        /* a regular file is mapped rather than copied in */
        struct stat sb;
        const char *map = NULL;
        size_t map_n = 0, off = 0;
        if (f != stdin && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
            sb.st_size > 0) {
            void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
                           fileno(f), 0);
            if (m != MAP_FAILED) {
                map = m;
                map_n = (size_t)sb.st_size;
                madvise(m, map_n, MADV_SEQUENTIAL);
            }
        }
        const char *p = buf;
        while (s == SW_OK &&
               (n = map ? (map_n - off < CHUNK ? map_n - off : CHUNK)
                        : fread(buf, 1, CHUNK, f)) > 0) {
            if (map) {
                p = map + off;
                off += n;
            }
            s = redact ? sw_redact_feed(r, p, n) : sw_scan_feed(st, p, n);
            total += n;
            if (tty && (total & ((64u << 20) - 1)) < n)
                progress(total);
        }
        if (tty && total >= (64u << 20))
            fputc('\n', stderr);
        if (map)
            munmap((void *)map, map_n);
        if (ferror(f))
            rc = cli_fail("%s: read error after %llu bytes", path, total);
        else if (s != SW_OK)
            rc = cli_fail("scan: %s after %llu bytes",
                          redact ? sw_redact_errmsg(r) : sw_scan_errmsg(st),
                          total);
    }
    sw_status end = redact ? sw_redact_close(r, o.counts) : sw_scan_close(st);
    if (!rc && end != SW_OK)
        rc = cli_fail("scan: the text's end could not be scanned");
    if (!rc && (o.failed || fflush(stdout) != 0))
        rc = cli_fail("scan: cannot write the output");
    if (!rc)
        summary(o.counts, redact);
    memset(key, 0, sizeof(key));
    free(buf);
    sw_scan_free(sc);
    if (f != stdin)
        fclose(f);
    return rc;
}

static const cli_verb scan_verb = {
    "scan",
    do_scan,
    "steward scan [--types T,T...] [--redact type|mask|hash|drop | --json] "
    "[FILE|-]",
    "Finds personal data in free text of any size (stdin when FILE is '-'\n"
    "or absent), in one streaming pass: e-mail addresses, phone numbers,\n"
    "IBANs, payment cards, IP and MAC addresses, IMEI and IMSI, UK NINO,\n"
    "Croatian OIB, US SSN, German tax ids, dates of birth and names where\n"
    "the text says so. Each candidate is kept only when its check confirms\n"
    "it (docs/scan.md). Without --redact it prints each finding as\n"
    "offset, length, type and rule (--json: one JSON object a line), never\n"
    "the value; with --redact it writes the text again with each finding\n"
    "replaced: by its type ([email]), masked (***), by a pseudonym keyed by\n"
    "the store ([email:...], the same value the same pseudonym), or with\n"
    "drop the lines that hold one left out. Counts go to stderr.",
    0,
    1,
    OPT_HI(O_TYPES) | OPT_HI(O_REDACT)};

int cmd_scan(int argc, char **argv, cli *c)
{
    return cli_run_single(argc, argv, c, &scan_verb);
}
