/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The patterns and their validators (docs/scan.md lists each type's rule
 * and its limits). A pattern only says where a candidate may end; the
 * validator finds where it starts (looking back over the characters the
 * type is written with), tries the longest start first and then each
 * later group, and keeps the first that its rule confirms.
 */
#include <arpa/inet.h>
#include <string.h>

#include <hs/hs.h>

#include "core/checksum.h"
#include "scan/scan_int.h"

/* ---- bytes ---- */

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_alpha(int c)
{
    return is_upper(c) || (c >= 'a' && c <= 'z');
}

static int is_alnum(int c)
{
    return is_digit(c) || is_alpha(c);
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* How many bytes before end are in the set (at most max). */
static size_t back_over(const char *end, size_t avail, int (*in)(int),
                        size_t max)
{
    size_t k = 0;
    while (k < avail && k < max && in((unsigned char)end[-(ptrdiff_t)k - 1]))
        k++;
    return k;
}

/* The byte before a finding of len bytes is not a letter or digit (or
 * there is none). */
static int starts_clear(const char *end, size_t avail, size_t len)
{
    return len >= avail || !is_alnum((unsigned char)end[-(ptrdiff_t)len - 1]);
}

/* Whether one of the words occurs (case aside) in the within bytes
 * before a finding of len bytes. */
static int said_before(const char *end, size_t avail, size_t len,
                       const char *const *words, size_t within)
{
    size_t room = avail > len ? avail - len : 0;
    if (room > within)
        room = within;
    const char *from = end - len - room;
    for (size_t w = 0; words[w]; w++) {
        size_t wl = strlen(words[w]);
        for (size_t i = 0; i + wl <= room; i++) {
            size_t j = 0;
            while (j < wl && lower((unsigned char)from[i + j]) ==
                                 lower((unsigned char)words[w][j]))
                j++;
            if (j == wl)
                return 1;
        }
    }
    return 0;
}

/* The digits of s (n bytes) into d (cap bytes); their count, or 0 when
 * they do not fit. */
static size_t digits_of(const char *s, size_t n, char *d, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (is_digit((unsigned char)s[i])) {
            if (k + 1 >= cap)
                return 0;
            d[k++] = s[i];
        }
    d[k] = '\0';
    return k;
}

static int num(const char *d, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (d[i] - '0');
    return v;
}

/* ---- e-mail addresses ---- */

static int email_char(int c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
           c == '-' || c == '@';
}

/* Labels of 1 to 63 letters, digits and inner hyphens; at least two,
 * the last of letters only. */
static int domain_ok(const char *d, size_t n)
{
    if (n < 4 || n > 253)
        return 0;
    size_t labels = 0, start = 0;
    int tld_alpha = 1;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && d[i] != '.')
            continue;
        size_t len = i - start;
        if (len < 1 || len > 63 || d[start] == '-' || d[i - 1] == '-')
            return 0;
        tld_alpha = 1;
        for (size_t k = start; k < i; k++)
            tld_alpha &= is_alpha((unsigned char)d[k]) != 0;
        labels++;
        start = i + 1;
    }
    return labels >= 2 && tld_alpha;
}

static uint32_t check_email(const char *end, size_t avail, sw_pii_type *type,
                            const char **rule, uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t len = back_over(end, avail, email_char, SCAN_MAXLEN - 2);
    const char *s = end - len;
    const char *at = NULL;
    for (const char *p = end - 1; p >= s; p--)
        if (*p == '@') {
            at = p;
            break;
        }
    if (!at)
        return 0;
    const char *local = at;
    while (local > s && local[-1] != '@')
        local--;
    while (local < at && (*local == '.' || *local == '-'))
        local++;
    if (local == at || at - local > 64 || at[-1] == '.')
        return 0;
    for (const char *p = local; p + 1 < at; p++)
        if (p[0] == '.' && p[1] == '.')
            return 0;
    for (const char *p = at + 1; p < end; p++)
        if (!(is_alnum((unsigned char)*p) || *p == '-' || *p == '.'))
            return 0;
    if (!domain_ok(at + 1, (size_t)(end - at - 1)))
        return 0;
    *rule = "address";
    return (uint32_t)(end - local);
}

/* ---- phone numbers ---- */

typedef struct plan {
    const char *cc;   /* calling code */
    const char *iso;  /* the country */
    int min, max;     /* digits of the national significant number */
    const char *lead; /* the digits it may start with */
} plan;

/* The national significant numbers of the countries the scanner knows
 * by plan (length and first digit); another calling code of the
 * normaliser's table is taken with 7 to 12 digits after it. */
