/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crypto on libsodium. Keys derived from the master key (crypto_kdf):
 *   id 1 "stewwrap" wraps subject data keys,
 *   id 2 "stewblnd" is the root of the per-type blind-index keys,
 *   id 3 "stewaudt" keys the audit chain,
 *   id 4 "stewchck" yields the key check value.
 * A blind-index key per identifier type is BLAKE2b(blind root, "type:" T),
 * so customer-defined types need no registry.
 */
#include "core/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYFILE_MAGIC "steward-master-key-v1"

struct sw_keyring {
    uint8_t master[SW_KEY_BYTES];
    uint8_t wrap[SW_KEY_BYTES];
    uint8_t blind[SW_KEY_BYTES];
    uint8_t audit[SW_KEY_BYTES];
    uint8_t check[SW_KEY_BYTES];
    uint8_t sign_pk[SW_SIGN_PK_BYTES]; /* the store's Ed25519 key pair */
    uint8_t sign_sk[SW_SIGN_SK_BYTES];
    sw_pool pool; /* random bytes not handed out yet */
};

sw_status sw_crypto_init(void)
{
    return sodium_init() < 0 ? SW_ERR_CRYPTO : SW_OK;
}

void sw_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}

void sw_hex(const uint8_t *in, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, in, n);
}

void sw_sha256_hex(const void *in, size_t n, char out[65])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, in, n);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

void sw_hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
                    uint8_t out[32])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, msg, n);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

sw_status sw_keyfile_create(const char *path, char *err, size_t n)
{
    if (sw_crypto_init() != SW_OK) {
        snprintf(err, n, "libsodium failed to initialise");
        return SW_ERR_CRYPTO;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, n, "%s: %s", path,
                 errno == EEXIST ? "key file exists; refusing to overwrite it"
                                 : strerror(errno));
        return errno == EEXIST ? SW_ERR_EXISTS : SW_ERR_IO;
    }
    uint8_t key[SW_KEY_BYTES];
    char hex[SW_KEY_BYTES * 2 + 1], line[128];
    crypto_kdf_keygen(key);
    sw_hex(key, sizeof(key), hex);
    int len = snprintf(line, sizeof(line), "%s\n%s\n", KEYFILE_MAGIC, hex);
    ssize_t w = write(fd, line, (size_t)len);
    int rc = fsync(fd);
    close(fd);
    sw_wipe(key, sizeof(key));
    sw_wipe(hex, sizeof(hex));
    sw_wipe(line, sizeof(line));
    if (w != len || rc != 0) {
        snprintf(err, n, "%s: cannot write key file", path);
        unlink(path);
        return SW_ERR_IO;
    }
    return SW_OK;
}

static void derive(uint8_t out[SW_KEY_BYTES], uint64_t id, const char ctx[8],
                   const uint8_t master[SW_KEY_BYTES])
{
    crypto_kdf_derive_from_key(out, SW_KEY_BYTES, id, ctx, master);
}

sw_status sw_keyring_load(const char *path, sw_keyring **out, char *err,
                          size_t n)
{
    *out = NULL;
    if (sw_crypto_init() != SW_OK) {
        snprintf(err, n, "libsodium failed to initialise");
        return SW_ERR_CRYPTO;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, n, "cannot read key file %s: %s", path, strerror(errno));
        return SW_ERR_IO;
    }
    char buf[256];
    size_t got = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[got] = '\0';
    sw_keyring *k = sodium_malloc(sizeof(*k));
    if (!k) {
        sw_wipe(buf, sizeof(buf));
        snprintf(err, n, "out of memory");
        return SW_ERR_NOMEM;
    }
    size_t mlen = strlen(KEYFILE_MAGIC), bin_len = 0;
    bool ok = got > mlen && memcmp(buf, KEYFILE_MAGIC, mlen) == 0 &&
              buf[mlen] == '\n' &&
              sodium_hex2bin(k->master, sizeof(k->master), buf + mlen + 1,
                             got - mlen - 1, "\n", &bin_len, NULL) == 0 &&
              bin_len == SW_KEY_BYTES;
    sw_wipe(buf, sizeof(buf));
    if (!ok) {
        sodium_free(k);
        snprintf(err, n, "%s is not a steward key file", path);
        return SW_ERR_CORRUPT;
    }
    derive(k->wrap, 1, "stewwrap", k->master);
    derive(k->blind, 2, "stewblnd", k->master);
    derive(k->audit, 3, "stewaudt", k->master);
    derive(k->check, 4, "stewchck", k->master);
    uint8_t seed[SW_KEY_BYTES];
    derive(seed, 5, "stewsign", k->master);
    crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed);
    sw_wipe(seed, sizeof(seed));
    k->pool.left = 0;
    *out = k;
    return SW_OK;
}

