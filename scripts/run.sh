#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make run: a store with the bundled policy, a demo CRM declared as its
# system "crm" (docs/connectors.md) and demo data (the first time),
# a new admin key, then stewardd in the foreground on 127.0.0.1:8080.
#   scripts/run.sh BUILD_DIR
set -eu
BUILD=${1:-build}
VAR=${STEWARD_VAR:-var}
LISTEN=${STEWARD_LISTEN:-127.0.0.1:8080}
STORE="$VAR/steward.db"
mkdir -p "$VAR"
"$BUILD/steward" policy check policies/cpaas-notice.yaml >/dev/null 2>&1 ||
    "$BUILD/steward" policy check policies/cpaas-notice.yaml
# the demo's sales CRM beside the store, a system of the demo policy
CRM="$VAR/crm.db"
STEWARD_DEMO_CRM="$(cd "$VAR" && pwd)/crm.db"
export STEWARD_DEMO_CRM
if [ ! -f "$STORE" ]; then
    cat policies/cpaas-notice.yaml policies/demo/crm-systems.yaml >"$VAR/demo-policy.yaml"
    "$BUILD/steward" init --store "$STORE" --policy "$VAR/demo-policy.yaml" >/dev/null
    echo "steward: new store $STORE (the bundled policy and a demo CRM); loading the demo data..." >&2
    rm -f "$CRM"
    scripts/demo-crm.sh "$BUILD" "$STORE" "$CRM"
    scripts/demo.sh "$BUILD" "$STORE"
fi
KEY=$("$BUILD/steward" key create --role admin --label "make run" --store "$STORE" 2>/dev/null)
cat <<MSG

  steward is starting on http://$LISTEN

  privacy centre   http://$LISTEN/privacy/
  console          http://$LISTEN/console/   (sign in with the admin key)
  API              http://$LISTEN/v1/        (Authorization: Bearer KEY)
  metrics          http://$LISTEN/metrics

  admin key (shown once): $KEY

  messages to people (verification codes, links): $VAR/outbox.ndjson
  the demo customers' e-mail addresses: steward audit log / console Subjects,
  e.g. fay.dubois@example.com (ann.jones@example.com has a request open)

  the demo CRM ($CRM, the policy's system "crm"): an access request for
  pat.lee@example.com collects its contact, orders and notes, an erasure
  removes them; in another shell:
    export STEWARD_DEMO_CRM=$STEWARD_DEMO_CRM STEWARD_STORE=$STORE
    $BUILD/steward system check crm
    $BUILD/steward system rows --email pat.lee@example.com

  Ctrl-C stops it cleanly.

MSG
exec "$BUILD/stewardd" --store "$STORE" --listen "$LISTEN" \
    --outbox "$VAR/outbox.ndjson" --sweep-every 1h --web web
