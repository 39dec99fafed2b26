/* SPDX-License-Identifier: Apache-2.0 */
/* steward objection: add and override objections */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int do_object(cli *c, const cli_args *a)
{
    const char *cmd = "objection add ";
    sw_who who;
    sw_ident id;
    int rc = cli_who(a, cmd, &who, &id);
    if (rc)
        return rc;
    if (!a->v[O_PURPOSE])
        return cli_usage(cmd, "--purpose is required");
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    sw_objection_result r;
    if (sw_objection_add(s, &who, a->v[O_PURPOSE], &r) != SW_OK)
        rc = cli_store_fail(s, "objection not recorded");
    else if (c->json)
        rc = cli_print_json(json_pack("{s:s?, s:b, s:I}", "id",
                                      r.id[0] ? r.id : NULL, "suppressed",
                                      r.suppressed, "consents_withdrawn",
                                      (json_int_t)r.consents_withdrawn));
    else if (r.suppressed)
        printf("direct marketing: the address is on the suppression list "
               "(absolute objection)\n");
    else
        printf("%s: '%s' stops for this subject unless compelling grounds "
               "are recorded\n",
               r.id, a->v[O_PURPOSE]);
    cli_close_store(s, p);
    return rc;
}

static int do_override(cli *c, const cli_args *a)
{
    if (a->n_pos != 1 || !a->v[O_REASON])
        return cli_usage("objection override ",
                         "give the objection id and --reason");
    sw_store *s;
    sw_policy *p;
    int rc = cli_open_store(c, &s, &p);
    if (rc)
        return rc;
    if (sw_objection_override(s, a->pos[0], a->v[O_REASON]) != SW_OK)
        rc = cli_store_fail(s, "not overridden");
    else if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:b}", "id", a->pos[0], "overridden", 1));
    else
        printf("%s overridden\n", a->pos[0]);
    cli_close_store(s, p);
    return rc;
}

static const cli_verb objection_verbs[] = {
    {"add", do_object,
     "steward objection add --purpose P (--email E | --phone P | --subject "
     "ID) [--json]",
     "Records an objection (Art. 21). To direct marketing it is absolute:\n"
     "the address goes on the suppression list at once. To other processing\n"
     "on legitimate interests it stops it for the subject until the DPO\n"
     "records compelling grounds. Audited.",
     OPTS_WHO | OPT(O_PURPOSE), 0, 0},
    {"override", do_override,
     "steward objection override ID --reason TEXT [--json]",
     "Records the compelling legitimate grounds that override an objection\n"
     "(not possible for direct marketing). Audited.",
     OPT(O_REASON), 1, 0},
};

int cmd_objection(int argc, char **argv, cli *c)
{
    return cli_run_family("objection", argc, argv, c, objection_verbs,
                          sizeof(objection_verbs) / sizeof(objection_verbs[0]));
}
