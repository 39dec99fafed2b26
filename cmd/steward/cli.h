/* SPDX-License-Identifier: Apache-2.0 */
/* What every steward command shares: options, messages, policy loading. */
#ifndef STEWARD_CLI_H
#define STEWARD_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "steward/steward.h"

/* Exit codes: 0 done, 1 refused or invalid input, 2 usage. */
enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

typedef struct cli {
    const char *policy_path; /* NULL: the bundled policy */
    bool json;
    sw_clock clock;
} cli;

/* Options every command accepts; add them to a command's table with
 * CLI_COMMON_OPTIONS and hand unknown option codes to cli_common_option. */
enum {
    OPT_POLICY = 1000,
    OPT_NOW,
    OPT_JSON,
    OPT_HELP,
    OPT_FIRST_LOCAL, /* commands number their own options from here */
};
#define CLI_COMMON_OPTIONS                                                    \
    {"policy", required_argument, NULL, OPT_POLICY},                          \
        {"now", required_argument, NULL, OPT_NOW},                            \
        {"json", no_argument, NULL, OPT_JSON},                                \
        {"help", no_argument, NULL, OPT_HELP}

/* Sets defaults from the environment (STEWARD_POLICY, STEWARD_NOW).
 * Returns 0, or an exit code after printing why. */
int cli_init(cli *c);
/* Handles a common option. Returns 0 when handled, -1 for OPT_HELP (the
 * caller prints its help and exits 0), or an exit code after an error. */
int cli_common_option(cli *c, int opt, const char *arg, const char *cmd);

/* Prints "steward: <message>" on stderr and returns EXIT_REFUSED. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the message and a pointer to --help; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints each diagnostic on its own line to f. */
void cli_print_diags(FILE *f, const sw_diags *d);

/* Loads the policy chosen by --policy / STEWARD_POLICY / the bundled one,
 * printing its diagnostics. Returns 0 with *out set, or an exit code. */
int cli_load_policy(const cli *c, sw_policy **out);

/* Writes text and a final newline if it lacks one; returns 0 or 1. */
int cli_print_text(const char *text);

#endif
