/* SPDX-License-Identifier: Apache-2.0 */
/* steward check: may a purpose be pursued for an address? why? */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"

/* One line of NDJSON, text taken (NULL: the line was not UTF-8, which
 * jansson cannot quote: it is answered all the same). */
static void print_text(char *text)
{
    puts(text ? text
              : "{\"address\":null,\"error\":\"the line is not UTF-8\"}");
    free(text);
}

/* One JSON object on one line; takes the value's reference (NULL: the
 * line was not UTF-8). */
static void print_line(json_t *o)
{
    print_text(o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL);
    json_decref(o);
}

#define CHUNK_LINES 4096

/* The lines of one chunk of the list, kept until their decisions are
 * printed. */
typedef struct chunk {
    sw_decide_item items[CHUNK_LINES];
    size_t lineno[CHUNK_LINES];
    size_t at[CHUNK_LINES]; /* where each line starts in text */
    char *text;             /* every line, NUL-separated */
    size_t n, used, cap;
    sv_line_memo memo; /* --json: the text of the last decision */
} chunk;

static bool chunk_add(chunk *k, const char *line, size_t len, size_t lineno)
{
    if (!sv_reserve(&k->text, &k->cap, k->used + len + 1))
        return false;
    memcpy(k->text + k->used, line, len + 1);
    k->at[k->n] = k->used; /* a pointer once the chunk is full (text moves) */
    k->items[k->n].id.type = memchr(line, '@', len) ? "email" : "phone";
    k->lineno[k->n] = lineno;
    k->used += len + 1;
    k->n++;
    return true;
}

typedef struct tally {
    size_t allowed, denied, bad;
} tally;

/* Decides the chunk in one batch and prints it in order. */
static int chunk_decide(cli *c, sw_store *s, const char *purpose,
                        const char *path, chunk *k, tally *t)
{
    for (size_t i = 0; i < k->n; i++)
        k->items[i].id.value = k->text + k->at[i];
    if (sw_decide_batch(s, purpose, k->items, k->n) != SW_OK)
        return cli_store_fail(s, "no decision");
    for (size_t i = 0; i < k->n; i++) {
        const sw_decide_item *it = &k->items[i];
        if (it->st != SW_OK) {
            t->bad++;
            if (c->json)
                print_line(json_pack("{s:s, s:s}", "address", it->id.value,
                                     "error", it->why));
            else
                fprintf(stderr, "steward: %s:%zu: %s\n", path, k->lineno[i],
                        it->why);
            continue;
        }
        it->d.allow ? t->allowed++ : t->denied++;
        if (c->json) {
            print_text(sv_decision_line(&k->memo, &it->d, it->id.value,
                                        JSON_COMPACT | JSON_SORT_KEYS));
        } else if (it->d.allow) {
            puts(it->id.value);
        }
    }
    k->n = 0;
    k->used = 0;
    return 0;
}

/* Reads the decision facts into memory when expect decisions pay for it;
 * *try_at: the line to ask again at (0: never), for a stream. */
static int warm(sw_store *s, size_t expect, size_t mib, size_t *try_at)
{
    sw_decide_warmth w;
    if (!mib) {
        *try_at = 0;
        return 0;
    }
    if (sw_decide_warm(s, expect, mib << 20, &w) != SW_OK)
        return cli_store_fail(s, "reading the decision facts");
    *try_at = w.warm || *try_at == 0 || w.too_large ? 0 : *try_at * 2;
    return 0;
}

/* --file: one address per line (e-mail, or phone when it has no '@'),
 * decided in batches of CHUNK_LINES, printed in the list's order. */
