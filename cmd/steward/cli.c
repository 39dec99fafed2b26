/* SPDX-License-Identifier: Apache-2.0 */
/* Shared command-line plumbing: options, messages, policy and store. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Common options are numbered after the verbs' own. */
enum {
    C_POLICY = 1000,
    C_NOW,
    C_JSON,
    C_HELP,
    C_STORE,
    C_KEY,
    C_ACTOR,
    C_DEFAULT_COUNTRY,
};

/* A verb option's value for getopt: far from the characters getopt
 * returns itself (':' and '?' are 58 and 63) and from the C_ codes. */
#define OV(o) (2000 + (o))

static const struct option long_opts[] = {
    {"policy", required_argument, NULL, C_POLICY},
    {"now", required_argument, NULL, C_NOW},
    {"json", no_argument, NULL, C_JSON},
    {"help", no_argument, NULL, C_HELP},
    {"store", required_argument, NULL, C_STORE},
    {"key", required_argument, NULL, C_KEY},
    {"actor", required_argument, NULL, C_ACTOR},
    {"default-country", required_argument, NULL, C_DEFAULT_COUNTRY},
    {"strict", no_argument, NULL, OV(O_STRICT)},
    {"format", required_argument, NULL, OV(O_FORMAT)},
    {"rule", required_argument, NULL, OV(O_RULE)},
    {"trigger", required_argument, NULL, OV(O_TRIGGER)},
    {"country", required_argument, NULL, OV(O_COUNTRY)},
    {"kind", required_argument, NULL, OV(O_KIND)},
    {"account", required_argument, NULL, OV(O_ACCOUNT)},
    {"tenant", required_argument, NULL, OV(O_TENANT)},
    {"role", required_argument, NULL, OV(O_ROLE)},
    {"email", required_argument, NULL, OV(O_EMAIL)},
    {"phone", required_argument, NULL, OV(O_PHONE)},
    {"msisdn", required_argument, NULL, OV(O_MSISDN)},
    {"imsi", required_argument, NULL, OV(O_IMSI)},
    {"imei", required_argument, NULL, OV(O_IMEI)},
    {"ip", required_argument, NULL, OV(O_IP)},
    {"account-id", required_argument, NULL, OV(O_ACCOUNT_ID)},
    {"ident", required_argument, NULL, OV(O_IDENT)},
    {"subject", required_argument, NULL, OV(O_SUBJECT)},
    {"activity", required_argument, NULL, OV(O_ACTIVITY)},
    {"category", required_argument, NULL, OV(O_CATEGORY)},
    {"value", required_argument, NULL, OV(O_VALUE)},
    {"at", required_argument, NULL, OV(O_AT)},
    {"source", required_argument, NULL, OV(O_SOURCE)},
    {"type", required_argument, NULL, OV(O_TYPE)},
    {"record", required_argument, NULL, OV(O_RECORD)},
    {"since", required_argument, NULL, OV(O_SINCE)},
    {"scope", required_argument, NULL, OV(O_SCOPE)},
    {"reason", required_argument, NULL, OV(O_REASON)},
    {"dry-run", no_argument, NULL, OV(O_DRY_RUN)},
    {"batch", required_argument, NULL, OV(O_BATCH)},
    {"skip-bad", no_argument, NULL, OV(O_SKIP_BAD)},
    {"period", required_argument, NULL, OV(O_PERIOD)},
    {"status", required_argument, NULL, OV(O_STATUS)},
    {"all", no_argument, NULL, OV(O_ALL)},
    {"purpose", required_argument, NULL, OV(O_PURPOSE)},
    {"method", required_argument, NULL, OV(O_METHOD)},
    {"form", required_argument, NULL, OV(O_FORM)},
    {"born", required_argument, NULL, OV(O_BORN)},
    {"parental", no_argument, NULL, OV(O_PARENTAL)},
    {"channel", required_argument, NULL, OV(O_CHANNEL)},
    {"visitor", required_argument, NULL, OV(O_VISITOR)},
    {"analytics", required_argument, NULL, OV(O_ANALYTICS)},
    {"advertising", required_argument, NULL, OV(O_ADVERTISING)},
    {"gpc", no_argument, NULL, OV(O_GPC)},
    {"file", required_argument, NULL, OV(O_FILE)},
    {"regulation", required_argument, NULL, OV(O_REGULATION)},
    {"agent", required_argument, NULL, OV(O_AGENT)},
    {"agent-proof", required_argument, NULL, OV(O_AGENT_PROOF)},
    {"received", required_argument, NULL, OV(O_RECEIVED)},
    {"code", required_argument, NULL, OV(O_CODE)},
    {"overdue", no_argument, NULL, OV(O_OVERDUE)},
    {"due-within", required_argument, NULL, OV(O_DUE_WITHIN)},
    {"out", required_argument, NULL, OV(O_OUT)},
    {"child", no_argument, NULL, OV(O_CHILD)},
    {"label", required_argument, NULL, OV(O_LABEL)},
    {"checkpoint", required_argument, NULL, OV(O_CHECKPOINT)},
    {"event", required_argument, NULL, OV(O_EVENT)},
    {"jurisdiction", required_argument, NULL, OV(O_JURISDICTION)},
    {"year", required_argument, NULL, OV(O_YEAR)},
    {"instruction", required_argument, NULL, OV(O_INSTRUCTION)},
    {"recipient-kind", required_argument, NULL, OV(O_RECIPIENT_KIND)},
    {"recipient", required_argument, NULL, OV(O_RECIPIENT)},
    {"basis", required_argument, NULL, OV(O_BASIS)},
    {"reference", required_argument, NULL, OV(O_REFERENCE)},
    {"categories", required_argument, NULL, OV(O_CATEGORIES)},
    {"confidential-until", required_argument, NULL, OV(O_CONFIDENTIAL_UNTIL)},
    {"system", required_argument, NULL, OV(O_SYSTEM)},
    {"types", required_argument, NULL, OV(O_TYPES)},
    {"redact", required_argument, NULL, OV(O_REDACT)},
    {"sample", required_argument, NULL, OV(O_SAMPLE)},
    {"memory", required_argument, NULL, OV(O_MEMORY)},
    {NULL, 0, NULL, 0}};

