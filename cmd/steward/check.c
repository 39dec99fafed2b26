/* SPDX-License-Identifier: Apache-2.0 */
/* steward check: may a purpose be pursued for an address? why? */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

/* One JSON object on one line (NDJSON); takes the value's reference. */
static void print_line(json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (text)
        puts(text);
    free(text);
}

/* --file: one address per line (e-mail, or phone when it has no '@'). */
static int check_file(cli *c, sw_store *s, const sw_policy *p,
                      const char *purpose, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return cli_fail("%s: cannot open", path);
    char *line = NULL;
    size_t cap = 0, lineno = 0, allowed = 0, denied = 0, bad = 0;
    ssize_t len;
    int rc = 0;
    bool reading = false, tty = isatty(2);
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (tty && lineno % 100000 == 0)
            cli_progress_lines(lineno, NULL);
        /* a snapshot per 10 000 addresses: one lock, short-lived */
        if (lineno % 10000 == 1) {
            if (reading)
                sw_read_end(s);
            reading = sw_read_begin(s) == SW_OK;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        sw_ident id = {strchr(line, '@') ? "email" : "phone", line};
        sw_who who = {NULL, &id};
        sw_decision d;
        if (sw_decide(s, purpose, &who, &d) != SW_OK) {
            if (!sw_policy_purpose(p, purpose)) {
                rc = cli_store_fail(s, "no decision");
                break;
            }
            bad++;
            if (c->json)
                print_line(json_pack("{s:s, s:s}", "address", line, "error",
                                     sw_errmsg(s)));
            else
                fprintf(stderr, "steward: %s:%zu: %s\n", path, lineno,
                        sw_errmsg(s));
            continue;
        }
        d.allow ? allowed++ : denied++;
        if (c->json) {
            json_t *o = sv_decision(&d);
            json_object_set_new(o, "address", json_string(line));
            print_line(o);
        } else if (d.allow) {
            puts(line);
        }
    }
    if (reading)
        sw_read_end(s);
    free(line);
    if (f != stdin)
        fclose(f);
    if (!rc)
        fprintf(stderr, "%s%zu allowed, %zu denied, %zu malformed\n",
                tty && lineno >= 100000 ? "\n" : "", allowed, denied, bad);
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
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_decision d;
    if (a->v[O_FILE]) {
        rc = check_file(c, s, p, a->v[O_PURPOSE], a->v[O_FILE]);
    } else if (sw_decide(s, a->v[O_PURPOSE], &who, &d) != SW_OK) {
        rc = cli_store_fail(s, "no decision");
    } else if (c->json) {
        rc = cli_print_json(sv_decision(&d));
    } else {
        char text[320];
        printf("%s: %s\n", d.allow ? "allow" : "deny",
               sw_decision_text(&d, text, sizeof(text)));
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb check_verb = {
    "check",
    do_check,
    "steward check --purpose P (--email E | --phone P | --subject ID | "
    "--visitor V | --file FILE) [--json]",
    "Answers whether the purpose may be pursued for the address, and why:\n"
    "which consent or legitimate interest allows it, or which denial (no\n"
    "consent, withdrawn or expired, suppressed since DATE, objected,\n"
    "restricted, child, relationship ended). Writes nothing. With --file\n"
    "(one address per line, '-' for stdin) it prints the allowed addresses,\n"
    "or with --json one verdict per line; counts go to stderr.",
    OPTS_WHO | OPT(O_PURPOSE) | OPT(O_FILE),
    0,
    0};

int cmd_check(int argc, char **argv, cli *c)
{
    return cli_run_single(argc, argv, c, &check_verb);
}
