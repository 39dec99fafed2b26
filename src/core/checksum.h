/* SPDX-License-Identifier: Apache-2.0 */
/* The check digits of identifiers (private to libsteward): the
 * normaliser's IMEI, and the scanner's cards, IBANs and national ids. */
#ifndef STEWARD_CORE_CHECKSUM_H
#define STEWARD_CORE_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>

/* Luhn (ISO/IEC 7812) over n decimal digits, the last the check digit. */
bool sw_luhn_ok(const char *digits, size_t n);
/* ISO 13616: the IBAN's first four characters moved to the end, letters
 * as 10..35, the number modulo 97 is 1 (n letters and digits, upper case). */
bool sw_iban_mod97_ok(const char *iban, size_t n);
/* ISO 7064 MOD 11,10 over n digits, the last the check digit (Croatia's
 * OIB, Germany's tax id). */
bool sw_iso7064_11_10_ok(const char *digits, size_t n);

#endif
