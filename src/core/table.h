/* SPDX-License-Identifier: Apache-2.0 */
/* Memory for a large in-memory table (the decision caches): zeroed, on
 * huge pages where the kernel offers them, each page cleared only when it
 * is first touched, so a table sized for what may come costs only what is
 * used. */
#ifndef STEWARD_TABLE_INT_H
#define STEWARD_TABLE_INT_H

#include <stddef.h>

/* bytes of zeros, or NULL when out of memory; sw_table_free frees it. */
void *sw_table_alloc(size_t bytes);
void sw_table_free(void *p);

#endif
