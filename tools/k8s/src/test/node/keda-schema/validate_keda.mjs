// Validates KEDA objects offline against the JSON schemas of @kubernetes-models/keda (generated from KEDA's API
// types, compiled to validate functions by ajv): types, required fields, enums, formats.
//
// Those validate functions let unknown fields through (the schemas carry no additionalProperties: false), while a
// cluster does not: KEDA's CRDs are structural schemas without x-kubernetes-preserve-unknown-fields, so the API
// server drops unknown fields and kubectl's default strict field validation reports them as errors. So each object
// is handed to the validator behind a Proxy that records which fields the validator reads: it reads every field its
// schema declares and every key of a map (labels, trigger metadata), so a field it never read is one the schema
// does not have, and is reported as unknown.
//
// Usage: node validate_keda.mjs DOCUMENTS.json; prints {"schema": "...", "results": [[problem, ...], ...]}, one
// list per document, empty when the document passes.
import { readFileSync } from "node:fs";

const PACKAGE = new URL("./node_modules/@kubernetes-models/keda/", import.meta.url);
const SCHEMAS = {
  "keda.sh/v1alpha1/ScaledObject": "ComGithubKedacoreKedaV2ApisKedaV1alpha1ScaledObject.js",
  "keda.sh/v1alpha1/TriggerAuthentication": "ComGithubKedacoreKedaV2ApisKedaV1alpha1TriggerAuthentication.js",
};

const pointer = (key) => String(key).replace(/~/g, "~0").replace(/\//g, "~1");

/** A copy of value whose objects record, in reads, the fields anyone reads from them. */
function watched(value, reads) {
  if (value === null || typeof value !== "object") {
    return value;
  }
  const copy = Array.isArray(value) ? value.map((v) => watched(v, reads)) : {};
  if (!Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      copy[key] = watched(v, reads);
    }
  }
  const read = new Set();
  const proxy = new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.has(target, key);
    },
  });
  reads.set(value, read);
  return proxy;
}

/** Paths of the fields of document that the validator never read; below an unknown field nothing more is listed. */
function unread(value, reads, path, out) {
  if (value === null || typeof value !== "object") {
    return out;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => unread(v, reads, `${path}/${i}`, out));
    return out;
  }
  const read = reads.get(value);
  for (const [key, v] of Object.entries(value)) {
    if (!read || !read.has(key)) {
      out.push(`${path}/${pointer(key)}`);
    } else {
      unread(v, reads, `${path}/${pointer(key)}`, out);
    }
  }
  return out;
}

function describe(error) {
  const at = error.instancePath || "/";
  switch (error.keyword) {
    case "required":
      return `${at}: missing required field ${error.params.missingProperty}`;
    case "type":
      return `${at}: must be of type ${error.params.type}`;
    case "enum":
      return `${at}: must be one of ${JSON.stringify(error.params.allowedValues)}`;
    case "format":
      return `${at}: must be of format ${error.params.format}`;
    default:
      return `${at}: fails ${error.keyword} ${JSON.stringify(error.params)}`;
  }
}

async function validatorFor(type) {
  const file = SCHEMAS[type];
  return file ? (await import(new URL(`_schemas/${file}`, PACKAGE))).validate : null;
}

const documents = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const document of documents) {
  const type = `${document.apiVersion}/${document.kind}`;
  const validate = await validatorFor(type);
  if (!validate) {
    results.push([`no KEDA schema for ${type}`]);
    continue;
  }
  const reads = new Map();
  const problems = validate(watched(document, reads)) ? [] : validate.errors.map(describe);
  for (const path of unread(document, reads, "", [])) {
    problems.push(`${path}: unknown field (not in the schema)`);
  }
  results.push(problems.map((p) => `${type} at ${p}`));
}
const version = JSON.parse(readFileSync(new URL("package.json", PACKAGE), "utf8")).version;
process.stdout.write(JSON.stringify({ schema: `@kubernetes-models/keda@${version}`, results }));
