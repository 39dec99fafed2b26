/* SPDX-License-Identifier: Apache-2.0 */
/* Identifier normalisation: one canonical form per type before blind
 * indexing, so "Ann@Example.com " and "ann@example.com" are one person. */
#include "steward/ident.h"
#include "core/checksum.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char iso[3];
    const char *code;
} calling_codes[] = {
    {"AD", "376"}, {"AE", "971"}, {"AL", "355"}, {"AR", "54"},  {"AT", "43"},
    {"AU", "61"},  {"BA", "387"}, {"BE", "32"},  {"BG", "359"}, {"BR", "55"},
    {"CA", "1"},   {"CH", "41"},  {"CL", "56"},  {"CN", "86"},  {"CO", "57"},
    {"CY", "357"}, {"CZ", "420"}, {"DE", "49"},  {"DK", "45"},  {"EE", "372"},
    {"EG", "20"},  {"ES", "34"},  {"FI", "358"}, {"FR", "33"},  {"GB", "44"},
    {"GR", "30"},  {"HK", "852"}, {"HR", "385"}, {"HU", "36"},  {"ID", "62"},
    {"IE", "353"}, {"IL", "972"}, {"IN", "91"},  {"IS", "354"}, {"IT", "39"},
    {"JP", "81"},  {"KE", "254"}, {"KR", "82"},  {"LI", "423"}, {"LT", "370"},
    {"LU", "352"}, {"LV", "371"}, {"MA", "212"}, {"MC", "377"}, {"MD", "373"},
    {"ME", "382"}, {"MK", "389"}, {"MT", "356"}, {"MX", "52"},  {"MY", "60"},
    {"NG", "234"}, {"NL", "31"},  {"NO", "47"},  {"NZ", "64"},  {"PE", "51"},
    {"PH", "63"},  {"PK", "92"},  {"PL", "48"},  {"PT", "351"}, {"RO", "40"},
    {"RS", "381"}, {"SA", "966"}, {"SE", "46"},  {"SG", "65"},  {"SI", "386"},
    {"SK", "421"}, {"SM", "378"}, {"TH", "66"},  {"TR", "90"},  {"TW", "886"},
    {"UA", "380"}, {"US", "1"},   {"VA", "379"}, {"VN", "84"},  {"ZA", "27"},
};

const char *sw_country_calling_code(const char *iso2)
{
    for (size_t i = 0;
         iso2 && i < sizeof(calling_codes) / sizeof(calling_codes[0]); i++)
        if (strcasecmp(calling_codes[i].iso, iso2) == 0)
            return calling_codes[i].code;
    return NULL;
}

bool sw_ident_type_valid(const char *t)
{
    if (!t || !islower((unsigned char)*t) || strlen(t) > 40)
        return false;
    for (const char *p = t; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
              *p == '_' || *p == '.' || *p == '-'))
            return false;
    return true;
}

/* Copies value without leading and trailing white space; false if empty or
 * too long or holding control characters. */
