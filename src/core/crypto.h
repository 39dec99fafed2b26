/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The crypto module: the master key file, keys derived from it, per-subject
 * data keys wrapped by it, field encryption (XChaCha20-Poly1305 with
 * additional data binding each value to its row) and blind indexes (keyed
 * BLAKE2b) for look-ups without plaintext. Secrets live in sodium_malloc'd
 * memory and are wiped when released.
 */
#ifndef STEWARD_CRYPTO_INT_H
#define STEWARD_CRYPTO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steward/ledger.h"
#include "steward/status.h"

#define SW_KEY_BYTES 32
#define SW_BLIND_BYTES 16
#define SW_HASH_BYTES 32
/* nonce + tag added to every sealed value */
#define SW_SEAL_OVERHEAD (24 + 16)
#define SW_WRAPPED_BYTES (SW_KEY_BYTES + SW_SEAL_OVERHEAD)
/* Ed25519 (libsodium's crypto_sign) */
#define SW_SIGN_PK_BYTES 32
#define SW_SIGN_SK_BYTES 64
#define SW_SIGN_BYTES 64

typedef struct sw_keyring sw_keyring;

/* Initialises libsodium (idempotent, thread-safe). SW_ERR_CRYPTO if the
 * library cannot start. */
sw_status sw_crypto_init(void);

/*
 * Writes a new random master key to path (mode 0600). Refuses an existing
 * file with SW_ERR_EXISTS. err (size n) says why on failure.
 */
sw_status sw_keyfile_create(const char *path, char *err, size_t n);

/* Reads a key file. SW_ERR_IO when unreadable, SW_ERR_CORRUPT when not a
 * steward key file. *out is the caller's (sw_keyring_free). */
sw_status sw_keyring_load(const char *path, sw_keyring **out, char *err,
                          size_t n);
/* Wipes and frees; NULL is a no-op. */
void sw_keyring_free(sw_keyring *k);

/* A value that identifies the key without revealing it (stored in the
 * store so a wrong key is detected on open). Hex, 64 chars + NUL. */
void sw_keyring_check(const sw_keyring *k, char hex[65]);

/* The blind index of a normalised value of an identifier type: keyed
 * BLAKE2b under a key derived for that type alone. */
/* sw_blind in two steps, for a hot path that blinds many values of one
 * type: the type's key once, then each value under it. */
void sw_blind_typekey(const sw_keyring *k, const char *type,
                      uint8_t tkey[SW_KEY_BYTES]);
void sw_blind_under(const uint8_t tkey[SW_KEY_BYTES], const char *value,
                    size_t len, uint8_t out[SW_BLIND_BYTES]);
void sw_blind(const sw_keyring *k, const char *type, const char *value,
              size_t len, uint8_t out[SW_BLIND_BYTES]);

/* A fresh random data key and its wrapped form (sealed under the wrap key,
 * bound to subject_id). */
sw_status sw_datakey_new(sw_keyring *k, const char *subject_id,
                         uint8_t key[SW_KEY_BYTES],
                         uint8_t wrapped[SW_WRAPPED_BYTES]);
/* Unwraps a data key; SW_ERR_CRYPTO when wrapped was altered, belongs to
 * another subject or another master key. */
sw_status sw_datakey_unwrap(const sw_keyring *k, const char *subject_id,
                            const uint8_t *wrapped, size_t len,
                            uint8_t key[SW_KEY_BYTES]);

/* Seals n bytes under key with additional data ad: out gets
 * n + SW_SEAL_OVERHEAD bytes (nonce || ciphertext || tag). The random nonce
 * comes from k's generator. */
/* Random bytes drawn from a buffer refilled from the system's generator,
 * for nonces on hot paths. One per thread: not shared. */
#define SW_POOL_BYTES 4096
typedef struct sw_pool {
    uint8_t bytes[SW_POOL_BYTES];
    size_t left;
} sw_pool;
void sw_pool_take(sw_pool *p, void *out, size_t n);
/* sw_seal with nonces from a pool of the caller's (another thread's). */
void sw_seal_pool(sw_pool *p, const uint8_t key[SW_KEY_BYTES], const char *ad,
                  const void *in, size_t n, uint8_t *out);

void sw_seal(sw_keyring *k, const uint8_t key[SW_KEY_BYTES], const char *ad,
             const void *in, size_t n, uint8_t *out);
/* Opens a sealed value into out (n - SW_SEAL_OVERHEAD bytes).
 * SW_ERR_CRYPTO when the key, the ad or a byte is wrong. */
sw_status sw_unseal(const uint8_t key[SW_KEY_BYTES], const char *ad,
                    const uint8_t *in, size_t n, uint8_t *out);

/* Opens a value sealed under a data key of its own: unwraps the key
 * (wrapped for owner), opens in (n bytes, with ad) into out (n -
 * SW_SEAL_OVERHEAD bytes), wipes the key. SW_ERR_CRYPTO when any of it
 * was altered or belongs elsewhere. */
sw_status sw_unseal_wrapped(const sw_keyring *k, const char *owner,
                            const uint8_t *wrapped, size_t wlen, const char *ad,
                            const uint8_t *in, size_t n, uint8_t *out);

/* HMAC-SHA256 of msg under a key of any length (a webhook's secret). */
void sw_hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
                    uint8_t out[32]);

/* Keyed BLAKE2b of msg under key, outlen bytes (16..64). */
void sw_hash_keyed(const uint8_t key[SW_KEY_BYTES], const void *msg, size_t n,
                   uint8_t *out, size_t outlen);

/* The audit chain link: keyed BLAKE2b over prev || msg. */
void sw_chain_hash(const sw_keyring *k, const uint8_t prev[SW_HASH_BYTES],
                   const void *msg, size_t n, uint8_t out[SW_HASH_BYTES]);

/* A keyed BLAKE2b MAC under the audit key, separated by domain (a
 * NUL-terminated label): seals what must not be changed without the key,
 * such as the trail's head. */
void sw_audit_mac(const sw_keyring *k, const char *domain, const void *msg,
                  size_t n, uint8_t out[SW_HASH_BYTES]);

/* The store's signing key pair (Ed25519) is derived from the master key:
 * anyone holding the public key can check what the store signed, and
 * only the master key can sign. */
void sw_sign_public(const sw_keyring *k, uint8_t pk[SW_SIGN_PK_BYTES]);
void sw_sign(const sw_keyring *k, const void *msg, size_t n,
             uint8_t sig[SW_SIGN_BYTES]);
bool sw_sign_verify(const uint8_t pk[SW_SIGN_PK_BYTES], const void *msg,
                    size_t n, const uint8_t sig[SW_SIGN_BYTES]);

/* n random bytes from k's generator: ChaCha20 keyed from the system's
 * random source, re-keyed every 4 KiB (libsodium's deterministic stream),
 * so hot paths make no system call per nonce. Not thread-safe: a keyring
 * belongs to one store handle. */
void sw_random(sw_keyring *k, void *out, size_t n);

/* A new id "<prefix>_<8 hex digits of now><12 random hex digits>";
 * buf: SW_ID_BUFSZ bytes. */
void sw_random_id(sw_keyring *k, const char *prefix, int64_t now, char *buf);

/* Wipes n bytes (sodium_memzero). */
void sw_wipe(void *p, size_t n);

void sw_hex(const uint8_t *in, size_t n, char *out);

/* SHA-256 of n bytes as 64 lowercase hex digits (out: 65 bytes): a
 * fingerprint anyone can recompute with sha256sum. */
void sw_sha256_hex(const void *in, size_t n, char out[65]);

#endif
