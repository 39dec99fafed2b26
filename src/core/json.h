/* SPDX-License-Identifier: Apache-2.0 */
/* JSON text of jansson values, as the audit trail keeps it. Private to
 * libsteward. */
#ifndef STEWARD_CORE_JSON_H
#define STEWARD_CORE_JSON_H

/* Compact JSON text with sorted keys; takes the value's reference (a
 * json_t *, may be NULL); the caller frees the text. NULL when out of
 * memory or value is NULL. */
char *sw_json_text(void *value);

#endif