/* The identifier type each identifier option stands for. */
static const char *ident_type(int opt)
{
    switch (opt) {
    case O_EMAIL: return "email";
    case O_PHONE: return "phone";
    case O_MSISDN: return "msisdn";
    case O_IMSI: return "imsi";
    case O_IMEI: return "imei";
    case O_IP: return "ip";
    case O_ACCOUNT_ID: return "account_id";
    default: return NULL;
    }
}

int cli_instant(const char *opt, const char *text, sw_instant *out)
{
    sw_status st = sw_instant_parse(text, out);
    if (st != SW_OK)
        return cli_usage(NULL,
                         "%s: '%s' is not an ISO-8601 UTC instant such as "
                         "2026-01-31T00:00:00Z (%s)",
                         opt, text, sw_strerror(st));
    return 0;
}

static int set_now(cli *c, const char *text, const char *where)
{
    sw_instant t;
    int rc = cli_instant(where, text, &t);
    if (rc)
        return rc;
    sw_clock_init_fixed(&c->clock, t);
    c->has_now = true;
    return 0;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int cli_init(cli *c)
{
    memset(c, 0, sizeof(*c));
    sw_clock_init_system(&c->clock);
    c->policy_path = env("STEWARD_POLICY");
    c->store_path = env("STEWARD_STORE");
    if (!c->store_path)
        c->store_path = "steward.db";
    c->key_path = env("STEWARD_KEY_FILE");
    c->actor = env("STEWARD_ACTOR");
    c->country = env("STEWARD_DEFAULT_COUNTRY");
    const char *now = env("STEWARD_NOW");
    return now ? set_now(c, now, "STEWARD_NOW") : 0;
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

static const char *opt_name(int code)
{
    for (const struct option *o = long_opts; o->name; o++)
        if (o->val == OV(code))
            return o->name;
    return "?";
}

/* Parses argv (argv[0] is the verb or command) for verb v. */
static int parse(int argc, char **argv, cli *c, const cli_verb *v,
                 const char *cmd, cli_args *a, bool *help)
{
    memset(a, 0, sizeof(*a));
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        if (opt == 'h') { /* -h is --help on every command and verb */
            *help = true;
            continue;
        }
        if (opt == '?')
            return cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
        if (opt == ':')
            return cli_usage(cmd, "option '%s' needs a value",
                             argv[optind - 1]);
        int rc = 0;
        switch (opt) {
        case C_POLICY: c->policy_path = optarg; continue;
        case C_NOW: rc = set_now(c, optarg, "--now"); break;
        case C_JSON: c->json = true; continue;
        case C_HELP: *help = true; continue;
        case C_STORE: c->store_path = optarg; continue;
        case C_KEY: c->key_path = optarg; continue;
        case C_ACTOR: c->actor = optarg; continue;
        case C_DEFAULT_COUNTRY: c->country = optarg; continue;
        default: break;
        }
        if (rc)
            return rc;
        if (opt < OV(0))
            continue;
        opt -= OV(0);
        if (!(opt < 64 ? v->opts & OPT(opt) : v->opts_hi & OPT_HI(opt)))
            return cli_usage(cmd, "option '--%s' does not apply to '%s'",
                             opt_name(opt), cmd);
        a->v[opt] = optarg;
        a->set[opt] = true;
        const char *type = ident_type(opt);
        if (type || opt == O_IDENT) {
            if (a->n_idents == CLI_MAX_IDENTS)
                return cli_usage(cmd, "too many identifiers");
            const char *value = optarg;
            if (opt == O_IDENT) {
                const char *eq = strchr(optarg, '=');
                if (!eq || eq == optarg || (size_t)(eq - optarg) >= 48)
                    return cli_usage(cmd, "--ident '%s': expected TYPE=VALUE",
                                     optarg);
                snprintf(a->ident_types[a->n_idents], 48, "%.*s",
                         (int)(eq - optarg), optarg);
                value = eq + 1;
            } else {
                snprintf(a->ident_types[a->n_idents], 48, "%s", type);
            }
            a->idents[a->n_idents].type = a->ident_types[a->n_idents];
            a->idents[a->n_idents].value = value;
            a->n_idents++;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (a->n_pos >= v->max_pos)
            return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
        a->pos[a->n_pos++] = argv[i];
    }
    return 0;
}

static void verb_help(const cli_verb *v)
{
    printf("usage: %s\n\n%s\n\nCommon options: --store PATH, --key FILE, "
           "--policy FILE, --now INSTANT,\n--actor NAME, --default-country "
           "CC, --json, --help.\n",
           v->usage, v->help);
}

int cli_run_single(int argc, char **argv, cli *c, const cli_verb *v)
{
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "%s ", argv[0]);
    cli_args a;
    bool help = false;
    int rc = parse(argc, argv, c, v, cmd, &a, &help);
    if (rc)
        return rc;
    if (help) {
        verb_help(v);
        return 0;
    }
    return v->fn(c, &a);
}

static void family_help(FILE *f, const char *family, const cli_verb *verbs,
                        size_t n)
{
    fprintf(f, "usage: steward %s <verb> [options]\n\n", family);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %s\n", verbs[i].usage);
    fprintf(f, "\nRun 'steward %s <verb> --help' for details.\n", family);
}

int cli_run_family(const char *family, int argc, char **argv, cli *c,
                   const cli_verb *verbs, size_t n)
{
    if (argc < 2) {
        family_help(stderr, family, verbs, n);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        family_help(stdout, family, verbs, n);
        return 0;
    }
    const cli_verb *v = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            v = &verbs[i];
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "%s ", family);
    if (!v)
        return cli_usage(cmd, "'%s' is not a %s verb", argv[1], family);
    snprintf(cmd, sizeof(cmd), "%s %s ", family, v->name);
    cli_args a;
    bool help = false;
    int rc = parse(argc - 1, argv + 1, c, v, cmd, &a, &help);
    if (rc)
        return rc;
    if (help) {
        verb_help(v);
        return 0;
    }
    return v->fn(c, &a);
}