static const plan plans[] = {
    {"44", "GB", 9, 10, "123789"},     {"385", "HR", 8, 9, "123456789"},
    {"49", "DE", 7, 12, "123456789"},  {"33", "FR", 9, 9, "123456789"},
    {"39", "IT", 6, 11, "03"},         {"34", "ES", 9, 9, "6789"},
    {"31", "NL", 9, 9, "123456789"},   {"1", "US", 10, 10, "23456789"},
    {"91", "IN", 10, 10, "123456789"}, {"55", "BR", 10, 11, "123456789"},
};

static const char *const other_codes[] = {
    "376", "971", "355", "54",  "43",  "61",  "387", "32",  "359", "41",  "56",
    "86",  "57",  "357", "420", "45",  "372", "20",  "358", "30",  "852", "36",
    "62",  "353", "972", "354", "81",  "254", "82",  "423", "370", "352", "371",
    "212", "377", "373", "382", "389", "356", "52",  "60",  "234", "47",  "64",
    "51",  "63",  "92",  "48",  "351", "40",  "381", "966", "46",  "65",  "386",
    "421", "378", "66",  "90",  "886", "380", "379", "84",  "27",  NULL};

static int plan_ok(const plan *p, const char *nsn, size_t n)
{
    if ((int)n < p->min || (int)n > p->max || !strchr(p->lead, nsn[0]))
        return 0;
    if (strcmp(p->iso, "US") == 0) /* NXX NXX XXXX */
        return nsn[0] >= '2' && nsn[3] >= '2';
    if (strcmp(p->iso, "BR") == 0) /* area, then 9 + 8 or 2-5 + 7 */
        return nsn[1] != '0' &&
               (n == 11 ? nsn[2] == '9' : nsn[2] >= '2' && nsn[2] <= '5');
    if (strcmp(p->iso, "IN") == 0) /* mobiles 6-9; fixed 10 digits */
        return 1;
    return 1;
}

static uint32_t intl_ok(const char *d, size_t n, const char **rule)
{
    for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
        size_t cl = strlen(plans[i].cc);
        if (n > cl && strncmp(d, plans[i].cc, cl) == 0) {
            if (!plan_ok(&plans[i], d + cl, n - cl))
                return 0;
            static const char *const rules[] = {
                "plan:GB", "plan:HR", "plan:DE", "plan:FR", "plan:IT",
                "plan:ES", "plan:NL", "plan:US", "plan:IN", "plan:BR"};
            *rule = rules[i];
            return 1;
        }
    }
    for (size_t i = 0; other_codes[i]; i++) {
        size_t cl = strlen(other_codes[i]);
        if (n > cl && strncmp(d, other_codes[i], cl) == 0 && n - cl >= 7 &&
            n - cl <= 12) {
            *rule = "calling_code";
            return 1;
        }
    }
    return 0;
}

static int phone_char(int c)
{
    return is_digit(c) || c == ' ' || c == '(' || c == ')' || c == '-' ||
           c == '.' || c == '/';
}

/* Separators between the digits: single, or ") " and " (". */
static int separators_ok(const char *s, size_t n)
{
    int run = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_digit((unsigned char)s[i]) || s[i] == '+') {
            run = 0;
        } else if (++run > 2) {
            return 0;
        }
    }
    return n > 0 && is_digit((unsigned char)s[n - 1]);
}

/* The shape of a date or a time, which a phone number never has. */
static int date_shaped(const char *s, size_t n)
{
    char g[8] = {0};
    size_t groups = 0, len = 0;
    char sep = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_digit((unsigned char)s[i])) {
            len++;
            continue;
        }
        if (sep && s[i] != sep)
            return 0;
        sep = s[i];
        if (groups < sizeof(g))
            g[groups] = (char)len;
        groups++;
        len = 0;
    }
    if (groups < sizeof(g))
        g[groups] = (char)len;
    groups++;
    if (groups != 3 || (sep != '.' && sep != '-' && sep != '/'))
        return 0;
    return (g[0] <= 2 && g[1] <= 2 && (g[2] == 2 || g[2] == 4)) ||
           (g[0] == 4 && g[1] <= 2 && g[2] <= 2);
}

static uint32_t check_phone_intl(const char *end, size_t avail,
                                 sw_pii_type *type, const char **rule,
                                 uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t len = back_over(end, avail, phone_char, 28);
    if (len >= avail || end[-(ptrdiff_t)len - 1] != '+')
        return 0;
    len++; /* the + */
    if (!starts_clear(end, avail, len))
        return 0;
    const char *s = end - len;
    char d[24];
    size_t n = digits_of(s, len, d, sizeof(d));
    if (n < 8 || n > 15 || !separators_ok(s + 1, len - 1))
        return 0;
    return intl_ok(d, n, rule) ? (uint32_t)len : 0;
}

