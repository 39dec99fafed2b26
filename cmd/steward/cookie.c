/* SPDX-License-Identifier: Apache-2.0 */
/* steward cookie: a website visitor's cookie choices */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int choice(const char *opt, const char *v, sw_cookie_choice *out)
{
    if (!v)
        *out = SW_COOKIE_UNCHANGED;
    else if (strcmp(v, "yes") == 0 || strcmp(v, "accept") == 0)
        *out = SW_COOKIE_ACCEPT;
    else if (strcmp(v, "no") == 0 || strcmp(v, "refuse") == 0)
        *out = SW_COOKIE_REFUSE;
    else
        return cli_usage("cookie set ", "%s '%s': expected yes or no", opt, v);
    return 0;
}

static int do_cookie(cli *c, const cli_args *a)
{
    if (!a->v[O_VISITOR])
        return cli_usage("cookie set ", "--visitor is required");
    sw_cookie_choice an, ad;
    int rc = choice("--analytics", a->v[O_ANALYTICS], &an);
    if (!rc)
        rc = choice("--advertising", a->v[O_ADVERTISING], &ad);
    if (rc)
        return rc;
    sw_store *s;
    sw_policy *p;
    if ((rc = cli_open_store(c, &s, &p)))
        return rc;
    if (sw_cookie_choose(s, a->v[O_VISITOR], an, ad, a->set[O_GPC]) != SW_OK)
        rc = cli_store_fail(s, "cookie choices not recorded");
    else if (c->json)
        rc = cli_print_json(
            json_pack("{s:s, s:b}", "visitor", a->v[O_VISITOR], "recorded", 1));
    else
        printf("recorded%s\n", a->set[O_GPC]
                                   ? " (Global Privacy Control: analytics "
                                     "and advertising refused)"
                                   : "");
    cli_close_store(s, p);
    return rc;
}

static const cli_verb cookie_verbs[] = {
    {"set", do_cookie,
     "steward cookie set --visitor ID [--analytics yes|no] "
     "[--advertising yes|no] [--gpc] [--json]",
     "Records a website visitor's cookie choices in the consent ledger.\n"
     "Necessary cookies need no consent; analytics and advertising need an\n"
     "opt-in. --gpc (a request with Sec-GPC: 1) refuses both. 'steward check\n"
     "--visitor ID --purpose P' answers for the cookie's purpose.",
     OPT(O_VISITOR) | OPT(O_ANALYTICS) | OPT(O_ADVERTISING) | OPT(O_GPC), 0, 0},
};

int cmd_cookie(int argc, char **argv, cli *c)
{
    return cli_run_family("cookie", argc, argv, c, cookie_verbs,
                          sizeof(cookie_verbs) / sizeof(cookie_verbs[0]));
}
