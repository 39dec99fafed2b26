--
-- PostgreSQL database dump
--

\restrict d3BaIkob1UBy41mhgUIilrRxTRb9XswdgMbI5VIou26WhmciaVHklw9CjyQW9el

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: aggregates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.aggregates (
    activity text NOT NULL,
    category text NOT NULL,
    month text NOT NULL,
    rule text NOT NULL,
    count bigint NOT NULL
);


--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id text NOT NULL,
    hash bytea NOT NULL,
    role text NOT NULL,
    label text NOT NULL,
    created_by text NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
);


--
-- Name: audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit (
    seq bigint NOT NULL,
    at bigint NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    subject_id text,
    objects text NOT NULL,
    details text NOT NULL,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL,
    written_at bigint
);


--
-- Name: bills; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bills (
    account text NOT NULL,
    period text NOT NULL,
    status text NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: consent_changes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consent_changes (
    consent_id text NOT NULL,
    seq bigint NOT NULL,
    state text NOT NULL,
    at bigint NOT NULL,
    actor text NOT NULL,
    note text
);


--
-- Name: consents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consents (
    id text NOT NULL,
    subject_id text NOT NULL,
    purpose text NOT NULL,
    state text NOT NULL,
    state_at bigint NOT NULL,
    created_at bigint NOT NULL,
    given_at bigint,
    expires_at bigint,
    method text NOT NULL,
    notice_version text NOT NULL,
    form text,
    parental bigint DEFAULT 0 NOT NULL,
    token_hash bytea,
    token_expires bigint,
    seq bigint
);


--
-- Name: epoch_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.epoch_keys (
    day bigint NOT NULL,
    class text NOT NULL,
    wrapped bytea NOT NULL,
    due_at bigint
);


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id text NOT NULL,
    type text NOT NULL,
    scope bigint NOT NULL,
    scope_key bytea NOT NULL,
    at bigint NOT NULL,
    recorded_at bigint NOT NULL
);


--
-- Name: holds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.holds (
    id text NOT NULL,
    kind text NOT NULL,
    scope bigint NOT NULL,
    scope_key bytea NOT NULL,
    target text NOT NULL,
    reason text NOT NULL,
    placed_at bigint NOT NULL,
    placed_by text NOT NULL,
    released_at bigint,
    released_by text
);


