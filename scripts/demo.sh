#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Loads a generated demo data set into a store, through the CLI: customers
# and their account users, traffic of their end users, subscribers,
# applicants, lifecycle events, a hold and a few data-subject requests.
#   scripts/demo.sh BUILD_DIR STORE
set -eu
BUILD=$1
STORE=$2
ST="$BUILD/steward"
q() { "$ST" "$@" --store "$STORE" >/dev/null; }
id() { "$ST" "$@" --store "$STORE" --json | sed -n 's/^ *"id": "\([^"]*\)".*/\1/p' | head -n 1; }

first="Ann Ben Cara Dev Eli Fay Gus Hana Ivo Jun Kai Lea Max Noa Oto Pia Raj Sol Tea Uma"
last="Smith Jones Brown Garcia Müller Rossi Dubois Novak Silva Kowalski"

i=0
for f in $first; do
    i=$((i + 1))
    l=$(echo "$last" | cut -d' ' -f$(( (i % 10) + 1 )))
    acct="ACC-$i"
    email=$(echo "$f.$l" | tr 'A-Z' 'a-z' | sed 's/ü/u/g')@example.com
    sid=$(id subject add --kind customer --account "$acct" --email "$email" \
          --phone "+4477009$(printf '%05d' "$i")")
    q record add --subject "$sid" --activity customer_account \
        --category user.name --value "$f $l" --at 2025-0$(( (i % 9) + 1 ))-10T09:00:00Z
    q record add --subject "$sid" --activity customer_account \
        --category contract.invoice --value "INV-$acct-001" --at 2025-03-15T10:00:00Z
    # an account user of the customer
    uid=$(id subject add --kind customer_user --account "$acct" \
          --email "user$i@$acct.example.com")
    q record add --subject "$uid" --activity customer_account \
        --category user.name --value "User $i of $acct"
    # some accounts closed: the 7-year clock runs
    if [ $((i % 5)) -eq 0 ]; then
        q event add --type account_closed --account "$acct" --at 2025-12-31T00:00:00Z
    fi
done

# subscribers: double opt-in, confirmed; one withdrew
for n in 1 2 3 4 5 6; do
    tok=$("$ST" consent give --email "reader$n@example.org" \
          --purpose marketing.communications.email --method web_form \
          --form newsletter-2026 --kind marketing_subscriber --json --store "$STORE" |
          sed -n 's/^ *"confirmation_token": "\([^"]*\)".*/\1/p')
    q consent confirm "$tok"
done
q consent withdraw --email reader6@example.org --purpose marketing.communications.email
q unsubscribe --email former.reader@example.org

# applicants who consented to the talent pool for two years
for n in 1 2 3; do
    q consent give --email "applicant$n@mail.example" --purpose employment.recruitment \
        --method recruitment_software --period P2Y --kind job_applicant
done

# traffic of end users: identifiers within the 12 months, then stripped
if [ -x "$BUILD/bench/gen-traffic" ]; then
    "$BUILD/bench/gen-traffic" --days 30 --per-day 500 \
        --start "$(date -u -d "-30 days" +%F)" > "$STORE.demo-traffic.ndjson"
    q traffic ingest "$STORE.demo-traffic.ndjson"
    rm -f "$STORE.demo-traffic.ndjson"
fi

# a legal hold, and requests in every state the console shows
q hold place --scope account:ACC-3 --kind billing_dispute --reason "invoice INV-ACC-3-001 disputed"
q request open --type access --regulation gdpr --email ann.jones@example.com
q request open --type erasure --regulation gdpr --email ben.brown@example.com \
    --received 2026-10-01T09:00:00Z
q request open --type know_categories --regulation ccpa --email cara.garcia@example.com
q sweep
echo "demo data loaded into $STORE" >&2
