/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scanner of personal data in free text. A labelled corpus is made
 * here from a fixed seed: survey answers, tickets and e-mails in English
 * and Croatian with personal data at known offsets (each value made
 * valid by its own rule: check digits computed here, not by the
 * scanner), and distractors that look like personal data but fail its
 * validation (wrong check digits, order numbers, timestamps, versions,
 * phone-like numbers of the wrong length). The corpus is written to the
 * build directory (tests/data/scan there) for inspection; precision and
 * recall are reported per type, and each type must reach 0.98.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steward/scan.h"
#include "testutil.h"

/* ---- a seeded generator ---- */

static uint64_t rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void digits(char *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)('0' + rnd(10));
    out[n] = '\0';
}

/* The Luhn check digit that completes d. */
static char luhn_digit(const char *d)
{
    size_t n = strlen(d);
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int x = d[n - 1 - i] - '0';
        if (i % 2 == 0) {
            x *= 2;
            if (x > 9)
                x -= 9;
        }
        sum += x;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

/* ISO 7064 MOD 11,10 check digit of d. */
static char mod11_10_digit(const char *d)
{
    int p = 10;
    for (size_t i = 0; d[i]; i++) {
        int s = (d[i] - '0' + p) % 10;
        if (s == 0)
            s = 10;
        p = (s * 2) % 11;
    }
    int c = 11 - p;
    return (char)('0' + (c == 10 ? 0 : c));
}

/* An IBAN of country cc with bban, its check digits computed. */
static void iban(const char *cc, const char *bban, char *out)
{
    char t[64];
    snprintf(t, sizeof(t), "%s%s00", bban, cc);
    unsigned r = 0;
    for (size_t i = 0; t[i]; i++) {
        int v = t[i] >= 'A' ? t[i] - 'A' + 10 : t[i] - '0';
        r = v >= 10 ? (r * 100 + (unsigned)v) % 97
                    : (r * 10 + (unsigned)v) % 97;
    }
    snprintf(out, 64, "%s%02u%s", cc, 98 - r, bban);
}

/* ---- the corpus ---- */

typedef struct label {
    size_t off, len;
    sw_pii_type type;
} label;

typedef struct corpus {
    char *text;
    size_t n, cap;
    label *labels;
    size_t n_labels, cap_labels;
} corpus;

static void put(corpus *c, const char *s)
{
    size_t k = strlen(s);
    if (c->n + k + 1 > c->cap) {
        c->cap = (c->n + k + 1) * 2;
        c->text = realloc(c->text, c->cap);
        assert_non_null(c->text);
    }
    memcpy(c->text + c->n, s, k + 1);
    c->n += k;
}

static void putf(corpus *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void putf(corpus *c, const char *fmt, ...)
{
    char b[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof(b), fmt, ap);
    va_end(ap);
    put(c, b);
}

/* A value of personal data, labelled where it lands. */
static void pii(corpus *c, sw_pii_type t, const char *v)
{
    if (c->n_labels == c->cap_labels) {
        c->cap_labels = c->cap_labels ? 2 * c->cap_labels : 256;
        c->labels = realloc(c->labels, c->cap_labels * sizeof(label));
        assert_non_null(c->labels);
    }
    c->labels[c->n_labels++] = (label){c->n, strlen(v), t};
    put(c, v);
}

static const char *const first[] = {"Ana",    "Marko", "Ivana",   "Luka",
                                    "Petra",  "John",  "Emily",   "Tomislav",
                                    "Željka", "Šime",  "Čedomir", "Sarah"};
static const char *const last[] = {"Horvat",   "Kovačević", "Babić", "Smith",
                                   "Jurić",    "Novak",     "Brown", "Perić",
                                   "Knežević", "Taylor",    "Šarić", "Vuković"};

static void make_email(char *out)
{
    static const char *const dom[] = {"example.com", "mail.example.hr",
                                      "posta.example.org", "example.co.uk"};
    char d[5];
    digits(d, 3);
    snprintf(out, 96, "%s.%s%s@%s", "user", rnd(2) ? "k" : "m", d, dom[rnd(4)]);
}

/* A phone number of one of the ten countries, international or national
 * as people write them. */
static void make_phone(char *out)
{
    char a[16], b[16];
    switch (rnd(10)) {
    case 0:
        digits(a, 6);
        snprintf(out, 64, "+44 7%c%c%c %s", '4' + rnd(5), '0' + rnd(10),
                 '0' + rnd(10), a);
        break;
    case 1:
        digits(a, 3);
        digits(b, 4);
        snprintf(out, 64, "%s9%c %s %s", rnd(2) ? "+385 " : "0",
                 "125789"[rnd(6)], a, b);
        break;
    case 2:
        digits(a, 7);
        snprintf(out, 64, "+49 30 %s", a);
        break;
    case 3:
        digits(a, 8);
        snprintf(out, 64, "0%c %c%c %c%c %c%c %c%c", '6' + rnd(2), a[0], a[1],
                 a[2], a[3], a[4], a[5], a[6], a[7]);
        break;
    case 4:
        digits(a, 7);
        snprintf(out, 64, "+39 33%c %s", '0' + rnd(10), a);
        break;
    case 5:
        digits(a, 3);
        digits(b, 3);
        snprintf(out, 64, "6%c%c %s %s", '0' + rnd(10), '0' + rnd(10), a, b);
        break;
    case 6:
        digits(a, 8);
        snprintf(out, 64, "+31 6 %s", a);
        break;
    case 7:
        digits(a, 4);
        snprintf(out, 64, "(%c%c%c) %c%c%c-%s", '2' + rnd(8), '0' + rnd(9),
                 '0' + rnd(10), '2' + rnd(8), '0' + rnd(10), '0' + rnd(10), a);
        break;
    case 8:
        digits(a, 4);
        digits(b, 5);
        snprintf(out, 64, "+91 9%s %s", a, b);
        break;
    default:
        digits(a, 4);
        digits(b, 4);
        snprintf(out, 64, "+55 11 9%s-%s", a, b);
        break;
    }
}

static void make_iban(char *out)
{
    char b[32];
    switch (rnd(4)) {
    case 0:
        digits(b, 17);
        iban("HR", b, out);
        break;
    case 1:
        digits(b, 18);
        iban("DE", b, out);
        break;
    case 2: {
        char bb[32];
        digits(b, 10);
        snprintf(bb, sizeof(bb), "ABNA%s", b);
        iban("NL", bb, out);
        break;
    }
    default: {
        char bb[32];
        digits(b, 14);
        snprintf(bb, sizeof(bb), "NWBK%s", b);
        iban("GB", bb, out);
        break;
    }
    }
    if (rnd(2)) { /* printed in groups of four */
        char g[64];
        size_t k = 0;
        for (size_t i = 0; out[i]; i++) {
            if (i && i % 4 == 0)
                g[k++] = ' ';
            g[k++] = out[i];
        }
        g[k] = '\0';
        strcpy(out, g);
    }
}

static void make_card(char *out)
{
    static const char *const pre[] = {"4",  "51", "55",   "2221",
                                      "34", "37", "6011", "65"};
    const char *p = pre[rnd(8)];
    size_t len = p[0] == '3' ? 15 : 16;
    char d[20];
    strcpy(d, p);
    digits(d + strlen(p), len - 1 - strlen(p));
    d[len - 1] = luhn_digit(d);
    d[len] = '\0';
    if (len == 16 && rnd(2))
        snprintf(out, 32, "%.4s %.4s %.4s %.4s", d, d + 4, d + 8, d + 12);
    else
        strcpy(out, d);
}

static void make_imei(char *out)
{
    char d[16] = "35";
    digits(d + 2, 12);
    d[14] = luhn_digit(d);
    d[15] = '\0';
    if (rnd(2))
        snprintf(out, 32, "%.2s-%.6s-%.6s-%c", d, d + 2, d + 8, d[14]);
    else
        strcpy(out, d);
}

static void make_imsi(char *out)
{
    static const char *const mcc[] = {"219", "234", "262", "208", "310"};
    char d[16];
    for (;;) {
        snprintf(d, sizeof(d), "%s", mcc[rnd(5)]);
        digits(d + 3, 12);
        char body[16];
        memcpy(body, d, 14);
        body[14] = '\0';
        if (luhn_digit(body) != d[14]) /* not a valid IMEI as well */
            break;
    }
    strcpy(out, d);
}

static void make_oib(char *out)
{
    char d[12];
    digits(d, 10);
    d[10] = mod11_10_digit(d);
    d[11] = '\0';
    strcpy(out, d);
}

/* A German tax id: ten digits, one of them twice, then the check digit. */
static void make_de_tax(char *out)
{
    char d[12];
    int used[10] = {0};
    int twice = 1 + (int)rnd(9);
    d[0] = (char)('0' + twice);
    used[twice] = 1;
    d[1] = (char)('0' + twice);
    used[twice] = 2;
    for (int i = 2; i < 10; i++) {
        int x;
        do
            x = (int)rnd(10);
        while (used[x]);
        used[x] = 1;
        d[i] = (char)('0' + x);
    }
    /* the pair apart: swap the second digit away */
    char t = d[1];
    d[1] = d[5];
    d[5] = t;
    d[10] = '\0';
    d[10] = mod11_10_digit(d);
    d[11] = '\0';
    strcpy(out, d);
}

static void make_nino(char *out)
{
    static const char ok1[] = "ABCEGHJKLMNPRSTWXYZ",
                      ok2[] = "ABCEGHJKLMNPRSTWXYZ";
    char a, b;
    do {
        a = ok1[rnd(sizeof(ok1) - 1)];
        b = ok2[rnd(sizeof(ok2) - 1)];
    } while ((a == 'G' && b == 'B') || (a == 'N' && (b == 'K' || b == 'T')) ||
             (a == 'T' && b == 'N') || (a == 'Z' && b == 'Z') ||
             (a == 'B' && b == 'G') || (a == 'K' && b == 'N'));
    char d[7];
    digits(d, 6);
    if (rnd(2))
        snprintf(out, 32, "%c%c %.2s %.2s %.2s %c", a, b, d, d + 2, d + 4,
                 "ABCD"[rnd(4)]);
    else
        snprintf(out, 32, "%c%c%s%c", a, b, d, "ABCD"[rnd(4)]);
}

static void make_ssn(char *out)
{
    snprintf(out, 16, "%03u-%02u-%04u", 1 + rnd(665), 1 + rnd(99),
             1 + rnd(9999));
}

/* One answer, ticket or e-mail with pii of each kind. */
static void record(corpus *c, int i)
{
    char v[128];
    const char *fn = first[rnd(12)], *ln = last[rnd(12)];
    bool hr = i % 2;
    char name[64];
    snprintf(name, sizeof(name), "%s %s", fn, ln);
    put(c, hr ? "Anketa, odgovor: Dobar dan, zovem se "
              : "Survey answer: Hi, my name is ");
    pii(c, SW_PII_NAME, name);
    put(c, hr ? ". Javite se na " : ". Please write to ");
    make_email(v);
    pii(c, SW_PII_EMAIL, v);
    put(c, hr ? " ili nazovite " : " or call ");
    make_phone(v);
    pii(c, SW_PII_PHONE, v);
    put(c, hr ? ". Narudžba br. " : ". Order no. ");
    digits(v, 9);
    put(c, v); /* an order number: not personal data */
    putf(c,
         hr ? " od 2024-0%d-1%d u 14:3%d.\n" : " of 2024-0%d-1%d at 14:3%d.\n",
         1 + (int)rnd(9), (int)rnd(9), (int)rnd(10));
    put(c, hr ? "Ticket: povrat na IBAN " : "Ticket #");
    if (!hr) {
        digits(v, 6);
        put(c, v);
        put(c, ": refund to IBAN ");
    }
    make_iban(v);
    pii(c, SW_PII_IBAN, v);
    put(c, hr ? ", kartica " : ", card ");
    make_card(v);
    pii(c, SW_PII_CARD, v);
    put(c, hr ? " (verzija aplikacije 3.12.4, " : " (app version 3.12.4, ");
    snprintf(v, sizeof(v), "%u.%u.%u.%u", 10 + rnd(200), rnd(256), rnd(256),
             1 + rnd(254));
    put(c, hr ? "IP " : "from ");
    pii(c, SW_PII_IPV4, v);
    put(c, ", ");
    snprintf(v, sizeof(v), "2001:db8:%x::%x:%x", rnd(65535), 1 + rnd(65535),
             rnd(65535));
    pii(c, SW_PII_IPV6, v);
    put(c, ").\nDevice IMEI ");
    make_imei(v);
    pii(c, SW_PII_IMEI, v);
    put(c, ", SIM IMSI ");
    make_imsi(v);
    pii(c, SW_PII_IMSI, v);
    put(c, ", router MAC ");
    snprintf(v, sizeof(v), "%02X:%02X:%02X:%02X:%02X:%02X", rnd(256), rnd(256),
             rnd(256), rnd(256), rnd(256), rnd(256));
    pii(c, SW_PII_MAC, v);
    put(c, ".\n");
    switch (i % 4) {
    case 0:
        put(c, "National Insurance number ");
        make_nino(v);
        pii(c, SW_PII_UK_NINO, v);
        break;
    case 1:
        put(c, "Moj OIB je ");
        make_oib(v);
        pii(c, SW_PII_HR_OIB, v);
        break;
    case 2:
        put(c, "SSN ");
        make_ssn(v);
        pii(c, SW_PII_US_SSN, v);
        break;
    default:
        put(c, "Steuer-IdNr. ");
        make_de_tax(v);
        pii(c, SW_PII_DE_TAX_ID, v);
        break;
    }
    put(c, hr ? ". Rođena sam " : ". I was born on ");
    snprintf(v, sizeof(v), hr ? "%u.%u.%u." : "%02u/%02u/%u", 1 + rnd(28),
             1 + rnd(12), 1950 + rnd(60));
    if (hr)
        v[strlen(v) - 1] = '\0'; /* the sentence's full stop follows */
    pii(c, SW_PII_BIRTH_DATE, v);
    put(c, ".\n\n");
    put(c, hr ? "Lijep pozdrav,\n" : "Kind regards,\n");
    snprintf(name, sizeof(name), "%s %s", first[rnd(12)], last[rnd(12)]);
    pii(c, SW_PII_NAME, name);
    put(c, "\n---\n");
}

/* What looks like personal data and is not: each fails its rule. */
static void distractors(corpus *c)
{
    char v[64];
    /* cards and IBANs with a wrong check digit */
    make_card(v);
    size_t k = strlen(v);
    v[k - 1] = (char)('0' + (v[k - 1] - '0' + 1) % 10);
    putf(c, "Reference %s is not a card. ", v);
    char b[32];
    digits(b, 17);
    iban("HR", b, v);
    v[20] = (char)('0' + (v[20] - '0' + 3) % 10);
    putf(c, "Account %s was mistyped. ", v);
    /* order numbers, timestamps and versions */
    digits(b, 10);
    putf(c,
         "Order %s shipped at 2024-03-1%u 09:4%u:1%u UTC, build 4.19.%u-2%u. ",
         b, rnd(10), rnd(10), rnd(10), rnd(10), rnd(10));
    /* phone-like numbers of the wrong length */
    digits(b, 3);
    putf(c, "Call +385 91 %s or 0%u %s. ", b, 1 + rnd(8), b);
    /* an OIB and a NINO that fail */
    make_oib(v);
    v[10] = (char)('0' + (v[10] - '0' + 1) % 10);
    putf(c, "Broj %s. Code QQ 12 34 56 C. SSN 666-12-3456, 000-12-3456. ", v);
    /* IPs out of range, a version with four parts */
    putf(c, "Range 300.1.2.%u, version 10.2.%u.1 released, times 12:30:45. ",
         rnd(10), rnd(10));
    putf(c, "MAC-like 00:1A:2B:3C:4D. Dates 12.03.2024 and 2024-03-12.\n");
}

static void make_corpus(corpus *c, int records)
{
    memset(c, 0, sizeof(*c));
    for (int i = 0; i < records; i++) {
        record(c, i);
        distractors(c);
    }
}

static void corpus_free(corpus *c)
{
    free(c->text);
    free(c->labels);
}

/* ---- scanning it ---- */

typedef struct found {
    sw_finding *f;
    size_t n, cap;
} found;

static int collect(const sw_finding *f, const char *value, void *ctx)
{
    found *o = ctx;
    (void)value;
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 256;
        o->f = realloc(o->f, o->cap * sizeof(*o->f));
        assert_non_null(o->f);
    }
    o->f[o->n++] = *f;
    return 0;
}

/* The findings of text fed in chunks of chunk bytes (0: at once). */
static found scan_in(const sw_scan *sc, const char *text, size_t n,
                     size_t chunk)
{
    found o = {NULL, 0, 0};
    sw_scan_stream *st;
    assert_int_equal(sw_scan_open(sc, collect, &o, &st), SW_OK);
    for (size_t i = 0; i < n;) {
        size_t k = chunk && n - i > chunk ? chunk : n - i;
        assert_int_equal(sw_scan_feed(st, text + i, k), SW_OK);
        i += k;
    }
    assert_int_equal(sw_scan_close(st), SW_OK);
    return o;
}

static sw_scan *scanner(unsigned types)
{
    sw_scan *sc;
    char why[200] = "";
    if (sw_scan_new(types, &sc, why, sizeof(why)) != SW_OK)
        fail_msg("sw_scan_new: %s", why);
    return sc;
}

static void write_corpus(const corpus *c)
{
    char path[1024];
    tu_sh("mkdir -p %s/tests/data/scan", STEWARD_BUILD_DIR);
    snprintf(path, sizeof(path), "%s/tests/data/scan/corpus.txt",
             STEWARD_BUILD_DIR);
    FILE *f = fopen(path, "w");
    if (f) {
        fwrite(c->text, 1, c->n, f);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/tests/data/scan/labels.tsv",
             STEWARD_BUILD_DIR);
    f = fopen(path, "w");
    if (f) {
        for (size_t i = 0; i < c->n_labels; i++)
            fprintf(f, "%zu\t%zu\t%s\n", c->labels[i].off, c->labels[i].len,
                    sw_pii_name(c->labels[i].type));
        fclose(f);
    }
}

/* Precision and recall of each type over the labelled corpus: a finding
 * counts when offset, length and type are the labels'. */
static void test_corpus_precision_and_recall(void **state)
{
    (void)state;
    corpus c;
    make_corpus(&c, 400);
    write_corpus(&c);
    sw_scan *sc = scanner(0);
    found o = scan_in(sc, c.text, c.n, 0);
    size_t tp[SW_PII_COUNT] = {0}, fp[SW_PII_COUNT] = {0};
    size_t j = 0;
    for (size_t i = 0; i < o.n; i++) {
        const sw_finding *f = &o.f[i];
        while (j < c.n_labels && c.labels[j].off + c.labels[j].len <= f->offset)
            j++;
        bool hit = false;
        for (size_t k = j; k < c.n_labels && c.labels[k].off <= f->offset; k++)
            hit |= c.labels[k].off == f->offset &&
                   c.labels[k].len == f->length && c.labels[k].type == f->type;
        if (hit) {
            tp[f->type]++;
        } else {
            fp[f->type]++;
            if (fp[f->type] <= 3)
                print_message("  false %s at %llu: %.*s\n",
                              sw_pii_name(f->type),
                              (unsigned long long)f->offset, (int)f->length,
                              c.text + f->offset);
        }
    }
    size_t per[SW_PII_COUNT] = {0};
    for (size_t k = 0; k < c.n_labels; k++)
        per[c.labels[k].type]++;
    bool ok = true;
    for (unsigned t = 0; t < SW_PII_COUNT; t++) {
        double p = tp[t] + fp[t] ? (double)tp[t] / (double)(tp[t] + fp[t]) : 1,
               r = per[t] ? (double)tp[t] / (double)per[t] : 1;
        print_message("%-11s %5zu labelled  precision %.3f  recall %.3f\n",
                      sw_pii_name((sw_pii_type)t), per[t], p, r);
        assert_true(per[t] > 0); /* the corpus has every type */
        ok &= p >= 0.98 && r >= 0.98;
    }
    if (!ok) { /* the missed ones, a few of each type */
        size_t shown[SW_PII_COUNT] = {0};
        size_t i = 0;
        for (size_t k = 0; k < c.n_labels; k++) {
            const label *l = &c.labels[k];
            while (i < o.n && o.f[i].offset < l->off)
                i++;
            bool hit = i < o.n && o.f[i].offset == l->off &&
                       o.f[i].length == l->len && o.f[i].type == l->type;
            if (!hit && shown[l->type]++ < 3)
                print_message("  missed %s: %.*s\n", sw_pii_name(l->type),
                              (int)l->len, c.text + l->off);
        }
    }
    assert_true(ok);
    free(o.f);
    sw_scan_free(sc);
    corpus_free(&c);
}

/* Chunks of any size give the same findings as the whole text. */
static void test_chunks_do_not_change_findings(void **state)
{
    (void)state;
    corpus c;
    make_corpus(&c, 20);
    sw_scan *sc = scanner(0);
    found whole = scan_in(sc, c.text, c.n, 0);
    assert_true(whole.n > 100);
    const size_t sizes[] = {1, 7, 64, 333, 4096};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        found part = scan_in(sc, c.text, c.n, sizes[s]);
        assert_int_equal(part.n, whole.n);
        for (size_t i = 0; i < whole.n; i++) {
            assert_int_equal(part.f[i].offset, whole.f[i].offset);
            assert_int_equal(part.f[i].length, whole.f[i].length);
            assert_int_equal(part.f[i].type, whole.f[i].type);
        }
        free(part.f);
    }
    free(whole.f);
    sw_scan_free(sc);
    corpus_free(&c);
}