--
-- Name: identifiers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.identifiers (
    blind bytea NOT NULL,
    type text NOT NULL,
    subject_id text NOT NULL,
    value bytea NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: objections; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.objections (
    id text NOT NULL,
    subject_id text NOT NULL,
    purpose text NOT NULL,
    at bigint NOT NULL,
    override_reason text,
    override_at bigint,
    override_by text
);


--
-- Name: public_state; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.public_state (
    kind text NOT NULL,
    key bytea NOT NULL,
    value text NOT NULL,
    due_at bigint NOT NULL
);


--
-- Name: records; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.records (
    id text NOT NULL,
    subject_id text NOT NULL,
    activity text NOT NULL,
    category text NOT NULL,
    value bytea NOT NULL,
    source text,
    collected_at bigint NOT NULL,
    due_at bigint,
    rule text
);


--
-- Name: request_changes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.request_changes (
    request_id text NOT NULL,
    seq bigint NOT NULL,
    state text NOT NULL,
    at bigint NOT NULL,
    actor text NOT NULL,
    reason text
);


--
-- Name: requests; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.requests (
    id text NOT NULL,
    type text NOT NULL,
    regulation text NOT NULL,
    subject_id text NOT NULL,
    purpose text,
    state text NOT NULL,
    agent text,
    agent_proof text,
    outcome text,
    received_at bigint NOT NULL,
    due_at bigint NOT NULL,
    first_due_at bigint NOT NULL,
    ack_due_at bigint,
    extended bigint DEFAULT 0 NOT NULL,
    closed_at bigint,
    code_hash bytea,
    code_expires bigint,
    attempts bigint DEFAULT 0 NOT NULL
);


--
-- Name: steward_changes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.steward_changes (
    n bigint NOT NULL
);


--
-- Name: steward_meta; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.steward_meta (
    key text NOT NULL,
    value text NOT NULL
);


--
-- Name: subjects; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.subjects (
    id text NOT NULL,
    kind text NOT NULL,
    role text NOT NULL,
    account_bi bytea,
    tenant_bi bytea,
    account_enc bytea,
    tenant_enc bytea,
    wrapped_key bytea,
    created_at bigint NOT NULL,
    flags bigint DEFAULT 0 NOT NULL,
    minor_until bigint
);


--
-- Name: suppression; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.suppression (
    hash bytea NOT NULL,
    channel text NOT NULL,
    since bigint NOT NULL,
    rule text,
    due_at bigint
);


--
-- Name: traffic; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.traffic (
    month bigint NOT NULL,
    ext_id text NOT NULL,
    account text NOT NULL,
    account_bi bytea NOT NULL,
    channel text NOT NULL,
    at bigint NOT NULL,
    day bigint NOT NULL,
    sender text,
    country text,
    key_class text,
    ids bytea,
    dest_bi bytea,
    duration bigint,
    op text,
    route text,
    price text,
    currency text
)
PARTITION BY LIST (month);


--
-- Name: traffic_202610; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.traffic_202610 (
    month bigint NOT NULL,
    ext_id text NOT NULL,
    account text NOT NULL,
    account_bi bytea NOT NULL,
    channel text NOT NULL,
    at bigint NOT NULL,
    day bigint NOT NULL,
    sender text,
    country text,
    key_class text,
    ids bytea,
    dest_bi bytea,
    duration bigint,
    op text,
    route text,
    price text,
    currency text
);


--
-- Name: traffic_202611; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.traffic_202611 (
    month bigint NOT NULL,
    ext_id text NOT NULL,
    account text NOT NULL,
    account_bi bytea NOT NULL,
    channel text NOT NULL,
    at bigint NOT NULL,
    day bigint NOT NULL,
    sender text,
    country text,
    key_class text,
    ids bytea,
    dest_bi bytea,
    duration bigint,
    op text,
    route text,
    price text,
    currency text
);


--
-- Name: traffic_months; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.traffic_months (
    month bigint NOT NULL
);


--
-- Name: traffic_202610; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.traffic ATTACH PARTITION public.traffic_202610 FOR VALUES IN ('202610');


--
-- Name: traffic_202611; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.traffic ATTACH PARTITION public.traffic_202611 FOR VALUES IN ('202611');


--
-- Data for Name: aggregates; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.aggregates (activity, category, month, rule, count) FROM stdin;
\.


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.api_keys (id, hash, role, label, created_by, created_at, revoked_at) FROM stdin;
\.


--
-- Data for Name: audit; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.audit (seq, at, actor, action, subject_id, objects, details, prev_hash, hash, written_at) FROM stdin;
1	1796226178	cli:root	store.init	\N	[]	{}	\\x0000000000000000000000000000000000000000000000000000000000000000	\\x2a4dcabb5de6b48c8084a1dbe33e2efdac423fc79008cab694d41ace20e63825	1796226178
2	1795168800	cli:root	traffic.ingest	\N	[]	{"bad":0,"format":"ndjson","lines":2,"stored":2,"stored_without_identifiers":0}	\\x2a4dcabb5de6b48c8084a1dbe33e2efdac423fc79008cab694d41ace20e63825	\\x89003404351af5fb02d255a8fcd4299df61c8239d88dbc61e504910eabade7bb	1796226185
3	1795168800	cli:root	traffic.disclose	\N	[]	{"purpose":"traffic.find","records":2,"type":"msisdn"}	\\x89003404351af5fb02d255a8fcd4299df61c8239d88dbc61e504910eabade7bb	\\xb09b6c2a7c270529fbe72d3bbd664856c3b4587b8830a0c299b17aa61a6f2285	1796226185
4	1795168800	cli:root	subject.add	sub_6b001a20db3862f9a618	["sub_6b001a20db3862f9a618"]	{"account":true,"identifiers":["email"],"kind":"customer","role":"controller","tenant":false}	\\xb09b6c2a7c270529fbe72d3bbd664856c3b4587b8830a0c299b17aa61a6f2285	\\xece168f6d3c62929c28ceca3d13cdbfc750200bf4c9022981e29357b08bc7b4e	1796226191
5	1795168800	cli:root	record.add	sub_6b001a20db3862f9a618	["sub_6b001a20db3862f9a618","rec_6b001a206d214f54c7e2"]	{"activity":"customer_account","category":"user.name","collected_at":"2026-11-20T10:00:00Z","rule":"customer_account.customer"}	\\xece168f6d3c62929c28ceca3d13cdbfc750200bf4c9022981e29357b08bc7b4e	\\x412e5178ca9896765a52633054212e830a1bf339b890ff22e4e21ee7e4abbf49	1796226194
6	1795168800	cli:root	hold.place	\N	["hold_6b001a20650687bb1ba8"]	{"kind":"billing_dispute","scope":"account"}	\\x412e5178ca9896765a52633054212e830a1bf339b890ff22e4e21ee7e4abbf49	\\x574bf599013904dfda6f4f65c6fd38c46a9094bfa94ebfd46037cdbe85adede4	1796226197
7	1795168800	cli:root	subject.disclose	sub_6b001a20db3862f9a618	["sub_6b001a20db3862f9a618"]	{"identifiers":1,"purpose":"subject.show","records":1}	\\x574bf599013904dfda6f4f65c6fd38c46a9094bfa94ebfd46037cdbe85adede4	\\x54bb6c687859a8dea87e7150d89233c2bbc16d6e64a19da42078b0af903e0254	1796226197
8	1795168800	cli:root	request.open	sub_6b001a20db3862f9a618	["req_6b001a200c4021b5c177"]	{"reason":"verification code sent","regulation":"gdpr","state":"verifying","type":"access"}	\\x54bb6c687859a8dea87e7150d89233c2bbc16d6e64a19da42078b0af903e0254	\\xcfc286e0220826dc7ce9bdc330213bc679311aa4381c14acc41e111005b5111f	1796226197
9	1795168800	cli:root	suppression.add	\N	[]	{"channel":"email","consents_withdrawn":0,"type":"email"}	\\xcfc286e0220826dc7ce9bdc330213bc679311aa4381c14acc41e111005b5111f	\\x39b00d79358e06ec7c3dfdc667433cec5efcc0fb28f9a08f76261652e4a3276b	1796226197
10	1795168800	cli:root	subject.add	\N	["sub_6b001a207bb25f7389aa"]	{"batch":true,"subjects":1}	\\x39b00d79358e06ec7c3dfdc667433cec5efcc0fb28f9a08f76261652e4a3276b	\\xed496cb3c1167f2043f53c9657f272858d99f855d7225cc6d8895883e33962a0	1796226202
11	1795168800	cli:root	record.add	\N	["sub_6b001a207bb25f7389aa","rec_6b001a208eb77520fded"]	{"batch":true,"records":1}	\\xed496cb3c1167f2043f53c9657f272858d99f855d7225cc6d8895883e33962a0	\\xa9677b4b08507dcbc55e3e16ff4f8290d7c222554cfabd5a0af2eff69e3ba38f	1796226202
12	1795168800	cli:root	consent.give	sub_6b001a207bb25f7389aa	["con_6b001a208d7e1bb40490"]	{"at":"2026-11-20T10:00:00Z","method":"web_form","note":"pending confirmation (double opt-in)","purpose":"marketing.communications.email","state":"requested"}	\\xa9677b4b08507dcbc55e3e16ff4f8290d7c222554cfabd5a0af2eff69e3ba38f	\\x9943098de85f0ba9e94ff0de195eb2542ed5635d8cc2dc8dfc22594fd3f372c7	1796226202
\.


--
-- Data for Name: bills; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.bills (account, period, status, updated_at) FROM stdin;
\.


--
-- Data for Name: consent_changes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.consent_changes (consent_id, seq, state, at, actor, note) FROM stdin;
con_6b001a208d7e1bb40490	1	requested	1795168800	cli:root	pending confirmation (double opt-in)
\.


--
-- Data for Name: consents; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.consents (id, subject_id, purpose, state, state_at, created_at, given_at, expires_at, method, notice_version, form, parental, token_hash, token_expires, seq) FROM stdin;
con_6b001a208d7e1bb40490	sub_6b001a207bb25f7389aa	marketing.communications.email	requested	1795168800	1795168800	\N	\N	web_form	2025-06	\N	0	\\x01ab179b5cdb15e76f018e77fbd06b76a62460c96d640c9d4895a0e92664abf7	1795773600	1
\.


--
-- Data for Name: epoch_keys; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.epoch_keys (day, class, wrapped, due_at) FROM stdin;
20776		\\xeda63d868696d06084f84e66f98f80ec4265a5cd0bd4f6f016b18f5a25d8f3afeb9a41a816aff2eb57a83f9c4c2b0892c49c5ceeb176e9b59c8ffaf50ebf3ea246419d4f1067032c	1826668800
20754		\\x7d60d4c9238f1017a59980a4577f3969aec07ef43c87c52ab0b221289bd4c6965d4ce9ebb32298c7164a9e79a45e9976227fa1105818f98e6760deeeb82347136cbd096c3c028f8f	1824768000
\.


--
-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.events (id, type, scope, scope_key, at, recorded_at) FROM stdin;
\.


--
-- Data for Name: holds; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.holds (id, kind, scope, scope_key, target, reason, placed_at, placed_by, released_at, released_by) FROM stdin;
hold_6b001a20650687bb1ba8	billing_dispute	2	\\x12241072b9e63a070ced3986cff70808	PG-ACCOUNT	fixture	1795168800	cli:root	\N	\N
\.


--
-- Data for Name: identifiers; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.identifiers (blind, type, subject_id, value, created_at) FROM stdin;
\\x9f891e5b905e1227e1887544ef04668f	email	sub_6b001a20db3862f9a618	\\x5cad554d18ecd0dffa0ae14a5ca312cf505668435f775342c687611ffa02eadfbd13447a9e8cb808ff13b78edbe120b388d9062a2402e99351b6	1795168800
\\x3eb5fccd4bd6c16dfdac13af9f0d76c7	email	sub_6b001a207bb25f7389aa	\\x7faedd8f544680326c424af3a65bbcb925e75252ebba38b2fdeec59ae4d2006b8ea19c08761c8d1f497fbaccc446c3f930bfd34c204c7f	1795168800
\.


--
-- Data for Name: objections; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.objections (id, subject_id, purpose, at, override_reason, override_at, override_by) FROM stdin;
\.


--
-- Data for Name: public_state; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.public_state (kind, key, value, due_at) FROM stdin;
\.


--
-- Data for Name: records; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.records (id, subject_id, activity, category, value, source, collected_at, due_at, rule) FROM stdin;
rec_6b001a206d214f54c7e2	sub_6b001a20db3862f9a618	customer_account	user.name	\\xdc7209ea673434794ba98da4f08a30d5c22af36007a802f818e87da5ba5ef7dbee7a3d8707ad949dcfdbf6a2f54c7d537ebfaa	\N	1795168800	\N	customer_account.customer
rec_6b001a208eb77520fded	sub_6b001a207bb25f7389aa	email_marketing	user.contact.email	\\x6a8cf6abcc94a1a2fd17a280cf3a9bc13e2728cd468dc50335c91c7605e65260c289a83ebe93e7c11959d780a206a81b4b793033b58d19	data_subject	1795168800	\N	email_marketing.subscription
\.


--
-- Data for Name: request_changes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.request_changes (request_id, seq, state, at, actor, reason) FROM stdin;
req_6b001a200c4021b5c177	1	received	1795168800	cli:root	\N
req_6b001a200c4021b5c177	2	verifying	1795168800	cli:root	verification code sent
\.


--
-- Data for Name: requests; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.requests (id, type, regulation, subject_id, purpose, state, agent, agent_proof, outcome, received_at, due_at, first_due_at, ack_due_at, extended, closed_at, code_hash, code_expires, attempts) FROM stdin;
req_6b001a200c4021b5c177	access	gdpr	sub_6b001a20db3862f9a618	\N	verifying	\N	\N	\N	1795168800	1797760800	1797760800	\N	0	\N	\\x10e7eb095c5c4f4346c68b98ae0f174400000000000000000000000000000000	1795169700	0
\.


--
-- Data for Name: steward_changes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.steward_changes (n) FROM stdin;
9
\.


--
-- Data for Name: steward_meta; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.steward_meta (key, value) FROM stdin;
schema_version	7
key_check	23e6470f0bbdfc74f7bae89574bb21163c755e901c9ba32220a3ace6aaaf46f4
audit_seal	12 9943098de85f0ba9e94ff0de195eb2542ed5635d8cc2dc8dfc22594fd3f372c7 2de22f19b016b347d72f1636c25729fc6b4095d56e521bb195941ec74f51c318
\.


--
-- Data for Name: subjects; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.subjects (id, kind, role, account_bi, tenant_bi, account_enc, tenant_enc, wrapped_key, created_at, flags, minor_until) FROM stdin;
sub_6b001a20db3862f9a618	customer	controller	\\x12241072b9e63a070ced3986cff70808	\N	\\x2054b4f134acde1240a8a0463c62fc6bb59e895bea0ffcd8273073c66e5a1f7c3b137e4ec6672069db672fad816e8aa8e7f6	\N	\\x72bcac8d7b2a954b97f65a7d9f4747445dd1890596ec973ad113f958649e5c69e3762af8871670c7e072ffbec526e9e5fe75fb633838b726f0e15b41a547b4e52239a4f04f277ce3	1795168800	0	\N
sub_6b001a207bb25f7389aa	marketing_subscriber	controller	\N	\N	\N	\N	\\x92621632c849edf9263e493821740a0281d4af9289080d8e872d99f33fa0c5b23391ff40549797d4fd02248946d6986409eebf41c459da1ee764dc6d9914fe1938f576c5f1a33747	1795168800	0	\N
\.


--
-- Data for Name: suppression; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.suppression (hash, channel, since, rule, due_at) FROM stdin;
\\x5b94a3eae2ec89d93b5281b2ba5d7ce4	email	1795168800	\N	\N
\.


--
-- Data for Name: traffic_202610; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.traffic_202610 (month, ext_id, account, account_bi, channel, at, day, sender, country, key_class, ids, dest_bi, duration, op, route, price, currency) FROM stdin;
202610	cdr-legacy-2	PG-ACCOUNT	\\x12241072b9e63a070ced3986cff70808	sms	1793174400	20754	ACME	GB		\\x9a3dba40ce3199ece40007cb1c5a3405e934628ce1074db094741d0ea0385f6763778f4008fa7a095120d46cdbd0674548bb49ccf242a1	\\xb9c72a8888314d22cfeff9462b9cf72a	0	op1	r1	0.01	EUR
\.


--
-- Data for Name: traffic_202611; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.traffic_202611 (month, ext_id, account, account_bi, channel, at, day, sender, country, key_class, ids, dest_bi, duration, op, route, price, currency) FROM stdin;
202611	cdr-legacy-1	PG-ACCOUNT	\\x12241072b9e63a070ced3986cff70808	sms	1795075200	20776	ACME	GB		\\xdb2e307e1e1ecffc3bf75f393fd8a489d755e4b0c9fb59689e027d664073aa54e10f4cc8028d6242ed41f9d53bf010e9b2dc822b71a30f5af6019787b3dd2af075bfadd6fa4f	\\xc5ccf415443b612001a6b43e8b6987f9	0	op1	r1	0.01	EUR
\.


--
-- Data for Name: traffic_months; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.traffic_months (month) FROM stdin;
202611
202610
\.


--
-- Name: aggregates aggregates_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.aggregates
    ADD CONSTRAINT aggregates_pkey PRIMARY KEY (activity, category, month, rule);


--
-- Name: api_keys api_keys_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_hash_key UNIQUE (hash);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: audit audit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (seq);


--
-- Name: bills bills_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bills
    ADD CONSTRAINT bills_pkey PRIMARY KEY (account, period);


--
-- Name: consent_changes consent_changes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consent_changes
    ADD CONSTRAINT consent_changes_pkey PRIMARY KEY (consent_id, seq);


--
-- Name: consents consents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consents
    ADD CONSTRAINT consents_pkey PRIMARY KEY (id);


--
-- Name: epoch_keys epoch_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.epoch_keys
    ADD CONSTRAINT epoch_keys_pkey PRIMARY KEY (day, class);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: holds holds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.holds
    ADD CONSTRAINT holds_pkey PRIMARY KEY (id);


--
-- Name: identifiers identifiers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identifiers
    ADD CONSTRAINT identifiers_pkey PRIMARY KEY (blind);


--
-- Name: objections objections_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.objections
    ADD CONSTRAINT objections_pkey PRIMARY KEY (id);


--
-- Name: public_state public_state_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.public_state
    ADD CONSTRAINT public_state_pkey PRIMARY KEY (kind, key);


--
-- Name: records records_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.records
    ADD CONSTRAINT records_pkey PRIMARY KEY (id);


--
-- Name: request_changes request_changes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.request_changes
    ADD CONSTRAINT request_changes_pkey PRIMARY KEY (request_id, seq);


--
-- Name: requests requests_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.requests
    ADD CONSTRAINT requests_pkey PRIMARY KEY (id);


--
-- Name: steward_meta steward_meta_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.steward_meta
    ADD CONSTRAINT steward_meta_pkey PRIMARY KEY (key);


--
-- Name: subjects subjects_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subjects
    ADD CONSTRAINT subjects_pkey PRIMARY KEY (id);


--
-- Name: suppression suppression_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.suppression
    ADD CONSTRAINT suppression_pkey PRIMARY KEY (hash, channel);


--
-- Name: traffic traffic_month_ext_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.traffic
    ADD CONSTRAINT traffic_month_ext_id_key UNIQUE (month, ext_id);


--
-- Name: traffic_202610 traffic_202610_month_ext_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.traffic_202610
    ADD CONSTRAINT traffic_202610_month_ext_id_key UNIQUE (month, ext_id);


--
-- Name: traffic_202611 traffic_202611_month_ext_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.traffic_202611
    ADD CONSTRAINT traffic_202611_month_ext_id_key UNIQUE (month, ext_id);


--
-- Name: traffic_months traffic_months_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.traffic_months
    ADD CONSTRAINT traffic_months_pkey PRIMARY KEY (month);


--
-- Name: audit_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_subject ON public.audit USING btree (subject_id) WHERE (subject_id IS NOT NULL);


--
-- Name: consents_expiry; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX consents_expiry ON public.consents USING btree (expires_at) WHERE (expires_at IS NOT NULL);


--
-- Name: consents_seq; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX consents_seq ON public.consents USING btree (seq);


--
-- Name: consents_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX consents_subject ON public.consents USING btree (subject_id, purpose, created_at);


--
-- Name: consents_token; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX consents_token ON public.consents USING btree (token_hash) WHERE (token_hash IS NOT NULL);


--
-- Name: epoch_keys_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX epoch_keys_due ON public.epoch_keys USING btree (due_at) WHERE (due_at IS NOT NULL);


--
-- Name: events_key; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_key ON public.events USING btree (scope, scope_key);


--
-- Name: events_lookup; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_lookup ON public.events USING btree (type, scope, scope_key, at);


--
-- Name: holds_active; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX holds_active ON public.holds USING btree (scope, scope_key) WHERE (released_at IS NULL);


--
-- Name: identifiers_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX identifiers_subject ON public.identifiers USING btree (subject_id);


--
-- Name: objections_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX objections_subject ON public.objections USING btree (subject_id, purpose, at);


--
-- Name: public_state_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX public_state_due ON public.public_state USING btree (due_at);


--
-- Name: records_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX records_due ON public.records USING btree (due_at) WHERE (due_at IS NOT NULL);


--
-- Name: records_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX records_subject ON public.records USING btree (subject_id);


--
-- Name: requests_open; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX requests_open ON public.requests USING btree (due_at) WHERE (closed_at IS NULL);


--
-- Name: requests_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX requests_subject ON public.requests USING btree (subject_id, type) WHERE (closed_at IS NULL);


--
-- Name: subjects_account; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX subjects_account ON public.subjects USING btree (account_bi) WHERE (account_bi IS NOT NULL);


--
-- Name: subjects_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX subjects_tenant ON public.subjects USING btree (tenant_bi) WHERE (tenant_bi IS NOT NULL);


--
-- Name: suppression_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX suppression_due ON public.suppression USING btree (due_at) WHERE (due_at IS NOT NULL);


--
-- Name: traffic_day; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX traffic_day ON ONLY public.traffic USING btree (day, account);


--
-- Name: traffic_202610_day_account_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX traffic_202610_day_account_idx ON public.traffic_202610 USING btree (day, account);


--
-- Name: traffic_dest; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX traffic_dest ON ONLY public.traffic USING btree (dest_bi) WHERE (dest_bi IS NOT NULL);


--
-- Name: traffic_202610_dest_bi_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX traffic_202610_dest_bi_idx ON public.traffic_202610 USING btree (dest_bi) WHERE (dest_bi IS NOT NULL);


--
-- Name: traffic_202611_day_account_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX traffic_202611_day_account_idx ON public.traffic_202611 USING btree (day, account);


--
-- Name: traffic_202611_dest_bi_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX traffic_202611_dest_bi_idx ON public.traffic_202611 USING btree (dest_bi) WHERE (dest_bi IS NOT NULL);


--
-- Name: traffic_202610_day_account_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.traffic_day ATTACH PARTITION public.traffic_202610_day_account_idx;


--
-- Name: traffic_202610_dest_bi_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.traffic_dest ATTACH PARTITION public.traffic_202610_dest_bi_idx;


--
-- Name: traffic_202610_month_ext_id_key; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.traffic_month_ext_id_key ATTACH PARTITION public.traffic_202610_month_ext_id_key;


--
-- Name: traffic_202611_day_account_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.traffic_day ATTACH PARTITION public.traffic_202611_day_account_idx;


--
-- Name: traffic_202611_dest_bi_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.traffic_dest ATTACH PARTITION public.traffic_202611_dest_bi_idx;


--
-- Name: traffic_202611_month_ext_id_key; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.traffic_month_ext_id_key ATTACH PARTITION public.traffic_202611_month_ext_id_key;


--
-- PostgreSQL database dump complete
--

\unrestrict d3BaIkob1UBy41mhgUIilrRxTRb9XswdgMbI5VIou26WhmciaVHklw9CjyQW9el

