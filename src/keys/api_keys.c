/* SPDX-License-Identifier: Apache-2.0 */
/* API keys: random text shown once, kept as a keyed hash, with a role. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steward/keys.h"
#include "store/chain.h"
#include "store/sql.h"

static const char *const role_names[SW_ROLE_COUNT] = {
    [SW_ROLE_ADMIN] = "admin",
    [SW_ROLE_DPO] = "dpo",
    [SW_ROLE_SERVICE] = "service",
    [SW_ROLE_AUDITOR] = "auditor",
};

const char *sw_key_role_name(sw_key_role r)
{
    return (unsigned)r < SW_ROLE_COUNT ? role_names[r] : NULL;
}

bool sw_key_role_parse(const char *name, sw_key_role *out)
{
    for (int i = 0; name && i < SW_ROLE_COUNT; i++)
        if (strcmp(name, role_names[i]) == 0) {
            *out = (sw_key_role)i;
            return true;
        }
    return false;
}

#define TOKEN_PREFIX "stw_"
#define TOKEN_RANDOM 32

static void token_hash(sw_store *s, const char *token,
                       uint8_t out[SW_BLIND_BYTES])
{
    sw_blind(s->keys, "apikey", token, strlen(token), out);
}

/* ---- the api_keys table ---- */

#define KEY_COLUMNS                                                            \
    "id, role, label, created_by, created_at, revoked_at, account"

typedef struct key_ctx {
    int (*cb)(const sw_key_view *k, void *ctx);
    void *ctx;
    sw_key_view v;
} key_ctx;

static int key_row(const sw_row *r, void *p)
{
    key_ctx *c = p;
    sw_key_view *v = &c->v;
    memset(v, 0, sizeof(*v));
    sw_row_text_into(r, 0, v->id, sizeof(v->id));
    if (!sw_key_role_parse(sw_row_text(r, 1), &v->role))
        v->role = SW_ROLE_AUDITOR; /* an unknown role gets the least */
    sw_row_text_into(r, 2, v->label, sizeof(v->label));
    sw_row_text_into(r, 3, v->created_by, sizeof(v->created_by));
    v->created_at = sw_row_int(r, 4);
    v->revoked = !sw_row_null(r, 5);
    v->revoked_at = sw_row_int(r, 5);
    sw_row_text_into(r, 6, v->account, sizeof(v->account));
    return c->cb ? c->cb(v, c->ctx) : 1;
}

sw_status sw_key_create(sw_store *s, sw_key_role role, const char *label,
                        char id[SW_ID_BUFSZ], char token[SW_APIKEY_BUFSZ])
{
    return sw_key_create_for(s, role, label, NULL, id, token);
}