static int stop_at_first(const sw_finding *f, const char *value, void *ctx)
{
    (void)f;
    (void)value;
    (*(int *)ctx)++;
    return 1;
}

/* A scanner keeps closed streams for the next text: what the text before
 * left (a number cut off at its end, a stop) is not seen by the next. */
static void test_reused_streams_start_clean(void **state)
{
    (void)state;
    sw_scan *sc = scanner(0);
    for (int round = 0; round < 3; round++) {
        const char *cut = "Call me on +385 91 234";
        found a = scan_in(sc, cut, strlen(cut), 0);
        assert_int_equal(a.n, 0);
        free(a.f);
        int seen = 0;
        sw_scan_stream *st;
        assert_int_equal(sw_scan_open(sc, stop_at_first, &seen, &st), SW_OK);
        char two[1024];
        snprintf(two, sizeof(two), "a@example.com %0600d b@example.com", 0);
        assert_int_not_equal(sw_scan_feed(st, two, strlen(two)), SW_OK);
        assert_int_not_equal(sw_scan_close(st), SW_OK);
        assert_int_equal(seen, 1);
        const char *next = "5678 alone is nothing; mail c@example.org.";
        found b = scan_in(sc, next, strlen(next), 0);
        assert_int_equal(b.n, 1);
        assert_int_equal(b.f[0].type, SW_PII_EMAIL);
        assert_int_equal(b.f[0].offset, strstr(next, "c@") - next);
        assert_int_equal(b.f[0].length, strlen("c@example.org"));
        free(b.f);
    }
    sw_scan_free(sc);
}

