/* SPDX-License-Identifier: Apache-2.0 */
/* Shared command-line plumbing: options, messages, policy loading. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int set_now(cli *c, const char *text, const char *where)
{
    sw_instant t;
    sw_status st = sw_instant_parse(text, &t);
    if (st != SW_OK)
        return cli_usage(NULL,
                         "%s: '%s' is not an ISO-8601 UTC instant such as "
                         "2026-01-31T00:00:00Z (%s)",
                         where, text, sw_strerror(st));
    sw_clock_init_fixed(&c->clock, t);
    return 0;
}

int cli_init(cli *c)
{
    memset(c, 0, sizeof(*c));
    sw_clock_init_system(&c->clock);
    const char *p = getenv("STEWARD_POLICY");
    if (p && *p)
        c->policy_path = p;
    const char *now = getenv("STEWARD_NOW");
    if (now && *now)
        return set_now(c, now, "STEWARD_NOW");
    return 0;
}

int cli_common_option(cli *c, int opt, const char *arg, const char *cmd)
{
    switch (opt) {
    case OPT_POLICY: c->policy_path = arg; return 0;
    case OPT_NOW: return set_now(c, arg, "--now");
    case OPT_JSON: c->json = true; return 0;
    case OPT_HELP: return -1;
    default: return cli_usage(cmd, "unknown option");
    }
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("steward: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_REFUSED;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("steward: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'steward %s--help'.\n", cmd ? cmd : "");
    return EXIT_USAGE;
}

void cli_print_diags(FILE *f, const sw_diags *d)
{
    char line[1400];
    for (size_t i = 0; i < sw_diags_count(d); i++)
        fprintf(f, "%s\n", sw_diag_format(sw_diags_at(d, i), line,
                                          sizeof(line)));
}

int cli_load_policy(const cli *c, sw_policy **out)
{
    sw_diags *d = sw_diags_new();
    if (!d)
        return cli_fail("out of memory");
    sw_status st = c->policy_path
                       ? sw_policy_load_file(c->policy_path, d, out)
                       : sw_policy_load_bundled(d, out);
    cli_print_diags(stderr, d);
    sw_diags_free(d);
    if (st != SW_OK)
        return cli_fail("%s: policy not loaded (%s)",
                        c->policy_path ? c->policy_path
                                       : SW_POLICY_BUNDLED_NAME,
                        sw_strerror(st));
    return 0;
}

int cli_print_text(const char *text)
{
    size_t n = strlen(text);
    if (fwrite(text, 1, n, stdout) != n ||
        (n && text[n - 1] != '\n' && putchar('\n') == EOF))
        return cli_fail("cannot write output");
    return 0;
}
