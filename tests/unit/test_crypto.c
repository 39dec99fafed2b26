/* SPDX-License-Identifier: Apache-2.0 */
/* The crypto module: key files, sealing with bound additional data, key
 * wrapping, blind indexes. Tamper cases flip bytes and assert failure. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/crypto.h"
#include "testutil.h"

static char *dir;
static sw_keyring *keys;

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    char path[512], err[256];
    tu_path(dir, "k.key", path, sizeof(path));
    if (sw_keyfile_create(path, err, sizeof(err)) != SW_OK)
        return -1;
    return sw_keyring_load(path, &keys, err, sizeof(err)) == SW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sw_keyring_free(keys);
    tu_rmtree(dir);
    free(dir);
    return 0;
}

static void test_crypto__key_file_is_private_and_never_overwritten(void **s)
{
    (void)s;
    char path[512], err[256];
    tu_path(dir, "k.key", path, sizeof(path));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *before = tu_read_file(path, NULL);
    assert_int_equal(sw_keyfile_create(path, err, sizeof(err)), SW_ERR_EXISTS);
    assert_non_null(strstr(err, "refusing to overwrite"));
    char *after = tu_read_file(path, NULL);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_crypto__bad_key_files_are_refused(void **s)
{
    (void)s;
    char path[512], err[256];
    sw_keyring *k = NULL;
    tu_path(dir, "missing.key", path, sizeof(path));
    assert_int_equal(sw_keyring_load(path, &k, err, sizeof(err)), SW_ERR_IO);
    assert_null(k);
    tu_path(dir, "junk.key", path, sizeof(path));
    FILE *f = fopen(path, "w");
    fputs("steward-master-key-v1\nnot-hex\n", f);
    fclose(f);
    assert_int_equal(sw_keyring_load(path, &k, err, sizeof(err)),
                     SW_ERR_CORRUPT);
    assert_non_null(strstr(err, "not a steward key file"));
}

static void test_crypto__seal_round_trips(void **s)
{
    (void)s;
    uint8_t key[SW_KEY_BYTES], wrapped[SW_WRAPPED_BYTES];
    assert_int_equal(sw_datakey_new(keys, "sub_1", key, wrapped), SW_OK);
    const char *msg = "ann@example.com";
    uint8_t sealed[64], plain[64];
    sw_seal(keys, key, "ident|sub_1|email", msg, strlen(msg), sealed);
    assert_null(
        memmem(sealed, strlen(msg) + SW_SEAL_OVERHEAD, msg, strlen(msg)));
    assert_int_equal(sw_unseal(key, "ident|sub_1|email", sealed,
                               strlen(msg) + SW_SEAL_OVERHEAD, plain),
                     SW_OK);
    assert_memory_equal(plain, msg, strlen(msg));
}

static void test_crypto__every_flipped_byte_is_detected(void **s)
{
    (void)s;
    uint8_t key[SW_KEY_BYTES], wrapped[SW_WRAPPED_BYTES];
    sw_datakey_new(keys, "sub_1", key, wrapped);
    const char *msg = "+447700900123";
    size_t n = strlen(msg) + SW_SEAL_OVERHEAD;
    uint8_t sealed[64], plain[64];
    sw_seal(keys, key, "ad", msg, strlen(msg), sealed);
    for (size_t i = 0; i < n; i++) {
        sealed[i] ^= 0x01;
        assert_int_equal(sw_unseal(key, "ad", sealed, n, plain), SW_ERR_CRYPTO);
        sealed[i] ^= 0x01;
    }
    assert_int_equal(sw_unseal(key, "ad", sealed, n, plain), SW_OK);
    assert_int_equal(sw_unseal(key, "ad", sealed, n - 1, plain), SW_ERR_CRYPTO);
}

static void test_crypto__value_moved_to_another_row_fails(void **s)
{
    (void)s;
    uint8_t key[SW_KEY_BYTES], wrapped[SW_WRAPPED_BYTES];
    sw_datakey_new(keys, "sub_1", key, wrapped);
    uint8_t sealed[64], plain[64];
    sw_seal(keys, key, "record|sub_1|rec_a|user.name", "Ann", 3, sealed);
    size_t n = 3 + SW_SEAL_OVERHEAD;
    assert_int_equal(
        sw_unseal(key, "record|sub_1|rec_b|user.name", sealed, n, plain),
        SW_ERR_CRYPTO);
    assert_int_equal(sw_unseal(key, "record|sub_1|rec_a|user.contact.email",
                               sealed, n, plain),
                     SW_ERR_CRYPTO);
    uint8_t other[SW_KEY_BYTES];
    sw_datakey_new(keys, "sub_2", other, wrapped);
    assert_int_equal(
        sw_unseal(other, "record|sub_1|rec_a|user.name", sealed, n, plain),
        SW_ERR_CRYPTO);
}

static void test_crypto__wrapped_key_is_bound_to_its_subject(void **s)
{
    (void)s;
    uint8_t key[SW_KEY_BYTES], wrapped[SW_WRAPPED_BYTES], back[SW_KEY_BYTES];
    sw_datakey_new(keys, "sub_1", key, wrapped);
    assert_int_equal(
        sw_datakey_unwrap(keys, "sub_1", wrapped, SW_WRAPPED_BYTES, back),
        SW_OK);
    assert_memory_equal(key, back, SW_KEY_BYTES);
    assert_int_equal(
        sw_datakey_unwrap(keys, "sub_2", wrapped, SW_WRAPPED_BYTES, back),
        SW_ERR_CRYPTO);
    wrapped[30] ^= 0x80;
    assert_int_equal(
        sw_datakey_unwrap(keys, "sub_1", wrapped, SW_WRAPPED_BYTES, back),
        SW_ERR_CRYPTO);
}

static void test_crypto__blind_index_is_per_type_and_key(void **s)
{
    (void)s;
    uint8_t a[SW_BLIND_BYTES], b[SW_BLIND_BYTES], c[SW_BLIND_BYTES];
    sw_blind(keys, "email", "ann@example.com", 15, a);
    sw_blind(keys, "email", "ann@example.com", 15, b);
    assert_memory_equal(a, b, SW_BLIND_BYTES);
    sw_blind(keys, "x-crm-id", "ann@example.com", 15, c);
    assert_memory_not_equal(a, c, SW_BLIND_BYTES);
    sw_blind(keys, "email", "bob@example.com", 15, c);
    assert_memory_not_equal(a, c, SW_BLIND_BYTES);
    /* Another master key gives other indexes for the same value. */
    char path[512], err[256];
    sw_keyring *k2;
    tu_path(dir, "k2.key", path, sizeof(path));
    assert_int_equal(sw_keyfile_create(path, err, sizeof(err)), SW_OK);
    assert_int_equal(sw_keyring_load(path, &k2, err, sizeof(err)), SW_OK);
    sw_blind(k2, "email", "ann@example.com", 15, c);
    assert_memory_not_equal(a, c, SW_BLIND_BYTES);
    char h1[65], h2[65];
    sw_keyring_check(keys, h1);
    sw_keyring_check(k2, h2);
    assert_string_not_equal(h1, h2);
    sw_keyring_free(k2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_crypto__key_file_is_private_and_never_overwritten),
        cmocka_unit_test(test_crypto__bad_key_files_are_refused),
        cmocka_unit_test(test_crypto__seal_round_trips),
        cmocka_unit_test(test_crypto__every_flipped_byte_is_detected),
        cmocka_unit_test(test_crypto__value_moved_to_another_row_fails),
        cmocka_unit_test(test_crypto__wrapped_key_is_bound_to_its_subject),
        cmocka_unit_test(test_crypto__blind_index_is_per_type_and_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
