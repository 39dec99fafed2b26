/* SPDX-License-Identifier: Apache-2.0 */
/* The schema of a store (schema.c). Private to libsteward. */
#ifndef STEWARD_STORE_SCHEMA_H
#define STEWARD_STORE_SCHEMA_H

#include "store/store_int.h"

/* Step v-1 takes a store from version v-1 to v. */
extern const char *const sw_schema_steps[SW_SCHEMA_LATEST];
/* Every table the steps make, NULL-ended. */
extern const char *const sw_schema_tables[];

#endif