/* Only the types asked for; an unknown type is named. */
static void test_types_chosen(void **state)
{
    (void)state;
    unsigned types;
    char bad[32];
    assert_true(sw_pii_parse_list("email,iban", &types, bad, sizeof(bad)));
    assert_int_equal(types, (1u << SW_PII_EMAIL) | (1u << SW_PII_IBAN));
    assert_false(sw_pii_parse_list("email,passport", &types, bad, sizeof(bad)));
    assert_string_equal(bad, "passport");
    corpus c;
    make_corpus(&c, 10);
    sw_scan *sc = scanner((1u << SW_PII_EMAIL) | (1u << SW_PII_IBAN));
    found o = scan_in(sc, c.text, c.n, 0);
    assert_int_equal(o.n, 20);
    for (size_t i = 0; i < o.n; i++)
        assert_true(o.f[i].type == SW_PII_EMAIL || o.f[i].type == SW_PII_IBAN);
    free(o.f);
    sw_scan_free(sc);
    corpus_free(&c);
}

/* No finding spans invalid UTF-8, and bytes of any value do not crash. */
static void test_invalid_utf8_and_noise(void **state)
{
    (void)state;
    sw_scan *sc = scanner(0);
    const char bad[] = "my name is Ana \xC4\x8D\xFF\xFE Kova\xC4 and "
                       "Kind regards,\nAn\xFF"
                       "a Horvat\n";
    found o = scan_in(sc, bad, sizeof(bad) - 1, 0);
    for (size_t i = 0; i < o.n; i++)
        assert_true(sw_utf8_valid(bad + o.f[i].offset, o.f[i].length));
    free(o.f);
    char noise[65536];
    for (size_t i = 0; i < sizeof(noise); i++)
        noise[i] = (char)rnd(256);
    o = scan_in(sc, noise, sizeof(noise), 1000);
    for (size_t i = 0; i < o.n; i++)
        assert_true(o.f[i].offset + o.f[i].length <= sizeof(noise));
    free(o.f);
    sw_scan_free(sc);
}

