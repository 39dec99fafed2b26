#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The demo's sales CRM (make run): an SQLite file of contacts, their orders
# and notes, that the demo policy declares as the system "crm"
# (policies/demo/crm-systems.yaml). Pat Lee and Quinn Roy are prospects in
# it and in the store: an access request for either collects their CRM
# rows, an erasure removes them; Quinn was last contacted long ago, so the
# sweep anonymises Quinn's contact.
#   scripts/demo-crm.sh BUILD_DIR STORE CRM_FILE
set -eu
BUILD=$1
STORE=$2
CRM=$3
sqlite3 "$CRM" <<SQL
CREATE TABLE contacts(id INTEGER PRIMARY KEY, name TEXT, email TEXT,
    phone TEXT, company TEXT, last_contact_at TEXT);
CREATE INDEX contacts_email ON contacts(email);
CREATE TABLE orders(id INTEGER PRIMARY KEY,
    contact_id INTEGER REFERENCES contacts(id), item TEXT);
CREATE TABLE notes(id INTEGER PRIMARY KEY,
    contact_id INTEGER REFERENCES contacts(id), body TEXT);
INSERT INTO contacts VALUES
    (1, 'Pat Lee', 'pat.lee@example.com', '+447700900123', 'Lee Trading',
     '$(date -u -d "-20 days" '+%F %T')'),
    (2, 'Quinn Roy', 'quinn.roy@example.com', NULL, 'Roy Ltd',
     '$(date -u -d "-400 days" '+%F %T')');
INSERT INTO orders VALUES (1, 1, 'SMS bundle 10k'), (2, 1, 'Voice trial'),
    (3, 2, 'E-mail API');
INSERT INTO notes VALUES (1, 1, 'asked for a demo of the voice API'),
    (2, 2, 'no budget this year');
SQL
chmod 600 "$CRM"
for e in pat.lee@example.com quinn.roy@example.com; do
    "$BUILD/steward" subject add --kind prospect --email "$e" --store "$STORE" >/dev/null
done