static bool trimmed(const char *v, char *out)
{
    while (isspace((unsigned char)*v))
        v++;
    size_t n = strlen(v);
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    if (n == 0 || n >= SW_IDENT_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (iscntrl((unsigned char)v[i]))
            return false;
    memcpy(out, v, n);
    out[n] = '\0';
    return true;
}

static sw_status bad(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sw_status bad(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return SW_ERR_INVALID;
}

/* Character classes of an e-mail address, for one pass over it. */
enum { C_SPACE = 1, C_CTRL = 2, C_UPPER = 4, C_BAD = 8 };

/* email_classes[ch]: white space (also bad inside an address), control,
 * upper case, not allowed in an address. */
static const unsigned char email_classes[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 9, 9, 9, 9, 9, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 9, 0, 8, 0, 0, 0, 0, 0, 8, 8, 0, 0, 8, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 0, 8, 0, 0, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 8, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static unsigned char email_class(unsigned char ch)
{
    return email_classes[ch];
}

/* One pass over the address: trimmed, lower-cased (ASCII), checked. A hot
 * path: every purpose decision normalises the address it is asked about. */
static sw_status norm_email(const char *v, char *out, char *why, size_t n)
{
    const unsigned char *p = (const unsigned char *)v;
    while (email_class(*p) & C_SPACE)
        p++;
    size_t len = 0, ats = 0, at = 0, dots_after = 0, first_bad = SIZE_MAX;
    for (; *p && len < SW_IDENT_MAX; p++) {
        unsigned char ch = *p, k = email_class(ch);
        if (k & C_CTRL)
            return bad(why, n, "%s '%s' holds a control character",
                       "e-mail address", v);
        if (k & C_UPPER)
            ch = (unsigned char)(ch + ('a' - 'A'));
        if ((k & C_BAD) && first_bad == SIZE_MAX)
            first_bad = len;
        if (ch == '@') {
            ats++;
            at = len;
            dots_after = 0;
        } else if (ch == '.') {
            dots_after++;
        }
        out[len++] = (char)ch;
    }
    if (*p) /* SW_IDENT_MAX bytes and more */
        return bad(why, n, "%s '%.40s...' is too long", "e-mail address", v);
    while (len && (email_class((unsigned char)out[len - 1]) & C_SPACE))
        len--;
    if (len == 0)
        return bad(why, n, "%s '%s' is empty or too long", "e-mail address", v);
    out[len] = '\0';
    if (ats != 1 || at == 0 || at + 1 >= len)
        return bad(why, n,
                   "%s '%s' needs exactly one '@' between a name and "
                   "a domain",
                   "e-mail address", v);
    if (first_bad < len || !dots_after || out[at + 1] == '.' ||
        out[len - 1] == '.' || at > 64)
        return bad(why, n, "%s '%s' is not a valid address", "e-mail address",
                   v);
    return SW_OK;
}

/* Digits of v, with the separators people type dropped; '+' kept first. */
static bool digits_of(const char *v, char *out, size_t cap, bool plus_ok)
{
    size_t k = 0;
    while (isspace((unsigned char)*v))
        v++;
    for (const char *p = v; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (k + 1 >= cap)
                return false;
            out[k++] = *p;
        } else if (*p == '+' && plus_ok && k == 0 && p == v) {
            out[k++] = '+';
        } else if (!strchr(" -.()/\t", *p)) {
            return false;
        }
    }
    out[k] = '\0';
    return k > 0;
}

static sw_status norm_phone(const char *type, const char *v,
                            const char *country, char *out, char *why, size_t n)
{
    char d[64];
    if (!digits_of(v, d, sizeof(d), true))
        return bad(why, n,
                   "%s '%s' holds characters other than digits, '+' "
                   "and separators",
                   type, v);
    char num[64];
    if (d[0] == '+') {
        snprintf(num, sizeof(num), "%s", d + 1);
    } else if (d[0] == '0' && d[1] == '0') {
        snprintf(num, sizeof(num), "%s", d + 2);
    } else {
        const char *cc = sw_country_calling_code(country);
        if (!cc) {
            if (!country)
                return bad(why, n,
                           "%s '%s' is national: give it with '+' and "
                           "the country code, or a default country",
                           type, v);
            snprintf(why, n, "%s '%s': unknown default country '%s'", type, v,
                     country);
            return SW_ERR_INVALID;
        }
        const char *national = d;
        bool keeps_zero = strcmp(cc, "39") == 0 || strcmp(cc, "378") == 0 ||
                          strcmp(cc, "379") == 0;
        if (national[0] == '0' && !keeps_zero)
            national++; /* the trunk prefix */
        else if (strcmp(cc, "1") == 0 && strlen(national) == 11 &&
                 national[0] == '1')
            national++;
        snprintf(num, sizeof(num), "%s%s", cc, national);
    }
    size_t len = strlen(num);
    if (len < 7)
        return bad(why, n, "%s '%s' has too few digits for E.164", type, v);
    if (len > 15)
        return bad(why, n, "%s '%s' has more than the 15 digits E.164 allows",
                   type, v);
    if (num[0] == '0')
        return bad(why, n, "%s '%s' has no valid country code", type, v);
    snprintf(out, SW_IDENT_MAX, "+%s", num);
    return SW_OK;
}

static sw_status norm_imei(const char *v, char *out, char *why, size_t n)
{
    char d[64];
    if (!digits_of(v, d, sizeof(d), false))
        return bad(why, n, "%s '%s' holds characters other than digits", "IMEI",
                   v);
    if (strlen(d) != 15)
        return bad(why, n,
                   "%s '%s' must have 15 digits (14 and the check "
                   "digit)",
                   "IMEI", v);
    if (!sw_luhn_ok(d, strlen(d)))
        return bad(why, n, "%s '%s' fails its check digit", "IMEI", v);
    snprintf(out, SW_IDENT_MAX, "%s", d);
    return SW_OK;
}

static sw_status norm_imsi(const char *v, char *out, char *why, size_t n)
{
    char d[64];
    if (!digits_of(v, d, sizeof(d), false))
        return bad(why, n, "%s '%s' holds characters other than digits", "IMSI",
                   v);
    size_t len = strlen(d);
    if (len < 6 || len > 15)
        return bad(why, n, "%s '%s' must have 6 to 15 digits", "IMSI", v);
    snprintf(out, SW_IDENT_MAX, "%s", d);
    return SW_OK;
}

static sw_status norm_ip(const char *v, char *out, char *why, size_t n)
{
    char t[SW_IDENT_MAX];
    unsigned char bin[16];
    if (!trimmed(v, t))
        return bad(why, n, "%s '%s' is empty", "IP address", v);
    if (inet_pton(AF_INET, t, bin) == 1)
        inet_ntop(AF_INET, bin, out, SW_IDENT_MAX);
    else if (inet_pton(AF_INET6, t, bin) == 1)
        inet_ntop(AF_INET6, bin, out, SW_IDENT_MAX);
    else
        return bad(why, n, "%s '%s' is neither IPv4 nor IPv6", "IP address", v);
    return SW_OK;
}

const char *sw_ident_space(const char *type)
{
    return type && strcmp(type, "msisdn") == 0 ? "phone" : type;
}

sw_status sw_ident_normalise(const char *type, const char *value,
                             const char *default_country, char *out, char *why,
                             size_t whyn)
{
    if (!sw_ident_type_valid(type)) {
        snprintf(why, whyn,
                 "identifier type '%s' is malformed (lower-case "
                 "letters, digits, '_', '.', '-')",
                 type ? type : "");
        return SW_ERR_INVALID;
    }
    if (!value)
        value = "";
    if (strcmp(type, "email") == 0)
        return norm_email(value, out, why, whyn);
    if (strcmp(type, "phone") == 0 || strcmp(type, "msisdn") == 0)
        return norm_phone(strcmp(type, "phone") == 0 ? "phone number"
                                                     : "MSISDN",
                          value, default_country, out, why, whyn);
    if (strcmp(type, "imei") == 0)
        return norm_imei(value, out, why, whyn);
    if (strcmp(type, "imsi") == 0)
        return norm_imsi(value, out, why, whyn);
    if (strcmp(type, "ip") == 0)
        return norm_ip(value, out, why, whyn);
    if (!trimmed(value, out))
        return bad(why, whyn,
                   "%s '%s' is empty, too long or holds control "
                   "characters",
                   type, value);
    return SW_OK;
}
