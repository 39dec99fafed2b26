/* SPDX-License-Identifier: Apache-2.0 */
/* API keys: random text shown once, kept as a keyed hash, with a role. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steward/keys.h"
#include "store/store_int.h"

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

static int view_of(const sw_apikey_row *r, void *ctx)
{
    sw_key_view *v = ctx;
    memset(v, 0, sizeof(*v));
    snprintf(v->id, sizeof(v->id), "%s", r->id);
    if (!sw_key_role_parse(r->role, &v->role))
        v->role = SW_ROLE_AUDITOR; /* an unknown role gets the least */
    snprintf(v->label, sizeof(v->label), "%s", r->label ? r->label : "");
    snprintf(v->created_by, sizeof(v->created_by), "%s",
             r->created_by ? r->created_by : "");
    v->created_at = r->created_at;
    v->revoked = r->revoked;
    v->revoked_at = r->revoked_at;
    return 0;
}

sw_status sw_key_create(sw_store *s, sw_key_role role, const char *label,
                        char id[SW_ID_BUFSZ], char token[SW_APIKEY_BUFSZ])
{
    id[0] = token[0] = '\0';
    const char *name = sw_key_role_name(role);
    if (!name)
        return sw_fail(s, SW_ERR_INVALID,
                       "unknown role: expected admin, dpo, service or auditor");
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
    sw_apikey_row r;
    memset(&r, 0, sizeof(r));
    r.id = kid;
    r.role = name;
    r.label = label;
    r.created_by = s->actor;
    r.created_at = now;
    token_hash(s, text, r.hash);
    sw_status st = sw_tx_begin(s);
    if (st == SW_OK) {
        if ((st = s->be->apikey_insert(s->impl, &r)) != SW_OK)
            sw_fail_be(s, st, "key not stored");
        else
            st = sw_audit_json(s, "key.create", NULL, json_pack("[s]", kid),
                               json_pack("{s:s}", "role", name));
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
    sw_status st = s->be->apikey_get(s->impl, h, NULL, view_of, out);
    if (st == SW_ERR_NOTFOUND)
        return sw_fail(s, SW_ERR_DENIED, "unknown API key");
    if (st != SW_OK)
        return sw_fail_be(s, st, "key not checked");
    if (out->revoked)
        return sw_fail(s, SW_ERR_DENIED, "API key %s is revoked", out->id);
    return SW_OK;
}

sw_status sw_key_revoke(sw_store *s, const char *id)
{
    sw_status st = sw_tx_begin(s);
    if (st != SW_OK)
        return st;
    if ((st = s->be->apikey_revoke(s->impl, id, sw_clock_now(&s->clock))) !=
        SW_OK)
        sw_fail_be(s, st, NULL);
    else
        st = sw_audit_json(s, "key.revoke", NULL, json_pack("[s]", id),
                           json_object());
    return sw_tx_end(s, st);
}

typedef struct list_ctx {
    int (*cb)(const sw_key_view *k, void *ctx);
    void *ctx;
} list_ctx;

static int list_one(const sw_apikey_row *r, void *p)
{
    list_ctx *c = p;
    sw_key_view v;
    view_of(r, &v);
    return c->cb(&v, c->ctx);
}

sw_status sw_key_list(sw_store *s, int (*cb)(const sw_key_view *k, void *ctx),
                      void *ctx)
{
    list_ctx c = {cb, ctx};
    sw_status st = s->be->apikey_list(s->impl, list_one, &c);
    return st == SW_OK ? st : sw_fail_be(s, st, "keys not listed");
}
