/* SPDX-License-Identifier: Apache-2.0 */
/* steward audit verify|log */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static int do_verify(cli *c, const cli_args *a)
{
    char *checkpoint = NULL;
    if (a->v[O_CHECKPOINT] && !(checkpoint = cli_read_small(
                                    a->v[O_CHECKPOINT], 4096, "a checkpoint")))
        return EXIT_REFUSED;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc) {
        free(checkpoint);
        return rc;
    }
    sw_audit_verdict v;
    sw_status st = checkpoint ? sw_audit_verify_checkpoint(s, checkpoint, &v)
                              : sw_audit_verify(s, &v);
    if (st != SW_OK) {
        rc = cli_store_fail(s, "audit trail not verified");
    } else if (c->json) {
        json_t *o = sv_audit_verdict(&v);
        rc = cli_print_json(o);
        if (!rc && (!v.intact || v.out_of_order))
            rc = EXIT_REFUSED;
    } else if (!v.intact) {
        rc = cli_fail("audit trail broken at entry %lld: %s",
                      (long long)v.first_bad, v.reason);
    } else {
        printf("audit trail intact: %lld entries, head %s\n",
               (long long)v.entries, v.head);
        if (v.checkpoint)
            printf("checkpoint of entry %lld: signed by this store and still "
                   "in the trail: nothing up to it was removed or changed\n",
                   (long long)v.checkpoint_seq);
        if (v.travelled)
            printf("note: %lld entr%s written with the clock set to another "
                   "time (--now or STEWARD_NOW), the first #%lld: their time "
                   "is not when they were written\n",
                   (long long)v.travelled,
                   v.travelled == 1 ? "y was" : "ies were",
                   (long long)v.first_travelled);
        if (v.out_of_order)
            rc = cli_fail("%lld entr%s written with the system clock set "
                          "back, the first #%lld: the trail's times cannot be "
                          "trusted",
                          (long long)v.out_of_order,
                          v.out_of_order == 1 ? "y was" : "ies were",
                          (long long)v.first_out_of_order);
    }
    cli_close_store(s, p);
    free(checkpoint);
    return rc;
}

static int do_head(cli *c, const cli_args *a)
{
    (void)c;
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    char *text = NULL;
    if (sw_audit_checkpoint(s, &text) != SW_OK) {
        rc = cli_store_fail(s, "no checkpoint");
    } else if (a->v[O_OUT]) {
        FILE *f = fopen(a->v[O_OUT], "wx");
        if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0)
            rc = cli_fail("%s: %s", a->v[O_OUT], strerror(errno));
        else
            fprintf(stderr,
                    "checkpoint written to %s: keep it where the "
                    "store's administrators cannot write\n",
                    a->v[O_OUT]);
    } else {
        rc = cli_print_text(text);
    }
    free(text);
    cli_close_store(s, p);
    return rc;
}

static int print_entry(const sw_audit_entry *e, void *ctx)
{
    json_t *list = ctx;
    if (list) {
        json_array_append_new(list, sv_audit_entry(e));
        return 0;
    }
    char at[SW_INSTANT_BUFSZ];
    sw_instant_format(e->at, at);
    bool travel =
        e->has_written && (e->at - e->written_at > SW_AUDIT_TRAVEL_SECS ||
                           e->written_at - e->at > SW_AUDIT_TRAVEL_SECS);
    char written[SW_INSTANT_BUFSZ + 16] = "";
    if (travel) {
        char w[SW_INSTANT_BUFSZ];
        snprintf(written, sizeof(written), " (written %s)",
                 sw_instant_format(e->written_at, w));
    }
    printf("%6lld %s%s %-18s %-16s %s %s\n", (long long)e->seq, at, written,
           e->action, e->actor, e->objects, e->details);
    return 0;
}

static int do_log(cli *c, const cli_args *a)
{
    sw_audit_filter f = {false, 0, a->v[O_SUBJECT]};
    int rc;
    if (a->v[O_SINCE]) {
        if ((rc = cli_instant("--since", a->v[O_SINCE], &f.since)))
            return rc;
        f.has_since = true;
    }
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    json_t *list = c->json ? json_array() : NULL;
    if (sw_audit_log(s, &f, print_entry, list) != SW_OK) {
        rc = cli_store_fail(s, "audit log not read");
        json_decref(list);
    } else if (list) {
        rc = cli_print_json(json_pack("{s:o}", "entries", list));
    }
    cli_close_store(s, p);
    return rc;
}

static const cli_verb verbs[] = {
    {"verify", do_verify, "steward audit verify [--checkpoint FILE] [--json]",
     "Recomputes the audit hash chain and checks its sealed head (a MAC\n"
     "under the store key: a trail cut at its end is found). With\n"
     "--checkpoint, also checks a checkpoint of 'steward audit head': it\n"
     "must be signed by this store, and the trail must still hold its entry,\n"
     "so nothing up to it was removed. Exit 0 when intact; exit 1 naming the\n"
     "first broken entry, or when entries were written with the system\n"
     "clock set back. Entries written under time travel (--now) are noted.",
     OPT(O_CHECKPOINT), 0, 0},
    {"head", do_head, "steward audit head [--out FILE]",
     "Prints a checkpoint of the trail's head: one JSON line with the\n"
     "entry count, the head hash and the time, signed with the store's key\n"
     "(Ed25519). Keep it where the store's administrators cannot write (a\n"
     "ticket, a mail to the DPO, another machine); 'steward audit verify\n"
     "--checkpoint FILE' later proves nothing up to it was removed. --out\n"
     "writes it to a new file instead.",
     OPT(O_OUT), 0, 0},
    {"log", do_log,
     "steward audit log [--since INSTANT] [--subject ID] "
     "[--json]",
     "Lists audit entries, oldest first: sequence, time, action, actor,\n"
     "object ids and details (never personal values). An entry written under\n"
     "time travel shows the real time it was written too.",
     OPT(O_SINCE) | OPT(O_SUBJECT), 0, 0},
};

int cmd_audit(int argc, char **argv, cli *c)
{
    return cli_run_family("audit", argc, argv, c, verbs,
                          sizeof(verbs) / sizeof(verbs[0]));
}
