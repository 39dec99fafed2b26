/* SPDX-License-Identifier: Apache-2.0 */
/* steward: the command-line interface. Dispatches "steward <noun> <verb>". */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv, cli *c);
    const char *summary;
} commands[] = {
    {"policy", cmd_policy,
     "check, show and report on a policy (register, schedule, due dates)"},
    {"init", cmd_init, "create a store and its master key"},
    {"subject", cmd_subject,
     "add, find, show, erase, restrict and flag data subjects"},
    {"record", cmd_record, "add personal-data records"},
    {"event", cmd_event, "record lifecycle events that start retention clocks"},
    {"audit", cmd_audit, "verify and read the audit trail"},
    {"hold", cmd_hold, "place, release and list legal holds"},
    {"sweep", cmd_sweep, "delete what is due, and certify it"},
    {"retention", cmd_retention,
     "audit: what is kept, until when or why (nothing unexplained)"},
    {"traffic", cmd_traffic,
     "ingest, find and bill communication records; customers' instructions"},
    {"disclosure", cmd_disclosure,
     "record and list disclosures to authorities, courts, auditors"},
    {"system", cmd_system,
     "the company's own systems: check, a person's rows, erase (connectors)"},
    {"consent", cmd_consent,
     "give, confirm, withdraw and show consents; receipts"},
    {"objection", cmd_objection, "record objections; override with grounds"},
    {"unsubscribe", cmd_unsubscribe, "put an address on the suppression list"},
    {"suppression", cmd_suppression, "list the suppression list (hashes)"},
    {"check", cmd_check, "may a purpose be pursued for an address? why?"},
    {"scan", cmd_scan,
     "find personal data in free text, or write the text redacted"},
    {"cookie", cmd_cookie, "record a website visitor's cookie choices"},
    {"request", cmd_request,
     "data-subject requests: open, verify, extend, refuse, complete, list"},
    {"report", cmd_report, "reports: data-subject requests"},
    {"key", cmd_key, "API keys of stewardd: create (shown once), list, revoke"},
    {"calendar", cmd_calendar,
     "public holidays and working days the deadlines count on"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: steward <command> [<args>]\n\n"
            "steward enforces a privacy notice, encoded as a policy file, on "
            "personal data.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nOptions every command takes:\n"
               "  --policy FILE   policy to use (or STEWARD_POLICY; default: "
               "the one the store\n"
               "                  applies, else the bundled policy)\n"
               "  --store PATH    store to use (or STEWARD_STORE; default: "
               "./steward.db)\n"
               "  --key FILE      master key (or STEWARD_KEY_FILE; default: "
               "PATH.key)\n"
               "  --now INSTANT   pretend it is INSTANT (or STEWARD_NOW)\n"
               "  --json          print data as JSON\n"
               "  --help          help on the command\n\n"
               "Run 'steward <command> --help' for a command's verbs.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("steward %s\n", STEWARD_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            cli c;
            int rc = cli_init(&c);
            if (rc)
                return rc;
            return commands[i].fn(argc - 1, argv + 1, &c);
        }
    }
    return cli_usage(NULL, "'%s' is not a steward command", argv[1]);
}