void cli_print_diags(FILE *f, const sw_diags *d)
{
    char line[1400];
    for (size_t i = 0; i < sw_diags_count(d); i++)
        fprintf(f, "%s\n",
                sw_diag_format(sw_diags_at(d, i), line, sizeof(line)));
}

int cli_load_policy(const cli *c, sw_policy **out)
{
    sw_diags *d = sw_diags_new();
    if (!d)
        return cli_fail("out of memory");
    sw_status st = c->policy_path ? sw_policy_load_file(c->policy_path, d, out)
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

void cli_store_options(const cli *c, const sw_policy *p, sw_store_options *o,
                       char *actor, size_t n)
{
    sw_store_options_init(o);
    o->key_file = c->key_path;
    o->policy = p;
    o->clock = c->clock;
    o->default_country = c->country;
    if (c->actor) {
        o->actor = c->actor;
    } else {
        const char *user = getenv("USER");
        const struct passwd *pw = user ? NULL : getpwuid(geteuid());
        snprintf(actor, n, "cli:%s",
                 user ? user
                 : pw ? pw->pw_name
                      : "unknown");
        o->actor = actor;
    }
}

int cli_open_store(const cli *c, sw_store **s, sw_policy **p)
{
    *s = NULL;
    *p = NULL;
    int rc = c->policy_path ? cli_load_policy(c, p) : 0;
    if (rc)
        return rc;
    sw_store_options o;
    char actor[160];
    cli_store_options(c, *p, &o, actor, sizeof(actor));
    sw_error err;
    sw_status st = sw_store_open(c->store_path, &o, s, &err);
    if (st != SW_OK) {
        sw_policy_free(*p);
        *p = NULL;
        return cli_fail("%s", err.msg);
    }
    if (*p)
        return 0;
    /* no policy named: the one the store applies, or (for a store that
     * records none yet) the bundled one */
    bool recorded = false;
    if (sw_store_policy(*s, p) != SW_OK)
        rc = cli_store_fail(*s, "the store's policy");
    else if (!(recorded = *p != NULL))
        rc = cli_load_policy(c, p);
    if (!rc && sw_store_use_policy(*s, *p) != SW_OK)
        rc = cli_store_fail(*s, recorded ? "the store's policy"
                                         : "the bundled policy");
    if (rc) {
        cli_close_store(*s, *p);
        *s = NULL;
        *p = NULL;
    }
    return rc;
}

void cli_close_store(sw_store *s, sw_policy *p)
{
    sw_store_close(s);
    sw_policy_free(p);
}

int cli_store_fail(sw_store *s, const char *what)
{
    return cli_fail("%s: %s", what, sw_errmsg(s));
}

int cli_print_text(const char *text)
{
    size_t n = strlen(text);
    if (fwrite(text, 1, n, stdout) != n ||
        (n && text[n - 1] != '\n' && putchar('\n') == EOF))
        return cli_fail("cannot write output");
    return 0;
}

int cli_print_json(void *value)
{
    json_t *o = value;
    char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    int rc = s ? cli_print_text(s) : cli_fail("out of memory");
    free(s);
    return rc;
}

void cli_timeline_entry(void *list, const char *state, int width, sw_instant at,
                        const char *actor, const char *note,
                        const char *note_key)
{
    if (list) {
        json_array_append_new(list,
                              sv_change(state, at, actor, note, note_key));
    } else {
        char when[SW_INSTANT_BUFSZ];
        printf("  %s  %-*s by %s%s%s\n", sw_instant_format(at, when), width,
               state, actor, note[0] ? ": " : "", note);
    }
}

void cli_progress_lines(size_t n, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "\r%zu lines read", n);
}

