/* SPDX-License-Identifier: Apache-2.0 */
/* libsteward: the whole public API. */
#ifndef STEWARD_STEWARD_H
#define STEWARD_STEWARD_H

#include "steward/audit.h"
#include "steward/calendar.h"
#include "steward/clock.h"
#include "steward/consent.h"
#include "steward/diag.h"
#include "steward/disclosure.h"
#include "steward/ident.h"
#include "steward/keys.h"
#include "steward/ledger.h"
#include "steward/policy.h"
#include "steward/report.h"
#include "steward/request.h"
#include "steward/retention.h"
#include "steward/scan.h"
#include "steward/status.h"
#include "steward/store.h"
#include "steward/systems.h"
#include "steward/text.h"
#include "steward/traffic.h"

#define STEWARD_VERSION "0.1.0"

#endif
