/* SPDX-License-Identifier: Apache-2.0 */
/* What every steward command shares: options, messages, the policy and
 * the store. Commands declare their verbs in a table; cli.c parses. */
#ifndef STEWARD_CLI_H
#define STEWARD_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "steward/steward.h"
#include "views.h"

/* Exit codes: 0 done, 1 refused or invalid input, 2 usage. */
/* Exit statuses: 0 done (allow, for steward check); 1 refused or failed;
 * 2 a usage error; 3 a decision's deny (steward check). */
enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_DENIED = 3 };

/* Every option of every command; a verb lists those it takes. */
typedef enum cli_opt {
    O_STRICT,
    O_FORMAT,
    O_RULE,
    O_TRIGGER,
    O_COUNTRY,
    O_KIND,
    O_ACCOUNT,
    O_TENANT,
    O_ROLE,
    O_EMAIL,
    O_PHONE,
    O_MSISDN,
    O_IMSI,
    O_IMEI,
    O_IP,
    O_ACCOUNT_ID,
    O_IDENT,
    O_SUBJECT,
    O_ACTIVITY,
    O_CATEGORY,
    O_VALUE,
    O_AT,
    O_SOURCE,
    O_TYPE,
    O_RECORD,
    O_SINCE,
    O_SCOPE,
    O_REASON,
    O_DRY_RUN,
    O_BATCH,
    O_SKIP_BAD,
    O_PERIOD,
    O_STATUS,
    O_ALL,
    O_PURPOSE,
    O_METHOD,
    O_FORM,
    O_BORN,
    O_PARENTAL,
    O_CHANNEL,
    O_VISITOR,
    O_ANALYTICS,
    O_ADVERTISING,
    O_GPC,
    O_FILE,
    O_REGULATION,
    O_AGENT,
    O_AGENT_PROOF,
    O_RECEIVED,
    O_CODE,
    O_OVERDUE,
    O_DUE_WITHIN,
    O_OUT,
    O_CHILD,
    O_LABEL,
    O_CHECKPOINT,
    O_EVENT,
    O_JURISDICTION,
    O_YEAR,
    O_INSTRUCTION,
    O_RECIPIENT_KIND,
    O_RECIPIENT,
    O_BASIS,
    O_REFERENCE,
    O_CATEGORIES,
    O_CONFIDENTIAL_UNTIL,
    O_SYSTEM,
    O_TYPES,
    O_REDACT,
    O_SAMPLE,
    O_MEMORY,
    O_COUNT_
} cli_opt;

/* A verb's options are two words of bits: OPT() for the first 64, OPT_HI()
 * (in cli_verb.opts_hi) for the others; each is 0 for an option of the
 * other word, so a list can be given to both (see disclosure.c). */
#define OPT(o) ((o) < 64 ? UINT64_C(1) << ((o)&63) : 0)
#define OPT_HI(o) ((o) >= 64 ? UINT64_C(1) << (((o)-64) & 63) : 0)
/* The options that name an identifier (subject add/find). */
#define OPTS_IDENT                                                             \
    (OPT(O_EMAIL) | OPT(O_PHONE) | OPT(O_MSISDN) | OPT(O_IMSI) | OPT(O_IMEI) | \
     OPT(O_IP) | OPT(O_ACCOUNT_ID) | OPT(O_IDENT))

#define CLI_MAX_IDENTS 32

typedef struct cli_args {
    const char *v[O_COUNT_]; /* last value of each option, or NULL */
    bool set[O_COUNT_];
    /* identifiers in the order given: type and value */
    size_t n_idents;
    sw_ident idents[CLI_MAX_IDENTS];
    char ident_types[CLI_MAX_IDENTS][48];
    const char *pos[4]; /* positional arguments */
    int n_pos;
} cli_args;

typedef struct cli {
    const char *policy_path; /* NULL: the bundled policy */
    const char *store_path;
    const char *key_path; /* NULL: <store>.key */
    const char *actor;
    const char *country;
    bool json;
    bool has_now;
    sw_clock clock;
} cli;

typedef struct cli_verb {
    const char *name;
    int (*fn)(cli *c, const cli_args *a);
    const char *usage;
    const char *help;
    uint64_t opts;    /* OPT() bits of the options it takes */
    int max_pos;      /* positional arguments it takes */
    uint64_t opts_hi; /* OPT_HI() bits of the others */
} cli_verb;

/* Sets defaults from the environment. Returns 0 or an exit code. */
int cli_init(cli *c);

/*
 * Runs "steward <family> <verb> [options]": finds the verb in the table,
 * parses the common options and the verb's own, and calls it. argv[0] is
 * the family name.
 */
int cli_run_family(const char *family, int argc, char **argv, cli *c,
                   const cli_verb *verbs, size_t n);
/* Runs a command that has no verbs ("steward init"): argv[0] is its name. */
int cli_run_single(int argc, char **argv, cli *c, const cli_verb *v);

/* Prints "steward: <message>" on stderr and returns EXIT_REFUSED. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the message and a pointer to --help; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_print_diags(FILE *f, const sw_diags *d);

/* Loads the chosen policy, printing its diagnostics. 0 or an exit code. */
int cli_load_policy(const cli *c, sw_policy **out);
/* Store options from the command line (actor: a buffer of n bytes that
 * must outlive o). */
void cli_store_options(const cli *c, const sw_policy *p, sw_store_options *o,
                       char *actor, size_t n);
/* Opens the chosen store with the policy (loaded too). 0 or an exit code;
 * release both with cli_close_store. */
int cli_open_store(const cli *c, sw_store **s, sw_policy **p);
void cli_close_store(sw_store *s, sw_policy *p);
/* Reports a failed library call on a store: "steward: <what>: <message>". */
int cli_store_fail(sw_store *s, const char *what);

/* Parses an instant option; 0 or EXIT_USAGE after printing why. */
int cli_instant(const char *opt, const char *text, sw_instant *out);

/* Progress lines on stderr (when it is a terminal): "\rN lines read",
 * "\rN records swept". */
void cli_progress_lines(size_t n, void *ctx);
void cli_progress_records(size_t n, void *ctx);
/* One entry of a timeline (consent history, request timeline): appended
 * to list when it is a JSON array, else printed as a line. note_key names
 * the note in JSON. */
void cli_timeline_entry(void *list, const char *state, int width, sw_instant at,
                        const char *actor, const char *note,
                        const char *note_key);

/* Writes text and a final newline if it lacks one; returns 0 or 1. */
int cli_print_text(const char *text);
/* The whole text of a small file (at most max bytes: a checkpoint, a
 * signed receipt, what names it in the message); NULL after saying why. */
char *cli_read_small(const char *path, size_t max, const char *what);
/* Prints a JSON value (pretty) and frees it; returns 0 or 1. */
int cli_print_json(void *json_t_value);

/* Options that name whom a consent command is about, and whom they name:
 * one of --subject, --email, --phone or --visitor (id: the identifier's
 * storage). Non-zero after printing the usage error. */
#define OPTS_WHO (OPT(O_SUBJECT) | OPT(O_EMAIL) | OPT(O_PHONE) | OPT(O_VISITOR))
int cli_who(const cli_args *a, const char *cmd, sw_who *who, sw_ident *id);

#endif
