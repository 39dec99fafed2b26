/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who may call: API keys checked against the store and remembered for a
 * few seconds (by a keyed hash, compared in constant time), and a token
 * bucket per key (per client address on public routes) in a table that
 * never lets two callers share a bucket.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "stewardd.h"

#define KEY_TTL 5.0

void auth_init(server *srv)
{
    randombytes_buf(srv->key_hash_key, sizeof(srv->key_hash_key));
}

static void token_hash(const server *srv, const char *token, uint8_t out[32])
{
    crypto_generichash(out, 32, (const uint8_t *)token, strlen(token),
                       srv->key_hash_key, sizeof(srv->key_hash_key));
}

sw_status key_check(server *srv, const char *token, sw_key_view *out, char *why,
                    size_t n)
{
    uint8_t h[32];
    token_hash(srv, token, h);
    /* the slot from the hash, which an outsider cannot steer */
    size_t i = ((size_t)h[0] | (size_t)h[1] << 8) % KEY_CACHE;
    double now = mono();
    pthread_mutex_lock(&srv->key_mu);
    key_slot *k = &srv->keys[i];
    bool hit = k->used && now - k->checked < KEY_TTL &&
               sodium_memcmp(k->token_hash, h, sizeof(h)) == 0;
    if (hit)
        *out = k->key;
    pthread_mutex_unlock(&srv->key_mu);
    if (hit)
        return SW_OK;
    sw_store *s = pool_take(srv, why, n);
    if (!s)
        return SW_ERR_STORE;
    sw_status st = sw_key_check(s, token, out);
    if (st != SW_OK)
        snprintf(why, n, "%s", sw_errmsg(s));
    pool_give(srv, s);
    if (st == SW_OK) {
        pthread_mutex_lock(&srv->key_mu);
        k->used = true;
        k->checked = now;
        k->key = *out;
        memcpy(k->token_hash, h, sizeof(h));
        pthread_mutex_unlock(&srv->key_mu);
    }
    return st;
}

void keys_forget(server *srv)
{
    pthread_mutex_lock(&srv->key_mu);
    sodium_memzero(srv->keys, sizeof(srv->keys));
    pthread_mutex_unlock(&srv->key_mu);
}

/* ---- rate limit: a token bucket per caller ----
 * Open addressing over the caller's whole name: a slot is the caller's
 * own, or free, or a bucket full again (one a caller would be given anew,
 * so it may be given to another). When every slot holds a caller who is
 * still spending, a new caller is refused: the table never merges two. */

static size_t who_hash(const char *who)
{
    size_t h = 1469598103934665603u;
    for (const char *p = who; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

bool rate_take(server *srv, const char *who, double *retry)
{
    if (srv->o.rate <= 0)
        return true;
    double now = mono(), rate = srv->o.rate;
    double burst = rate * 2 < 1 ? 1 : rate * 2; /* room for one call */
    size_t h = who_hash(who);
    pthread_mutex_lock(&srv->rate_mu);
    rate_slot *mine = NULL, *spare = NULL;
    for (size_t i = 0; i < RATE_SLOTS && !mine; i++) {
        rate_slot *r = &srv->rates[(h + i) % RATE_SLOTS];
        if (!r->used) {
            if (!spare)
                spare = r;
            break; /* the caller's slot would have come before */
        }
        if (strcmp(r->who, who) == 0)
            mine = r;
        else if (!spare && r->tokens + (now - r->last) * rate >= burst)
            spare = r; /* full again: as good as free */
    }
    if (!mine && spare) {
        mine = spare;
        mine->used = true;
        snprintf(mine->who, sizeof(mine->who), "%s", who);
        mine->tokens = burst;
        mine->last = now;
    }
    bool ok = false;
    if (mine) {
        mine->tokens += (now - mine->last) * rate;
        if (mine->tokens > burst)
            mine->tokens = burst;
        mine->last = now;
        ok = mine->tokens >= 1;
        if (ok)
            mine->tokens -= 1;
        else
            *retry = (1 - mine->tokens) / rate;
    } else {
        atomic_fetch_add(&srv->rate_full, 1);
        *retry = 1;
    }
    pthread_mutex_unlock(&srv->rate_mu);
    return ok;
}