/* Four groups of one to three digits between dots: an IPv4 address. */
static int ip_shaped(const char *s, size_t n)
{
    int dots = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (!run)
                return 0;
            dots++;
            run = 0;
        } else if (is_digit((unsigned char)s[i]) && run < 3) {
            run++;
        } else {
            return 0;
        }
    }
    return dots == 3 && run;
}

/* A national number (no calling code): written with a separator, and
 * valid by the plan of one of the countries, its trunk 0 where it has
 * one. */
static const char *national_ok(const char *s, size_t len, const char *d,
                               size_t n)
{
    int sep = 0;
    for (size_t i = 0; i < len; i++)
        sep |= !is_digit((unsigned char)s[i]);
    /* ddd-dd-dddd is how a US social security number is written */
    int ssn = len == 11 && s[3] == '-' && s[6] == '-';
    if (!sep || ssn || date_shaped(s, len) || ip_shaped(s, len) ||
        !separators_ok(s, len))
        return NULL;
    if (d[0] == '0') {
        const char *nsn = d + 1;
        size_t m = n - 1;
        if (m >= 9 && m <= 10 && strchr("123789", nsn[0]))
            return "national:GB";
        if (m >= 8 && m <= 9 && nsn[0] != '0')
            return "national:HR";
        if (m == 9 && nsn[0] != '0')
            return "national:FR";
        if (m >= 8 && m <= 11 && nsn[0] != '0')
            return "national:DE";
        if (n >= 9 && n <= 11)
            return "national:IT";
        return NULL;
    }
    if (n == 10 && (s[0] == '(' || d[0] >= '2') && d[0] >= '2' && d[3] >= '2' &&
        (s[0] == '(' || s[3] == '-' || s[3] == '.' || s[3] == ' '))
        return "national:US";
    if (n == 9 && strchr("6789", d[0]))
        return "national:ES";
    if (n == 10 && d[0] == '3')
        return "national:IT";
    if (n == 10 && d[0] >= '6')
        return "national:IN";
    if ((n == 10 || n == 11) && s[0] == '(' && d[1] != '0' &&
        (n == 11 ? d[2] == '9' : d[2] >= '2' && d[2] <= '5'))
        return "national:BR";
    return NULL;
}

static uint32_t check_phone_national(const char *end, size_t avail,
                                     sw_pii_type *type, const char **rule,
                                     uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t len = back_over(end, avail, phone_char, 22);
    if (len < avail && end[-(ptrdiff_t)len - 1] == '+')
        return 0; /* the international pattern's */
    /* the longest start first, then each later group */
    for (size_t k = len; k >= 7; k--) {
        const char *s = end - k;
        if (!(is_digit((unsigned char)*s) || *s == '('))
            continue;
        if (k < len && (is_digit((unsigned char)s[-1]) || s[-1] == '('))
            continue;
        /* not the tail of a longer run of digit groups (a card, an
         * account) */
        if (k + 1 < len && is_digit((unsigned char)s[-2]))
            continue;
        if (!starts_clear(end, avail, k))
            continue;
        char d[24];
        size_t n = digits_of(s, k, d, sizeof(d));
        if (n < 7 || n > 12)
            continue;
        const char *r = national_ok(s, k, d, n);
        if (r) {
            *rule = r;
            return (uint32_t)k;
        }
    }
    return 0;
}

/* ---- IBAN ---- */

