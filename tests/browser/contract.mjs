// SPDX-License-Identifier: Apache-2.0
// The API's contract, checked by a JSON Schema 2020-12 validator (ajv):
// every answer the OpenAPI walk of tests/integration/test_daemon.c got,
// against the schema docs/openapi.yaml gives its operation and status;
// and every object a response schema describes is closed
// (additionalProperties: false), unless it says why it is open (x-open),
// so a field the daemon adds and the document lacks fails the build.
//   node contract.mjs OPENAPI.yaml ANSWERS.ndjson
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { readFileSync } from 'node:fs';

const [specPath, answersPath] = process.argv.slice(2);
if (!specPath || !answersPath) {
  console.error('usage: node contract.mjs OPENAPI.yaml ANSWERS.ndjson');
  process.exit(2);
}
const spec = YAML.parse(readFileSync(specPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');
const ptr = (...parts) => parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const problems = [];

// ---- every answer against its schema ----
let checked = 0;
for (const line of readFileSync(answersPath, 'utf8').split('\n')) {
  if (!line) continue;
  const a = JSON.parse(line);
  const op = spec.paths[a.path]?.[a.method];
  if (!op) { problems.push(`${a.what}: ${a.method} ${a.path} is not in the document`); continue; }
  const status = op.responses[String(a.status)] ? String(a.status) : 'default';
  let resp = op.responses[status];
  if (resp?.$ref) resp = resp.$ref.split('/').slice(1).reduce((o, k) => o[k], spec);
  if (!resp?.content?.['application/json']) {
    problems.push(`${a.what}: answered JSON with ${a.status}, which the document gives no JSON schema`);
    continue;
  }
  const where = op.responses[status].$ref
    ? op.responses[status].$ref.slice(1) + '/' + ptr('content', 'application/json', 'schema')
    : '/' + ptr('paths', a.path, a.method, 'responses', status, 'content', 'application/json', 'schema');
  const validate = ajv.getSchema('openapi#' + where);
  if (!validate) { problems.push(`${a.what}: no schema at ${where}`); continue; }
  if (!validate(a.body))
    for (const e of validate.errors.slice(0, 40))
      problems.push(`${a.what}: ${e.instancePath || '(the answer)'} ${e.message}` +
        (e.params?.additionalProperty ? ` ('${e.params.additionalProperty}')` : ''));
  checked++;
}

// ---- every object of a response schema closed ----
const seen = new Set();
const open = [];
// closedAbove: a part of an allOf whose schema closes the whole
// (unevaluatedProperties: false) need not close itself
function walk(schema, where, closedAbove = false) {
  if (!schema || typeof schema !== 'object') return;
  if (schema.$ref) {
    const key = schema.$ref + (closedAbove ? ' (a part)' : '');
    if (seen.has(key)) return;
    seen.add(key);
    const target = schema.$ref.split('/').slice(1).reduce((o, k) => o?.[k], spec);
    walk(target, schema.$ref, closedAbove);
    return;
  }
  const isObject = schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object')) ||
    schema.properties;
  const closed = schema.additionalProperties === false || schema.unevaluatedProperties === false;
  if (isObject && !closed && !closedAbove && !schema['x-open'] && typeof schema.additionalProperties !== 'object')
    open.push(where);
  for (const k of ['properties', 'patternProperties', '$defs'])
    for (const [name, sub] of Object.entries(schema[k] || {})) walk(sub, `${where}.${name}`);
  for (const k of ['items', 'additionalProperties', 'not'])
    if (typeof schema[k] === 'object') walk(schema[k], `${where}[]`);
  for (const sub of schema.allOf || []) walk(sub, where, closed || closedAbove);
  for (const k of ['anyOf', 'oneOf'])
    for (const sub of schema[k] || []) walk(sub, where);
}
for (const [path, ops] of Object.entries(spec.paths))
  for (const [method, op] of Object.entries(ops)) {
    if (typeof op !== 'object' || !op.responses) continue;
    for (const [status, r] of Object.entries(op.responses)) {
      const resp = r.$ref ? r.$ref.split('/').slice(1).reduce((o, k) => o[k], spec) : r;
      walk(resp?.content?.['application/json']?.schema, `${method.toUpperCase()} ${path} ${status}`);
    }
  }
for (const w of open) problems.push(`${w}: an object schema that is not closed (additionalProperties: false, or x-open: why)`);

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`contract: ${problems.length} problems (${checked} answers checked)`);
  process.exit(1);
}
console.log(`contract: ${checked} answers valid against docs/openapi.yaml (JSON Schema 2020-12); every response object closed`);
