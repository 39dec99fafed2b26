/* SPDX-License-Identifier: Apache-2.0 */
/* JSON text of jansson values, as the audit trail keeps it. Private to
 * libsteward. */
#ifndef STEWARD_CORE_JSON_H
#define STEWARD_CORE_JSON_H

/* Compact JSON text with sorted keys; takes the value's reference (a
 * json_t *, may be NULL); the caller frees the text. NULL when out of
 * memory or value is NULL. */
char *sw_json_text(void *value);

/* Overwrites every string value in value (a json_t *, may be NULL) with
 * zeros, before the value is released: personal data read for an answer
 * does not linger in freed memory. */
void sw_json_wipe(void *value);

#endif