static int check_file(cli *c, sw_store *s, const char *purpose,
                      const char *path, size_t mib)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return cli_fail("%s: cannot open", path);
    chunk *k = calloc(1, sizeof(*k));
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    tally t = {0, 0, 0};
    ssize_t len;
    int rc = k ? 0 : cli_fail("out of memory");
    bool tty = isatty(2);
    /* the facts go to memory when the list is long against the store: a
     * file's length tells at once, a stream's as it grows */
    struct stat sb;
    size_t try_at = 0;
    if (f == stdin || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        try_at = CHUNK_LINES;
    else if (!rc)
        rc = warm(s, (size_t)sb.st_size / 24 + 1, mib, &try_at);
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (lineno == try_at)
            rc = warm(s, lineno, mib, &try_at);
        if (tty && lineno % 100000 == 0)
            cli_progress_lines(lineno, NULL);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        if (!chunk_add(k, line, (size_t)len, lineno))
            rc = cli_fail("out of memory");
        else if (k->n == CHUNK_LINES)
            rc = chunk_decide(c, s, purpose, path, k, &t);
    }
    if (!rc && k->n)
        rc = chunk_decide(c, s, purpose, path, k, &t);
    if (!rc && ferror(f))
        rc = cli_fail("%s: read error after line %zu", path, lineno);
    if (k) {
        free(k->text);
        sv_line_memo_free(&k->memo);
    }
    free(k);
    free(line);
    if (f != stdin)
        fclose(f);
    sw_decide_warmth w;
    sw_decide_warmth_of(s, &w);
    if (!rc && w.warm)
        fprintf(stderr,
                "%s%zu allowed, %zu denied, %zu malformed (decided in memory: "
                "%zu subjects, %zu addresses, %zu MiB)\n",
                tty && lineno >= 100000 ? "\n" : "", t.allowed, t.denied, t.bad,
                w.subjects, w.addresses, (w.bytes + (1 << 19)) >> 20);
    else if (!rc)
        fprintf(stderr, "%s%zu allowed, %zu denied, %zu malformed\n",
                tty && lineno >= 100000 ? "\n" : "", t.allowed, t.denied,
                t.bad);
    return rc;
}

static int do_check(cli *c, const cli_args *a)
{
    const char *cmd = "check ";
    if (!a->v[O_PURPOSE])
        return cli_usage(cmd, "--purpose is required");
    sw_who who;
    sw_ident id;
    int rc = 0;
    if (!a->v[O_FILE] && (rc = cli_who(a, cmd, &who, &id)))
        return rc;
    size_t mib = 1024;
    if (a->v[O_MEMORY]) {
        char *end;
        unsigned long long v = strtoull(a->v[O_MEMORY], &end, 10);
        if (a->v[O_MEMORY][0] < '0' || a->v[O_MEMORY][0] > '9' || *end ||
            v > (1ull << 30))
            return cli_usage(cmd,
                             "--memory '%s': expected a whole number of MiB "
                             "(0: decide from the store)",
                             a->v[O_MEMORY]);
        mib = (size_t)v;
    }
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_decision d = {0};
    if (a->v[O_FILE]) {
        rc = check_file(c, s, a->v[O_PURPOSE], a->v[O_FILE], mib);
    } else if (sw_decide(s, a->v[O_PURPOSE], &who, &d) != SW_OK) {
        rc = cli_store_fail(s, "no decision");
    } else if (c->json) {
        rc = cli_print_json(sv_decision(&d));
    } else {
        char text[320];
        printf("%s: %s\n", d.allow ? "allow" : "deny",
               sw_decision_text(&d, text, sizeof(text)));
    }
    if (!rc && !a->v[O_FILE] && !d.allow)
        rc = EXIT_DENIED;
    cli_close_store(s, p);
    return rc;
}

static const cli_verb check_verb = {
    "check",
    do_check,
    "steward check --purpose P (--email E | --phone P | --subject ID | "
    "--visitor V | --file FILE [--memory MIB]) [--json]",
    "Answers whether the purpose may be pursued for the address, and why:\n"
    "which consent or legitimate interest allows it, or which denial (no\n"
    "consent, withdrawn or expired, suppressed since DATE, objected,\n"
    "restricted, child, relationship ended). Writes nothing. With --file\n"
    "(one address per line, '-' for stdin) it prints the allowed addresses,\n"
    "or with --json one verdict per line; counts go to stderr. A list long\n"
    "against the store is decided from its facts read into memory at once\n"
    "(at most --memory MIB, default 1024, 0: never; stderr says how much),\n"
    "with the same answers.\n"
    "Exit status: 0 allow (and a list decided), 3 deny, 1 when no decision\n"
    "could be made (an unknown purpose, a malformed address), 2 on a usage\n"
    "error.",
    OPTS_WHO | OPT(O_PURPOSE) | OPT(O_FILE),
    0,
    OPT_HI(O_MEMORY)};

int cmd_check(int argc, char **argv, cli *c)
{
    return cli_run_single(argc, argv, c, &check_verb);
}