void cli_progress_records(size_t n, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "\r%zu records swept", n);
}

/* Whom the command names: --subject, --email, --phone or --visitor. */
int cli_who(const cli_args *a, const char *cmd, sw_who *who, sw_ident *id)
{
    int n = a->set[O_SUBJECT] + a->set[O_EMAIL] + a->set[O_PHONE] +
            a->set[O_VISITOR];
    if (n != 1)
        return cli_usage(cmd, "give one of --subject, --email, --phone or "
                              "--visitor");
    memset(who, 0, sizeof(*who));
    if (a->set[O_SUBJECT]) {
        who->subject = a->v[O_SUBJECT];
        return 0;
    }
    id->type = a->set[O_EMAIL]   ? "email"
               : a->set[O_PHONE] ? "phone"
                                 : "visitor";
    id->value = a->v[a->set[O_EMAIL]   ? O_EMAIL
                     : a->set[O_PHONE] ? O_PHONE
                                       : O_VISITOR];
    who->ident = id;
    return 0;
}

char *cli_read_small(const char *path, size_t max, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_fail("%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = calloc(1, max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    bool more = buf && fgetc(f) != EOF;
    fclose(f);
    if (!buf || more || n == 0) {
        cli_fail("%s: %s%s%s", path,
                 !buf   ? "out of memory"
                 : more ? "larger than "
                        : "empty",
                 more ? what : "", more ? " may be" : "");
        free(buf);
        return NULL;
    }
    return buf;
}