/* Redacted, no seeded value is left; type, mask, hash and drop each
 * write what they say. */
static void test_redaction_leaves_nothing(void **state)
{
    (void)state;
    corpus c;
    make_corpus(&c, 50);
    sw_scan *sc = scanner(0);
    uint8_t key[32] = {1, 2, 3};
    const sw_redact_mode modes[] = {SW_REDACT_TYPE, SW_REDACT_MASK,
                                    SW_REDACT_HASH, SW_REDACT_DROP};
    for (size_t m = 0; m < 4; m++) {
        char *out;
        size_t n, counts[SW_PII_COUNT] = {0};
        assert_int_equal(
            sw_redact_text(sc, modes[m], 0, key, c.text, c.n, &out, &n, counts),
            SW_OK);
        assert_int_equal(strlen(out), n);
        size_t all = 0;
        for (unsigned t = 0; t < SW_PII_COUNT; t++)
            all += counts[t];
        assert_true(all >= c.n_labels * 98 / 100);
        for (size_t k = 0; k < c.n_labels; k++) {
            char v[128];
            snprintf(v, sizeof(v), "%.*s", (int)c.labels[k].len,
                     c.text + c.labels[k].off);
            if (strstr(out, v))
                fail_msg("%s: '%s' (%s) is still there",
                         sw_redact_mode_name(modes[m]), v,
                         sw_pii_name(c.labels[k].type));
        }
        if (modes[m] == SW_REDACT_TYPE)
            assert_non_null(strstr(out, "[email]"));
        if (modes[m] == SW_REDACT_MASK)
            assert_int_equal(n, c.n); /* the same length */
        if (modes[m] == SW_REDACT_DROP)
            assert_null(strstr(out, "Survey answer"));
        free(out);
    }
    sw_scan_free(sc);
    corpus_free(&c);
}

