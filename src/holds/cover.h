/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule for holds: what an active legal hold keeps from deletion, as
 * SQL every sweep and check that honours holds is made of. Each part is
 * written here once. Private to libsteward.
 *
 * A hold names a scope (SW_EV_*: a record, a subject, an account, an
 * activity) and keeps everything inside it until it is released.
 */
#ifndef STEWARD_HOLDS_COVER_H
#define STEWARD_HOLDS_COVER_H

#include "ledger/ledger_sql.h"

/* An active hold h covers record r (of subject s, joined on r's
 * subject): through the record, its subject, its subject's account, or
 * its activity. */
#define SW_HOLD_COVERS_RECORD                                                  \
    "h.released_at IS NULL AND ("                                              \
    "(h.scope = " SQL_EV_RECORD " AND h.scope_key = CAST(r.id AS BLOB))"       \
    " OR (h.scope = " SQL_EV_SUBJECT                                           \
    " AND h.scope_key = CAST(r.subject_id AS BLOB))"                           \
    " OR (h.scope = " SQL_EV_ACCOUNT " AND h.scope_key = s.account_bi)"        \
    " OR (h.scope = " SQL_EV_ACTIVITY                                          \
    " AND h.scope_key = CAST(r.activity AS BLOB)))"

/* Whether any hold covers record r (of subject s). */
#define SW_RECORD_HELD                                                         \
    "EXISTS (SELECT 1 FROM holds h WHERE " SW_HOLD_COVERS_RECORD ")"

/* Whether an active hold keeps subject s: on itself or on its account. */
#define SW_SUBJECT_HELD                                                        \
    "EXISTS (SELECT 1 FROM holds h WHERE h.released_at IS NULL AND"            \
    " ((h.scope = " SQL_EV_SUBJECT " AND h.scope_key = CAST(s.id AS BLOB))"    \
    " OR (h.scope = " SQL_EV_ACCOUNT " AND h.scope_key = s.account_bi)))"

/* A traffic detail record t is kept by an active hold on its account
 * (held accounts by name), on the detail record itself (by id), or on
 * the whole activity (a constant: its target bound as A). */
#define SW_HELD_ACCOUNTS                                                       \
    "(SELECT target FROM holds WHERE scope = " SQL_EV_ACCOUNT                  \
    " AND released_at IS NULL)"
#define SW_HELD_DETAIL_RECORDS                                                 \
    "(SELECT target FROM holds WHERE scope = " SQL_EV_RECORD                   \
    " AND released_at IS NULL)"
#define SW_HELD_ACTIVITY(A)                                                    \
    "EXISTS (SELECT 1 FROM holds WHERE scope = " SQL_EV_ACTIVITY               \
    " AND released_at IS NULL AND target = " A ")"

#endif