void sw_keyring_free(sw_keyring *k)
{
    if (k)
        sodium_free(k); /* zeroes the memory before releasing it */
}

void sw_keyring_check(const sw_keyring *k, char hex[65])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof(h), (const uint8_t *)"key check", 9, k->check,
                       sizeof(k->check));
    sw_hex(h, sizeof(h), hex);
}

void sw_blind_typekey(const sw_keyring *k, const char *type,
                      uint8_t tkey[SW_KEY_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->blind, sizeof(k->blind), SW_KEY_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)"type:", 5);
    crypto_generichash_update(&st, (const uint8_t *)type, strlen(type));
    crypto_generichash_final(&st, tkey, SW_KEY_BYTES);
    sw_wipe(&st, sizeof(st));
}

void sw_blind_under(const uint8_t tkey[SW_KEY_BYTES], const char *value,
                    size_t len, uint8_t out[SW_BLIND_BYTES])
{
    crypto_generichash(out, SW_BLIND_BYTES, (const uint8_t *)value, len, tkey,
                       SW_KEY_BYTES);
}

void sw_blind(const sw_keyring *k, const char *type, const char *value,
              size_t len, uint8_t out[SW_BLIND_BYTES])
{
    uint8_t tkey[SW_KEY_BYTES];
    sw_blind_typekey(k, type, tkey);
    sw_blind_under(tkey, value, len, out);
    sw_wipe(tkey, sizeof(tkey));
}

void sw_pool_take(sw_pool *p, void *out, size_t n)
{
    uint8_t *o = out;
    while (n) {
        if (p->left == 0) {
            uint8_t seed[randombytes_SEEDBYTES];
            randombytes_buf(seed, sizeof(seed));
            randombytes_buf_deterministic(p->bytes, SW_POOL_BYTES, seed);
            sw_wipe(seed, sizeof(seed));
            p->left = SW_POOL_BYTES;
        }
        size_t take = n < p->left ? n : p->left;
        uint8_t *src = p->bytes + SW_POOL_BYTES - p->left;
        memcpy(o, src, take);
        sw_wipe(src, take); /* handed out once only */
        p->left -= take;
        o += take;
        n -= take;
    }
}

void sw_random(sw_keyring *k, void *out, size_t n)
{
    sw_pool_take(&k->pool, out, n);
}

void sw_seal_pool(sw_pool *p, const uint8_t key[SW_KEY_BYTES], const char *ad,
                  const void *in, size_t n, uint8_t *out)
{
    sw_pool_take(p, out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, in, n,
        (const uint8_t *)ad, strlen(ad), NULL, out, key);
}

void sw_seal(sw_keyring *k, const uint8_t key[SW_KEY_BYTES], const char *ad,
             const void *in, size_t n, uint8_t *out)
{
    sw_seal_pool(&k->pool, key, ad, in, n, out);
}

sw_status sw_unseal(const uint8_t key[SW_KEY_BYTES], const char *ad,
                    const uint8_t *in, size_t n, uint8_t *out)
{
    if (n < SW_SEAL_OVERHEAD)
        return SW_ERR_CRYPTO;
    const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in + nb,
                                                   n - nb, (const uint8_t *)ad,
                                                   strlen(ad), in, key) != 0)
        return SW_ERR_CRYPTO;
    return SW_OK;
}

