/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Identifiers and their normalisation. Before an identifier is blind-indexed
 * or compared it is brought to one canonical form (see docs/ledger.md):
 *   email       trimmed, lower-cased; one '@', a dot in the domain
 *   phone       E.164 "+<country code><number>": spaces, dashes, dots and
 *   msisdn      brackets dropped; "00" becomes "+"; a national number gets
 *               the default country's code (its trunk "0" dropped)
 *   imsi        digits only, 6 to 15 of them
 *   imei        digits only, exactly 15, Luhn check digit verified
 *   account_id  trimmed
 *   ip          IPv4 or IPv6 in canonical text form
 *   other types (customer-defined, [a-z][a-z0-9_.-]*): trimmed
 * Pure functions, thread-safe.
 */
#ifndef STEWARD_IDENT_H
#define STEWARD_IDENT_H

#include <stdbool.h>
#include <stddef.h>

#include "steward/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest normalised identifier, NUL included. */
#define SW_IDENT_MAX 320

/* true when type is a built-in type or a well-formed customer type. */
bool sw_ident_type_valid(const char *type);

/*
 * Normalises value of the given type into out (SW_IDENT_MAX bytes).
 * default_country (ISO 3166-1 alpha-2, e.g. "GB", or NULL) completes
 * national phone numbers. On SW_ERR_INVALID, why (size whyn) says what is
 * wrong in one phrase ("phone number '12' has too few digits").
 */
sw_status sw_ident_normalise(const char *type, const char *value,
                             const char *default_country, char *out, char *why,
                             size_t whyn);

/* The identifier space a type shares its blind index in: "phone" for
 * "msisdn" (one number, whichever name it was given under), the type
 * itself otherwise. Two subjects cannot hold the same value in one
 * space, and a look-up under either name finds it. */
const char *sw_ident_space(const char *type);

/* The calling code of an ISO 3166-1 alpha-2 country ("44" for "GB"), or
 * NULL when steward does not know it. */
const char *sw_country_calling_code(const char *iso2);

#ifdef __cplusplus
}
#endif
#endif
