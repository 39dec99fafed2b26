/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Steward's SQL in PostgreSQL's spelling. Steward writes its SQL once, in
 * SQLite's dialect; the few words PostgreSQL spells otherwise are replaced
 * here, outside quoted text, once per prepared statement:
 *   ?N                  $N
 *   INTEGER             BIGINT (SQLite's integers are 64-bit)
 *   BLOB                BYTEA
 *   CAST(x AS BLOB)     convert_to(x, 'UTF8')  (a text's bytes)
 *   WITHOUT ROWID       (nothing: every table is clustered alike)
 * Keywords are matched in capitals, as steward writes them, so a column
 * named in lower case is never touched, nor a name in double quotes (a
 * connector's).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Whether in starts with the word w (not followed by a word character). */
static bool is_word(const char *in, const char *w)
{
    size_t n = strlen(w);
    return strncmp(in, w, n) == 0 && !word_char(in[n]);
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
    return p;
}

char *sw_pg_rewrite(const char *sql)
{
    size_t n = strlen(sql);
    char *out = malloc(2 * n + 64);
    if (!out)
        return NULL;
    char *w = out;
    const char *p = sql;
    while (*p) {
        if (*p == '\'' || *p == '"') { /* quoted text or a quoted name,
                                         doubled quotes included, as it is */
            char q = *p;
            *w++ = *p++;
            while (*p && !(*p == q && p[1] != q)) {
                if (*p == q)
                    *w++ = *p++;
                *w++ = *p++;
            }
            if (*p)
                *w++ = *p++;
            continue;
        }
        if (*p == '?' && isdigit((unsigned char)p[1])) {
            *w++ = '$';
            p++;
            continue;
        }
        if (!word_char(*p) || (p > sql && word_char(p[-1]))) {
            *w++ = *p++;
            continue;
        }
        if (is_word(p, "CAST") && *skip_space(p + 4) == '(') {
            /* CAST(expr AS BLOB), expr without parentheses */
            const char *open = skip_space(p + 4);
            const char *close = strchr(open, ')');
            const char *as = close ? strstr(open, " AS BLOB)") : NULL;
            if (as && as + 8 == close &&
                !memchr(open + 1, '(', (size_t)(as - open - 1))) {
                memcpy(w, "convert_to(", 11);
                w += 11;
                for (const char *q = open + 1; q < as; q++) /* ?N too */
                    *w++ = *q == '?' && isdigit((unsigned char)q[1]) ? '$' : *q;
                memcpy(w, ", 'UTF8')", 9);
                w += 9;
                p = close + 1;
                continue;
            }
        }
        if (is_word(p, "INTEGER")) {
            memcpy(w, "BIGINT", 6);
            w += 6;
            p += 7;
        } else if (is_word(p, "BLOB")) {
            memcpy(w, "BYTEA", 5);
            w += 5;
            p += 4;
        } else if (is_word(p, "WITHOUT") &&
                   is_word(skip_space(p + 7), "ROWID")) {
            p = skip_space(p + 7) + 5;
        } else {
            while (word_char(*p))
                *w++ = *p++;
        }
    }
    *w = '\0';
    return out;
}

int sw_pg_count_params(const char *sql)
{
    int max = 0;
    bool quoted = false;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'')
            quoted = !quoted;
        else if (!quoted && *p == '$' && isdigit((unsigned char)p[1])) {
            int v = atoi(p + 1);
            max = v > max ? v : max;
        }
    }
    return max;
}
