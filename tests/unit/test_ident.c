/* SPDX-License-Identifier: Apache-2.0 */
/* Identifier normalisation: the documented rules, and the refusals that
 * say what is wrong. */
#include <string.h>

#include "testutil.h"

static void ok(const char *type, const char *in, const char *country,
               const char *want)
{
    char out[SW_IDENT_MAX], why[256] = "";
    sw_status st = sw_ident_normalise(type, in, country, out, why, sizeof(why));
    if (st != SW_OK)
        fail_msg("%s '%s': %s", type, in, why);
    assert_string_equal(out, want);
}

static void refused(const char *type, const char *in, const char *country,
                    const char *reason)
{
    char out[SW_IDENT_MAX], why[256] = "";
    assert_int_equal(
        sw_ident_normalise(type, in, country, out, why, sizeof(why)),
        SW_ERR_INVALID);
    if (!strstr(why, reason))
        fail_msg("%s '%s': wanted '%s' in '%s'", type, in, reason, why);
}

static void test_ident__email_is_trimmed_and_lower_cased(void **s)
{
    (void)s;
    ok("email", "  Ann.Lee@Example.COM ", NULL, "ann.lee@example.com");
    ok("email", "x+tag@sub.example.co.uk", NULL, "x+tag@sub.example.co.uk");
    refused("email", "ann.example.com", NULL, "exactly one '@'");
    refused("email", "ann@@example.com", NULL, "exactly one '@'");
    refused("email", "ann@localhost", NULL, "not a valid address");
    refused("email", "ann lee@example.com", NULL, "not a valid address");
    refused("email", "   ", NULL, "empty");
}

static void test_ident__phones_become_e164(void **s)
{
    (void)s;
    ok("phone", "+44 20 7946 0958", NULL, "+442079460958");
    ok("phone", "0044 (20) 7946-0958", NULL, "+442079460958");
    ok("phone", "020 7946 0958", "GB", "+442079460958");
    ok("phone", "01 23 45 67 89", "FR", "+33123456789");
    ok("phone", "06 1234 5678", "IT", "+390612345678"); /* Italy keeps 0 */
    ok("phone", "1 (212) 555-0199", "US", "+12125550199");
    ok("msisdn", "+385 91 234 5678", NULL, "+385912345678");
    refused("phone", "020 7946 0958", NULL, "default country");
    refused("phone", "020 7946 0958", "ZZ", "unknown default country");
    refused("phone", "+44 20 79x6 0958", NULL, "characters other than");
    refused("phone", "+44 12", NULL, "too few digits");
    refused("phone", "+44 1234 5678 9012 345", NULL, "15 digits");
    refused("msisdn", "+0123456789", NULL, "no valid country code");
}

static void test_ident__imei_needs_its_check_digit(void **s)
{
    (void)s;
    ok("imei", "49-015420-323751-8", NULL, "490154203237518");
    ok("imei", "35 209900 176148 1", NULL, "352099001761481");
    refused("imei", "490154203237517", NULL, "fails its check digit");
    refused("imei", "49015420323751", NULL, "must have 15 digits");
    refused("imei", "49015420323751A", NULL, "other than digits");
}

static void test_ident__imsi_ip_and_custom_types(void **s)
{
    (void)s;
    ok("imsi", "219 01 1234567890", NULL, "219011234567890");
    refused("imsi", "12345", NULL, "6 to 15 digits");
    ok("ip", " 192.168.1.10 ", NULL, "192.168.1.10");
    refused("ip", "192.168.001.10", NULL, "neither IPv4 nor IPv6");
    ok("ip", "2001:DB8:0:0:0:0:0:1", NULL, "2001:db8::1");
    refused("ip", "300.1.1.1", NULL, "neither IPv4 nor IPv6");
    ok("account_id", "  ACME-001 ", NULL, "ACME-001");
    ok("x-crm.id", " CRM 42 ", NULL, "CRM 42");
    refused("CRM", "42", NULL, "malformed");
    refused("crm id", "42", NULL, "malformed");
}

static void test_ident__calling_codes(void **s)
{
    (void)s;
    assert_string_equal(sw_country_calling_code("gb"), "44");
    assert_string_equal(sw_country_calling_code("HR"), "385");
    assert_null(sw_country_calling_code("XX"));
    assert_null(sw_country_calling_code(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ident__email_is_trimmed_and_lower_cased),
        cmocka_unit_test(test_ident__phones_become_e164),
        cmocka_unit_test(test_ident__imei_needs_its_check_digit),
        cmocka_unit_test(test_ident__imsi_ip_and_custom_types),
        cmocka_unit_test(test_ident__calling_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