sw_status sw_key_create_for(sw_store *s, sw_key_role role, const char *label,
                            const char *account, char id[SW_ID_BUFSZ],
                            char token[SW_APIKEY_BUFSZ])
{
    id[0] = token[0] = '\0';
    const char *name = sw_key_role_name(role);
    if (!name)
        return sw_fail(s, SW_ERR_INVALID,
                       "unknown role: expected admin, dpo, service or auditor");
    if (account && !*account)
        account = NULL;
    sw_status st;
    if (account && role != SW_ROLE_SERVICE)
        return sw_fail(s, SW_ERR_INVALID,
                       "only a service key is scoped to a customer's account");
    if ((st = sw_check_text(s, "account", account, 95)) != SW_OK)
        return st;
    if (!label)
        label = "";
    if (strlen(label) > 120)
        return sw_fail(s, SW_ERR_LIMIT, "a key label has at most 120 bytes");
    uint8_t raw[TOKEN_RANDOM];
    sw_random(s->keys, raw, sizeof(raw));
    char text[SW_APIKEY_BUFSZ];
    memcpy(text, TOKEN_PREFIX, sizeof(TOKEN_PREFIX));
    sw_hex(raw, sizeof(raw), text + strlen(TOKEN_PREFIX));
    sw_wipe(raw, sizeof(raw));

    char kid[SW_ID_BUFSZ];
    sw_instant now = sw_clock_now(&s->clock);
    sw_random_id(s->keys, "key", now, kid);
    uint8_t hash[SW_BLIND_BYTES];
    token_hash(s, text, hash);
    st = sw_tx_begin(s);
    if (st == SW_OK) {
        st = sw_sql_run(s, "key not stored",
                        "INSERT INTO api_keys(id, hash, role, label,"
                        " created_by, created_at, account)"
                        " VALUES(?1,?2,?3,?4,?5,?6,?7)",
                        SW_ARGS(sw_v_text(kid), sw_v_blob(hash, sizeof(hash)),
                                sw_v_text(name), sw_v_text(label),
                                sw_v_text(s->actor), sw_v_int(now),
                                sw_v_text(account)),
                        NULL);
        if (st == SW_OK)
            st = sw_audit_json(
                s, "key.create", NULL, json_pack("[s]", kid),
                json_pack("{s:s, s:s?}", "role", name, "account", account));
        st = sw_tx_end(s, st);
    }
    if (st == SW_OK) {
        snprintf(id, SW_ID_BUFSZ, "%s", kid);
        memcpy(token, text, sizeof(text));
    }
    sw_wipe(text, sizeof(text));
    return st;
}

sw_status sw_key_check(sw_store *s, const char *token, sw_key_view *out)
{
    size_t n = token ? strlen(token) : 0;
    if (n != strlen(TOKEN_PREFIX) + 2 * TOKEN_RANDOM ||
        strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
        return sw_fail(s, SW_ERR_DENIED, "not an API key of steward");
    uint8_t h[SW_BLIND_BYTES];
    token_hash(s, token, h);
    key_ctx c = {.cb = NULL};
    sw_status st =
        sw_sql_one(s, "key not checked",
                   "SELECT " KEY_COLUMNS " FROM api_keys WHERE hash = ?1",
                   SW_ARGS(sw_v_blob(h, sizeof(h))), key_row, &c);
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, SW_ERR_DENIED, "unknown API key");
    if (st != SW_OK)
        return st;
    *out = c.v;
    if (out->revoked)
        return sw_fail(s, SW_ERR_DENIED, "API key %s is revoked", out->id);
    return SW_OK;
}

sw_status sw_key_revoke(sw_store *s, const char *id)
{
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK)
        return st;
    int64_t n = 0, revoked = 0;
    st = sw_sql_run(s, "revoking an API key",
                    "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1"
                    " AND revoked_at IS NULL",
                    SW_ARGS(sw_v_text(id), sw_v_int(sw_clock_now(&s->clock))),
                    &n);
    if (st == SW_OK && n != 1) {
        st = sw_sql_int(s, "revoking an API key",
                        "SELECT revoked_at IS NOT NULL FROM api_keys"
                        " WHERE id = ?1",
                        SW_ARGS(sw_v_text(id)), &revoked);
        if (st == SW_OK || st == SW_ERR_NOTFOUND)
            st = sw_fail(s, st == SW_OK ? SW_ERR_CONFLICT : st,
                         st == SW_OK ? "API key %s is already revoked"
                                     : "no API key %s",
                         id);
    }
    if (st == SW_OK)
        st = sw_audit_json(s, "key.revoke", NULL, json_pack("[s]", id),
                           json_object());
    return sw_tx_end(s, st);
}

sw_status sw_key_list(sw_store *s, int (*cb)(const sw_key_view *k, void *ctx),
                      void *ctx)
{
    key_ctx c = {.cb = cb, .ctx = ctx};
    return sw_sql(s, "keys not listed",
                  "SELECT " KEY_COLUMNS " FROM api_keys"
                  " ORDER BY created_at DESC, id DESC",
                  SW_NOARGS, key_row, &c);
}