sw_status sw_unseal_wrapped(const sw_keyring *k, const char *owner,
                            const uint8_t *wrapped, size_t wlen, const char *ad,
                            const uint8_t *in, size_t n, uint8_t *out)
{
    uint8_t key[SW_KEY_BYTES];
    sw_status st = n < SW_SEAL_OVERHEAD
                       ? SW_ERR_CRYPTO
                       : sw_datakey_unwrap(k, owner, wrapped, wlen, key);
    if (st == SW_OK)
        st = sw_unseal(key, ad, in, n, out);
    sw_wipe(key, sizeof(key));
    return st;
}

sw_status sw_datakey_new(sw_keyring *k, const char *subject_id,
                         uint8_t key[SW_KEY_BYTES],
                         uint8_t wrapped[SW_WRAPPED_BYTES])
{
    sw_random(k, key, SW_KEY_BYTES);
    char ad[96];
    snprintf(ad, sizeof(ad), "datakey|%s", subject_id);
    sw_seal(k, k->wrap, ad, key, SW_KEY_BYTES, wrapped);
    return SW_OK;
}

sw_status sw_datakey_unwrap(const sw_keyring *k, const char *subject_id,
                            const uint8_t *wrapped, size_t len,
                            uint8_t key[SW_KEY_BYTES])
{
    if (len != SW_WRAPPED_BYTES)
        return SW_ERR_CRYPTO;
    char ad[96];
    snprintf(ad, sizeof(ad), "datakey|%s", subject_id);
    return sw_unseal(k->wrap, ad, wrapped, len, key);
}

void sw_hash_keyed(const uint8_t key[SW_KEY_BYTES], const void *msg, size_t n,
                   uint8_t *out, size_t outlen)
{
    crypto_generichash(out, outlen, msg, n, key, SW_KEY_BYTES);
}

void sw_chain_hash(const sw_keyring *k, const uint8_t prev[SW_HASH_BYTES],
                   const void *msg, size_t n, uint8_t out[SW_HASH_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->audit, sizeof(k->audit), SW_HASH_BYTES);
    crypto_generichash_update(&st, prev, SW_HASH_BYTES);
    crypto_generichash_update(&st, msg, n);
    crypto_generichash_final(&st, out, SW_HASH_BYTES);
}

void sw_audit_mac(const sw_keyring *k, const char *domain, const void *msg,
                  size_t n, uint8_t out[SW_HASH_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->audit, sizeof(k->audit), SW_HASH_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)domain, strlen(domain) + 1);
    crypto_generichash_update(&st, msg, n);
    crypto_generichash_final(&st, out, SW_HASH_BYTES);
}

void sw_sign_public(const sw_keyring *k, uint8_t pk[SW_SIGN_PK_BYTES])
{
    memcpy(pk, k->sign_pk, SW_SIGN_PK_BYTES);
}

void sw_sign(const sw_keyring *k, const void *msg, size_t n,
             uint8_t sig[SW_SIGN_BYTES])
{
    crypto_sign_detached(sig, NULL, msg, n, k->sign_sk);
}

bool sw_sign_verify(const uint8_t pk[SW_SIGN_PK_BYTES], const void *msg,
                    size_t n, const uint8_t sig[SW_SIGN_BYTES])
{
    return crypto_sign_verify_detached(sig, msg, n, pk) == 0;
}

void sw_random_id(sw_keyring *k, const char *prefix, int64_t now, char *buf)
{
    /* 8 hex digits of time, then 12 of randomness: ids written together
     * sort together, so bulk loads append to the primary-key b-trees
     * instead of writing all over them. */
    uint8_t r[6];
    char hex[13];
    sw_random(k, r, sizeof(r));
    sw_hex(r, sizeof(r), hex);
    snprintf(buf, SW_ID_BUFSZ, "%s_%08llx%s", prefix,
             (unsigned long long)now & 0xffffffffULL, hex);
}
