/* SPDX-License-Identifier: Apache-2.0 */
#include "core/checksum.h"

bool sw_luhn_ok(const char *d, size_t n)
{
    if (!n)
        return false;
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int x = d[n - 1 - i] - '0';
        if (x < 0 || x > 9)
            return false;
        if (i % 2 == 1) {
            x *= 2;
            if (x > 9)
                x -= 9;
        }
        sum += x;
    }
    return sum % 10 == 0;
}

static int iban_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return -1;
}

bool sw_iban_mod97_ok(const char *s, size_t n)
{
    if (n < 5)
        return false;
    unsigned r = 0;
    for (size_t k = 0; k < n; k++) {
        int v = iban_value(s[(k + 4) % n]);
        if (v < 0)
            return false;
        r = (unsigned)(v < 10 ? (r * 10 + (unsigned)v) % 97
                              : (r * 100 + (unsigned)v) % 97);
    }
    return r == 1;
}

bool sw_iso7064_11_10_ok(const char *d, size_t n)
{
    if (n < 2)
        return false;
    int p = 10;
    for (size_t i = 0; i + 1 < n; i++) {
        int x = d[i] - '0';
        if (x < 0 || x > 9)
            return false;
        int s = (x + p) % 10;
        if (s == 0)
            s = 10;
        p = (s * 2) % 11;
    }
    int check = 11 - p;
    if (check == 10)
        check = 0;
    return d[n - 1] - '0' == check;
}