static const struct {
    char cc[3];
    int len;
} iban_lengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"BA", 20}, {"BE", 16},
    {"BG", 22}, {"BH", 22}, {"BR", 29}, {"CH", 21}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FO", 18},
    {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IS", 26}, {"IT", 27},
    {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MT", 31},
    {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PT", 25},
    {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SE", 24}, {"SI", 19},
    {"SK", 24}, {"SM", 27}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"XK", 20},
};

/* What an IBAN or a NINO is written with. */
static int code_char(int c)
{
    return is_upper(c) || is_digit(c) || c == ' ';
}

static uint32_t check_iban(const char *end, size_t avail, sw_pii_type *type,
                           const char **rule, uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t len = back_over(end, avail, code_char, 42);
    for (size_t k = len; k >= 15; k--) {
        const char *s = end - k;
        if (!(is_upper((unsigned char)s[0]) && is_upper((unsigned char)s[1]) &&
              is_digit((unsigned char)s[2]) && is_digit((unsigned char)s[3])))
            continue;
        if (!starts_clear(end, avail, k))
            continue;
        char c[40] = {0};
        size_t n = 0;
        int spaces_ok = 1;
        for (size_t i = 0; i < k && n < sizeof(c); i++) {
            if (s[i] == ' ')
                spaces_ok &= i + 1 < k && s[i + 1] != ' ';
            else
                c[n++] = s[i];
        }
        if (!spaces_ok || n < 15) /* (s starts with its four, so n >= 4) */
            continue;
        for (size_t i = 0; i < sizeof(iban_lengths) / sizeof(iban_lengths[0]);
             i++)
            if (memcmp(iban_lengths[i].cc, c, 2) == 0 &&
                (size_t)iban_lengths[i].len == n && sw_iban_mod97_ok(c, n)) {
                *rule = "mod97";
                return (uint32_t)k;
            }
    }
    return 0;
}

/* ---- runs of digits: cards, IMEI, IMSI, OIB, German tax id ---- */

static int card_char(int c)
{
    return is_digit(c) || c == ' ' || c == '-';
}

static int prefix_in(const char *d, int digits, int lo, int hi)
{
    int v = num(d, (size_t)digits);
    return v >= lo && v <= hi;
}

/* The issuer ranges and lengths of the schemes (ISO/IEC 7812 IINs). */
static const char *card_scheme(const char *d, size_t n)
{
    if (d[0] == '4' && (n == 13 || n == 16 || n == 19))
        return "luhn:visa";
    if ((prefix_in(d, 2, 51, 55) || prefix_in(d, 4, 2221, 2720)) && n == 16)
        return "luhn:mastercard";
    if ((prefix_in(d, 2, 34, 34) || prefix_in(d, 2, 37, 37)) && n == 15)
        return "luhn:amex";
    if ((prefix_in(d, 4, 6011, 6011) || prefix_in(d, 3, 644, 649) ||
         prefix_in(d, 2, 65, 65)) &&
        (n == 16 || n == 19))
        return "luhn:discover";
    if (prefix_in(d, 4, 3528, 3589) && n >= 16 && n <= 19)
        return "luhn:jcb";
    if ((prefix_in(d, 3, 300, 305) || prefix_in(d, 2, 36, 36) ||
         prefix_in(d, 2, 38, 39)) &&
        n >= 14 && n <= 19)
        return "luhn:diners";
    if (prefix_in(d, 2, 62, 62) && n >= 16 && n <= 19)
        return "luhn:unionpay";
    if ((prefix_in(d, 2, 50, 50) || prefix_in(d, 2, 56, 58)) && n >= 12 &&
        n <= 19)
        return "luhn:maestro";
    return NULL;
}

/* Mobile country codes of the countries the scanner knows and their
 * neighbours (ITU-T E.212). */
static int mcc_known(const char *d)
{
    static const int mcc[] = {
        202, 204, 206, 208, 212, 213, 214, 216, 218, 219, 220, 222, 226,
        228, 230, 231, 232, 234, 235, 238, 240, 242, 244, 246, 247, 248,
        250, 255, 259, 260, 262, 266, 268, 270, 272, 274, 276, 278, 280,
        284, 286, 293, 294, 297, 302, 310, 311, 312, 313, 314, 315, 316,
        334, 404, 405, 406, 424, 425, 440, 441, 450, 460, 466, 502, 505,
        510, 515, 520, 525, 530, 602, 621, 655, 722, 724, 730, 732, 734};
    int v = num(d, 3);
    for (size_t i = 0; i < sizeof(mcc) / sizeof(mcc[0]); i++)
        if (mcc[i] == v)
            return 1;
    return 0;
}

/* Germany's tax id: no leading 0, and in its first ten digits one digit
 * twice or three times (not three in a row), every other at most once. */
static int de_tax_shape(const char *d)
{
    if (d[0] == '0')
        return 0;
    int count[10] = {0};
    for (int i = 0; i < 10; i++)
        count[d[i] - '0']++;
    int multi = 0;
    for (int i = 0; i < 10; i++) {
        if (count[i] > 3)
            return 0;
        if (count[i] >= 2)
            multi++;
    }
    if (multi != 1)
        return 0;
    for (int i = 0; i + 2 < 10; i++)
        if (d[i] == d[i + 1] && d[i] == d[i + 2])
            return 0;
    return 1;
}

static const char *const imei_words[] = {"imei", NULL};
static const char *const imsi_words[] = {"imsi", NULL};
static const char *const oib_words[] = {"oib", NULL};
static const char *const de_words[] = {"steuer", "idnr", "tax id",
                                       "tax-id", "tin",  NULL};

static uint32_t check_digits(const char *end, size_t avail, sw_pii_type *type,
                             const char **rule, uint32_t *trim)
{
    (void)trim;
    size_t len = back_over(end, avail, card_char, 24);
    for (size_t k = len; k >= 11; k--) {
        const char *s = end - k;
        if (!is_digit((unsigned char)s[0]) ||
            (k < len && is_digit((unsigned char)s[-1])))
            continue;
        if (!starts_clear(end, avail, k))
            continue;
        char d[32];
        size_t n = digits_of(s, k, d, sizeof(d));
        int plain = n == k;
        if (n == 11 && plain) {
            if (!sw_iso7064_11_10_ok(d, n))
                continue;
            int de = de_tax_shape(d);
            if (said_before(end, avail, k, oib_words, 24) ||
                (!de && !said_before(end, avail, k, de_words, 32))) {
                *type = SW_PII_HR_OIB;
                *rule = "iso7064";
                return (uint32_t)k;
            }
            if (de) {
                *type = SW_PII_DE_TAX_ID;
                *rule = "iso7064+digits";
                return (uint32_t)k;
            }
            continue;
        }
        if (n == 15) {
            int luhn = sw_luhn_ok(d, n);
            int amex = d[0] == '3' && (d[1] == '4' || d[1] == '7');
            if (luhn &&
                (said_before(end, avail, k, imei_words, 24) ||
                 (!amex && !said_before(end, avail, k, imsi_words, 24)))) {
                *type = SW_PII_IMEI;
                *rule = "luhn";
                return (uint32_t)k;
            }
            if (plain && mcc_known(d) &&
                (!luhn || said_before(end, avail, k, imsi_words, 24))) {
                *type = SW_PII_IMSI;
                *rule = "mcc";
                return (uint32_t)k;
            }
        }
        if (n >= 12 && n <= 19 && sw_luhn_ok(d, n)) {
            const char *scheme = card_scheme(d, n);
            if (scheme) {
                *type = SW_PII_CARD;
                *rule = scheme;
                return (uint32_t)k;
            }
        }
    }
    return 0;
}

/* ---- IP and MAC addresses ---- */

static int ipv4_char(int c)
{
    return is_digit(c) || c == '.';
}

static const char *const version_words[] = {"version", "ver.", "release", "v.",
                                            NULL};

static uint32_t check_ipv4(const char *end, size_t avail, sw_pii_type *type,
                           const char **rule, uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t len = back_over(end, avail, ipv4_char, 15);
    const char *s = end - len;
    while (len && *s == '.') {
        s++;
        len--;
    }
    if (!starts_clear(end, avail, len) ||
        (len < avail && end[-(ptrdiff_t)len - 1] == '.'))
        return 0;
    int parts = 0, digits = 0, v = 0;
    for (const char *p = s; p <= end; p++) {
        if (p < end && is_digit((unsigned char)*p)) {
            if (digits && v == 0)
                return 0; /* a leading zero */
            v = v * 10 + (*p - '0');
            digits++;
            continue;
        }
        if (!digits || digits > 3 || v > 255)
            return 0;
        parts++;
        digits = 0;
        v = 0;
    }
    if (parts != 4 || said_before(end, avail, len, version_words, 12))
        return 0;
    *rule = "octets";
    return (uint32_t)len;
}

static int ipv6_char(int c)
{
    return is_hex(c) || c == ':';
}

static uint32_t check_ipv6(const char *end, size_t avail, sw_pii_type *type,
                           const char **rule, uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t len = back_over(end, avail, ipv6_char, 39);
    for (size_t k = len; k >= 3; k--) {
        const char *s = end - k;
        if (k < len && is_hex((unsigned char)s[-1]))
            continue;
        if (!starts_clear(end, avail, k))
            continue;
        char a[40];
        memcpy(a, s, k);
        a[k] = '\0';
        int colons = 0;
        for (size_t i = 0; i < k; i++)
            colons += a[i] == ':';
        if (colons < 2 || (colons < 7 && !strstr(a, "::")))
            continue;
        unsigned char bin[16];
        if (inet_pton(AF_INET6, a, bin) == 1) {
            *rule = "rfc4291";
            return (uint32_t)k;
        }
    }
    return 0;
}

static int mac_char(int c)
{
    return is_hex(c) || c == ':' || c == '-' || c == '.';
}

static uint32_t check_mac(const char *end, size_t avail, sw_pii_type *type,
                          const char **rule, uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t len = back_over(end, avail, mac_char, 17);
    if (len < 14)
        return 0;
    size_t k = len >= 17 ? 17 : 14;
    const char *s = end - k;
    if (!starts_clear(end, avail, k))
        return 0;
    if (k == 17) {
        char sep = s[2];
        if (sep != ':' && sep != '-')
            return 0;
        for (size_t i = 0; i < 17; i++)
            if (i % 3 == 2 ? s[i] != sep : !is_hex((unsigned char)s[i]))
                return 0;
    } else {
        for (size_t i = 0; i < 14; i++)
            if (i % 5 == 4 ? s[i] != '.' : !is_hex((unsigned char)s[i]))
                return 0;
    }
    *rule = "octets";
    return (uint32_t)k;
}

/* ---- national identifiers ---- */

static uint32_t check_nino(const char *end, size_t avail, sw_pii_type *type,
                           const char **rule, uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t len = back_over(end, avail, code_char, 13);
    for (size_t k = len; k >= 9; k--) {
        const char *s = end - k;
        if (!is_upper((unsigned char)s[0]) || !is_upper((unsigned char)s[1]) ||
            !starts_clear(end, avail, k))
            continue;
        char c[10];
        size_t n = 0;
        for (size_t i = 0; i < k && n < sizeof(c); i++)
            if (s[i] != ' ')
                c[n++] = s[i];
        if (n != 9 || strchr("DFIQUV", c[0]) || strchr("DFIOQUV", c[1]))
            continue;
        static const char *const bad[] = {"BG", "GB", "KN", "NK",
                                          "NT", "TN", "ZZ"};
        int refused = 0;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
            refused |= memcmp(c, bad[i], 2) == 0;
        int ok = !refused && c[8] >= 'A' && c[8] <= 'D';
        for (int i = 2; ok && i < 8; i++)
            ok = is_digit((unsigned char)c[i]);
        if (ok) {
            *rule = "prefix";
            return (uint32_t)k;
        }
    }
    return 0;
}

static uint32_t check_ssn(const char *end, size_t avail, sw_pii_type *type,
                          const char **rule, uint32_t *trim)
{
    (void)trim;
    (void)type;
    if (avail < 11 || !starts_clear(end, avail, 11))
        return 0;
    const char *s = end - 11;
    char d[12];
    if (digits_of(s, 11, d, sizeof(d)) != 9 || s[3] != '-' || s[6] != '-')
        return 0;
    int area = num(d, 3), group = num(d + 3, 2), serial = num(d + 5, 4);
    if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 ||
        strcmp(d, "078051120") == 0 || strcmp(d, "219099999") == 0)
        return 0;
    *rule = "area_group_serial";
    return 11;
}

/* ---- what the text says: a date of birth, a name ---- */

/* The end of the last of the words (case aside) within the bytes
 * before end, as bytes back from end (at least 1); 0 when none. The
 * nearest end is tried first, so the search stops at the first word. */
static size_t last_word(const char *end, size_t avail, size_t within,
                        const char *const *words)
{
    size_t room = avail < within ? avail : within;
    size_t lens[32], nw = 0;
    while (nw < sizeof(lens) / sizeof(lens[0]) && words[nw]) {
        lens[nw] = strlen(words[nw]);
        nw++;
    }
    for (size_t d = 1; d < room; d++) {
        int last = lower((unsigned char)end[-(ptrdiff_t)d - 1]);
        for (size_t w = 0; w < nw; w++) {
            size_t wl = lens[w];
            if (wl + d > room || (unsigned char)words[w][wl - 1] != last)
                continue;
            const char *from = end - d - wl;
            size_t j = 0;
            while (j < wl && lower((unsigned char)from[j]) ==
                                 lower((unsigned char)words[w][j]))
                j++;
            if (j == wl)
                return d;
        }
    }
    return 0;
}

static const char *const birth_words[] = {
    "born on",    "born",          "date of birth", "birth date",
    "birth",      "d.o.b.",        "d.o.b",         "dob",
    "birthday",   "rođen",         "rođena",        "rođen sam",
    "rođena sam", "datum rođenja", "geboren am",    NULL};

static const char *const months[] = {
    "jan",      "feb",    "mar",    "apr", "may", "jun",     "jul",
    "aug",      "sep",    "oct",    "nov", "dec", "siječ",   "velj",
    "ožu",      "trav",   "svib",   "lip", "srp", "kolovoz", "ruj",
    "listopad", "studen", "prosin", NULL};

static int has_word(const char *s, size_t n, const char *w)
{
    size_t wl = strlen(w);
    for (size_t i = 0; i + wl <= n; i++) {
        size_t j = 0;
        while (j < wl && lower((unsigned char)s[i + j]) == (unsigned char)w[j])
            j++;
        if (j == wl)
            return 1;
    }
    return 0;
}

/* A day 1-31, a month 1-12 (or its name) and a year 1900-2099 (or two
 * digits, read as 19xx). */
static int date_ok(const char *s, size_t n)
{
    char d[16];
    size_t k = digits_of(s, n, d, sizeof(d));
    int alpha = 0;
    for (size_t i = 0; i < n; i++)
        alpha |= is_alpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80;
    if (alpha) {
        int named = 0;
        for (size_t i = 0; months[i] && !named; i++)
            named = has_word(s, n, months[i]);
        if (!named || k < 5 || k > 6)
            return 0;
        int day = num(d, k - 4), year = num(d + k - 4, 4);
        return day >= 1 && day <= 31 && year >= 1900 && year <= 2099;
    }
    int day, month, year;
    if (k == 8 && n == 10 && s[4] == '-') { /* yyyy-mm-dd */
        year = num(d, 4);
        month = num(d + 4, 2);
        day = num(d + 6, 2);
    } else if (k >= 4 && k <= 8) {
        /* d.m.yyyy, one or two digits each for the day and the month */
        size_t g1 = 0, g2 = 0, i = 0;
        while (i < n && is_digit((unsigned char)s[i]))
            g1++, i++;
        i++;
        while (i < n && is_digit((unsigned char)s[i]))
            g2++, i++;
        if (g1 < 1 || g1 > 2 || g2 < 1 || g2 > 2 || k - g1 - g2 < 2)
            return 0;
        day = num(d, g1);
        month = num(d + g1, g2);
        year = num(d + g1 + g2, k - g1 - g2);
        if (k - g1 - g2 == 2)
            year += 1900;
        else if (k - g1 - g2 != 4)
            return 0;
    } else {
        return 0;
    }
    return day >= 1 && day <= 31 && month >= 1 && month <= 12 && year >= 1900 &&
           year <= 2099;
}

static uint32_t check_birth(const char *end, size_t avail, sw_pii_type *type,
                            const char **rule, uint32_t *trim)
{
    (void)trim;
    (void)type;
    size_t k = last_word(end, avail, 48, birth_words);
    if (!k)
        return 0;
    const char *s = end - k;
    while (k && (*s == ' ' || *s == ':' || *s == ',' || *s == '\t')) {
        s++;
        k--;
    }
    if (k < 6 || !is_digit((unsigned char)*s) || !date_ok(s, k))
        return 0;
    *rule = "context:birth";
    return (uint32_t)k;
}

static const char *const name_words[] = {
    "my name is",   "my name's",   "zovem se",     "ime mi je", "moje ime je",
    "regards,",     "regards",     "best wishes,", "thanks,",   "thank you,",
    "many thanks,", "cheers,",     "sincerely,",   "pozdrav,",  "pozdrav",
    "poštovanjem,", "poštovanjem", "srdačno,",     "hvala,",    NULL};

/* Words that begin with a capital but are not a name. */
static const char *const not_names[] = {
    "The",    "Team",       "Support", "Customer", "Service", "Sales",
    "Thanks", "Hello",      "Hi",      "Dear",     "Sent",    "From",
    "Tim",    "Korisnička", "Podrška", "Your",     "Our",     "Best",
    "Kind",   "Regards",    NULL};

static int utf8_lead_upper(const unsigned char *p, size_t n)
{
    if (n >= 1 && is_upper(p[0]))
        return 1;
    /* Č Ć Đ Š Ž (U+010C, U+0106, U+0110, U+0160, U+017D) */
    return n >= 2 &&
           ((p[0] == 0xC4 && (p[1] == 0x8C || p[1] == 0x86 || p[1] == 0x90)) ||
            (p[0] == 0xC5 && (p[1] == 0xA0 || p[1] == 0xBD)));
}

static uint32_t check_name(const char *end, size_t avail, sw_pii_type *type,
                           const char **rule, uint32_t *trim)
{
    (void)type;
    /* the pattern ends on the byte after the name: left out */
    if (!avail)
        return 0;
    end--;
    avail--;
    *trim = 1;
    size_t k = last_word(end, avail, 96, name_words);
    if (!k)
        return 0;
    const char *s = end - k;
    while (k &&
           (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == ',')) {
        s++;
        k--;
    }
    if (k < 2 || k > 64)
        return 0;
    /* one to three words, each capitalised, no line break inside */
    size_t words = 0, i = 0;
    while (i < k) {
        size_t w = i;
        while (i < k && s[i] != ' ')
            i++;
        size_t wl = i - w;
        if (wl < 2 || !utf8_lead_upper((const unsigned char *)s + w, wl))
            return 0;
        for (size_t j = w; j < i; j++)
            if (s[j] == '\n' || s[j] == '\r' || s[j] == '\t' ||
                is_digit((unsigned char)s[j]))
                return 0;
        for (size_t n = 0; not_names[n]; n++)
            if (strlen(not_names[n]) == wl &&
                memcmp(s + w, not_names[n], wl) == 0)
                return 0;
        words++;
        if (i < k)
            i++; /* the space */
    }
    if (words < 1 || words > 3)
        return 0;
    *rule = "context:name";
    return (uint32_t)k;
}

/* ---- the patterns ---- */

#define NAME_RE                                                                \
    "(?:[A-Z]|\xC4\x8C|\xC4\x86|\xC4\x90|\xC5\xA0|\xC5\xBD)"                   \
    "(?:[a-z]|\xC4\x8D|\xC4\x87|\xC4\x91|\xC5\xA1|\xC5\xBE|\xC3[\xA0-\xBF])+"

/* What follows a name: a space, a line's end or punctuation (so that a
 * name is reported once a word, not once a letter). */
#define NAME_END "[ \\t\\r\\n,.;:!?)]"

#define BIT(t) (1u << (t))
/* A validator that answers one type. */
#define V(t, check)                                                            \
    {                                                                          \
        t, BIT(t), check                                                       \
    }
/* The validator of digit runs, which tells five types apart. */
#define V_DIGITS                                                               \
    {                                                                          \
        SW_PII_CARD,                                                           \
            BIT(SW_PII_CARD) | BIT(SW_PII_IMEI) | BIT(SW_PII_IMSI) |           \
                BIT(SW_PII_HR_OIB) | BIT(SW_PII_DE_TAX_ID),                    \
            check_digits                                                       \
    }

/* Few patterns, each as cheap for vectorscan as it can be: the cost of a
 * database grows with every pattern that has no literal to anchor it, so
 * every type written as a run of digit groups shares one, and its
 * validators tell them apart (bench/bench_scan.sh measures the whole). */
static const scan_pattern patterns[] = {
    /* from the @ (the validator finds the local part before it) */
    {"@[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)*\\.[A-Za-z]{2,24}\\b",
     0,
     {V(SW_PII_EMAIL, check_email)}},
    {"\\+[1-9][0-9 ().\\-/]{5,24}[0-9]\\b",
     0,
     {V(SW_PII_PHONE, check_phone_intl)}},
    /* seven digits or more in groups: national phone numbers, cards,
     * IMEI, IMSI, OIB, tax ids, social security numbers, IBANs that end
     * in a digit */
    {"[0-9](?:[ .\\-/()]{0,2}[0-9]){6,}\\b",
     0,
     {V(SW_PII_PHONE, check_phone_national), V_DIGITS,
      V(SW_PII_US_SSN, check_ssn), V(SW_PII_IBAN, check_iban)}},
    /* IBANs that end in letters */
    {"[0-9] ?[A-Z]{1,4}\\b", 0, {V(SW_PII_IBAN, check_iban)}},
    {"[0-9]\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\b",
     0,
     {V(SW_PII_IPV4, check_ipv4)}},
    /* from the first colon (the validator finds the group before it) */
    {":[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]{0,32}[0-9A-Fa-f]\\b",
     0,
     {V(SW_PII_IPV6, check_ipv6)}},
    {"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}\\b", 0, {V(SW_PII_MAC, check_mac)}},
    {"[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}\\b", 0, {V(SW_PII_MAC, check_mac)}},
    {"[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\b",
     0,
     {V(SW_PII_MAC, check_mac)}},
    {"[0-9]{2} ?[A-D]\\b", 0, {V(SW_PII_UK_NINO, check_nino)}},
    {"(?:born|birth|d\\.?o\\.?b\\.?|birthday|ro\xC4\x91"
     "en|geboren)"
     "[^\\n]{0,24}(?:[0-9]{1,2}[./\\-][0-9]{1,2}[./\\-][0-9]{2,4}|"
     "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}\\.? ?[A-Za-z\xC4\x8D\xC5\xBE]{3,"
     "10}\\.? [0-9]{4})\\b",
     HS_FLAG_CASELESS,
     {V(SW_PII_BIRTH_DATE, check_birth)}},
    {"(?:name is|name's|zovem se|ime mi je|ime je)[ \\t]+" NAME_RE
     "(?:[ ]" NAME_RE "){0,2}" NAME_END,
     0,
     {V(SW_PII_NAME, check_name)}},
    {"(?:[Rr]egards|[Ww]ishes|[Tt]hanks|[Tt]hank you|[Cc]heers|[Ss]incerely|"
     "[Pp]ozdrav|po\xC5\xA1tovanjem|[Ss]rda\xC4\x8Dno|[Hh]vala),?[ \\t]*\\r?"
     "\\n[ \\t]*" NAME_RE "(?:[ ]" NAME_RE "){0,2}" NAME_END,
     0,
     {V(SW_PII_NAME, check_name)}},
};

const scan_pattern *sw_scan_patterns(size_t *n)
{
    *n = sizeof(patterns) / sizeof(patterns[0]);
    return patterns;
}

size_t sw_scan_normal(sw_pii_type t, const char *v, size_t len, char *out,
                      size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < n; i++) {
        unsigned char c = (unsigned char)v[i];
        switch (t) {
        case SW_PII_EMAIL:
        case SW_PII_NAME:
        case SW_PII_IPV6:
        case SW_PII_MAC:
            if (t == SW_PII_MAC && !is_hex(c))
                break;
            out[k++] = (char)lower(c);
            break;
        case SW_PII_BIRTH_DATE:
        case SW_PII_IPV4: out[k++] = (char)c; break;
        default: /* numbers and codes: letters and digits, upper case */
            if (is_alnum(c))
                out[k++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
            break;
        }
    }
    out[k] = '\0';
    return k;
}