/* The same value gives the same pseudonym under one key, whatever its
 * form; another key gives another. */
static void test_pseudonyms_are_keyed(void **state)
{
    (void)state;
    sw_scan *sc = scanner(0);
    uint8_t k1[32] = {7}, k2[32] = {8};
    const char *a = "mail Ana@Example.com and +385 91 234 5678";
    const char *b = "again ana@example.com, then +385912345678";
    char *ra, *rb, *rc;
    size_t n;
    assert_int_equal(
        sw_redact_text(sc, SW_REDACT_HASH, 0, k1, a, strlen(a), &ra, &n, NULL),
        SW_OK);
    assert_int_equal(
        sw_redact_text(sc, SW_REDACT_HASH, 0, k1, b, strlen(b), &rb, &n, NULL),
        SW_OK);
    assert_int_equal(
        sw_redact_text(sc, SW_REDACT_HASH, 0, k2, b, strlen(b), &rc, &n, NULL),
        SW_OK);
    const char *ea = strstr(ra, "[email:"), *eb = strstr(rb, "[email:"),
               *ec = strstr(rc, "[email:");
    assert_non_null(ea);
    assert_non_null(eb);
    assert_non_null(ec);
    assert_memory_equal(ea, eb, 24);
    assert_memory_not_equal(eb, ec, 24);
    const char *pa = strstr(ra, "[phone:"), *pb = strstr(rb, "[phone:");
    assert_non_null(pa);
    assert_non_null(pb);
    assert_memory_equal(pa, pb, 24);
    free(ra);
    free(rb);
    free(rc);
    sw_scan_free(sc);
}

