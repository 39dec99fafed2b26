/* SPDX-License-Identifier: Apache-2.0 */
/* The retention audit's SQL (inventory_sql.c): for each kind of stored
 * data, how many items fall in each class of why they are kept. Private
 * to libsteward. */
#ifndef STEWARD_INVENTORY_SQL_H
#define STEWARD_INVENTORY_SQL_H

#include "steward/retention.h"
#include "store/store_int.h"

/* Which period of the policy a probe's ?2 says is stated (1) or not. */
typedef enum sw_inv_flag {
    SW_INV_NONE = 0,
    SW_INV_ORPHAN,        /* ledger.orphan_subject */
    SW_INV_RELEASED_HOLD, /* ledger.released_hold */
    SW_INV_REQUEST_RULE,  /* a period after request_closed */
} sw_inv_flag;

typedef struct sw_inv_why {
    sw_kept_class cls;
    const char *reason;
} sw_inv_why;

/* One kind of data. count_sql gives rows (code, count), the code an index
 * into whys; list_sql rows (id, code) of the unexplained items, its last
 * parameter the limit. Parameters: none (nargs 0), ?1 now (1), ?1 now
 * and ?2 whether the flag's period is stated (2). */
typedef struct sw_inv_probe {
    const char *kind;
    bool personal;
    int nargs;
    sw_inv_flag flag;
    const char *count_sql;
    const char *list_sql;
    const sw_inv_why *whys;
    size_t n_whys;
} sw_inv_probe;

extern const sw_inv_probe sw_inv_probes[];
extern const size_t sw_inv_n_probes;

typedef int (*sw_inv_count_cb)(int code, size_t count, void *ctx);
typedef int (*sw_inv_item_cb)(const char *id, int code, void *ctx);
sw_status sw_inv_count(sw_store *s, const sw_inv_probe *p, const sw_val *args,
                       sw_inv_count_cb cb, void *ctx);
sw_status sw_inv_list(sw_store *s, const sw_inv_probe *p, const sw_val *args,
                      size_t limit, sw_inv_item_cb cb, void *ctx);

/* Records: how many have a due instant; those without one grouped by
 * activity, category and their subject's kind (NULL: the subject is
 * gone); the ids of one such group. */
sw_status sw_inv_records_dated(sw_store *s, size_t *n);
typedef int (*sw_inv_group_cb)(const char *activity, const char *category,
                               const char *kind, size_t count, void *ctx);
sw_status sw_inv_records_undated(sw_store *s, sw_inv_group_cb cb, void *ctx);
sw_status sw_inv_records_undated_ids(sw_store *s, const char *activity,
                                     const char *category, const char *kind,
                                     size_t limit, sw_inv_item_cb cb,
                                     void *ctx);
/* The rows of one month of traffic detail records. */
sw_status sw_inv_traffic_rows(sw_store *s, int month, size_t *n);

#endif