/* steward scan as a user pipes a CSV of answers through it. */
static void test_cli_redacts_a_csv(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char csv[600];
    snprintf(csv, sizeof(csv), "%s/answers.csv", dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("id,answer\n"
          "1,\"Great service! Reach me at ivana.babic@example.hr or "
          "+385 98 765 4321\"\n"
          "2,\"The app crashes. My name is Luka Perić, card 4539 1488 0343 "
          "6467\"\n"
          "3,\"No complaints at all\"\n",
          f);
    fclose(f);
    tu_run r;
    tu_steward(&r, NULL, "scan", "--redact", "type", csv, (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "ivana"));
    assert_null(strstr(r.out, "765 4321"));
    assert_null(strstr(r.out, "Perić"));
    assert_null(strstr(r.out, "4539"));
    assert_non_null(strstr(r.out, "Reach me at [email] or [phone]"));
    assert_non_null(strstr(r.out, "My name is [name], card [card]"));
    assert_non_null(strstr(r.out, "3,\"No complaints at all\""));
    assert_non_null(strstr(r.err, "4 findings removed"));
    tu_run_free(&r);
    tu_steward(&r, NULL, "scan", "--json", "--types", "email", csv,
               (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"type\":\"email\""));
    assert_null(strstr(r.out, "phone"));
    assert_null(strstr(r.out, "ivana")); /* never the value */
    tu_run_free(&r);
    tu_steward(&r, NULL, "scan", "--types", "passport", csv,
               (const char *)NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "'passport' is not a type"));
    tu_run_free(&r);
    tu_steward(&r, NULL, "scan", "-h", (const char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--redact"));
    tu_run_free(&r);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_precision_and_recall),
        cmocka_unit_test(test_chunks_do_not_change_findings),
        cmocka_unit_test(test_reused_streams_start_clean),
        cmocka_unit_test(test_types_chosen),
        cmocka_unit_test(test_invalid_utf8_and_noise),
        cmocka_unit_test(test_redaction_leaves_nothing),
        cmocka_unit_test(test_pseudonyms_are_keyed),
        cmocka_unit_test(test_cli_redacts_a_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
