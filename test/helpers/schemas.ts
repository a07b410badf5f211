// The schemas `tfmon export` is checked against, as published (test/fixtures/schemas/, sources in
// test/fixtures/SOURCES.md), compiled with Ajv. A CRD's OpenAPI schema is what the API server
// checks; it lets unknown fields through (it prunes them), which would hide a misspelt key, so here
// every object that lists its properties is closed, as `kubectl apply --validate=strict` does. CEL
// rules (x-kubernetes-validations) are not evaluated.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import type { ExportFormat } from '../../source/cluster/export/output.js';

const DIR = new URL('../fixtures/schemas/', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, DIR), 'utf8');

type Schema = Record<string, unknown>;

/** Objects with properties closed to others, unless the schema keeps unknown fields on purpose. */
function closed(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(closed);
  if (typeof s !== 'object' || s === null) return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s))
    out[k] =
      k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, x]) => [p, closed(x)])) : closed(v);
  if (
    out['type'] === 'object' &&
    out['properties'] &&
    out['additionalProperties'] === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  )
    out['additionalProperties'] = false;
  return out;
}

function crd(file: string, version: string): Schema {
  const doc = parse(read(file)) as { spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  const v = doc.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`${file} has no version ${version}`);
  return closed(v.schema.openAPIV3Schema) as Schema;
}

function compose(): Schema {
  const s = JSON.parse(read('compose-spec.json')) as Schema;
  // Its $schema names draft-07 by an https URL Ajv does not know; the draft is Ajv's default.
  delete s['$schema'];
  return s;
}

let compiled: Record<ExportFormat, ValidateFunction> | null = null;

/** Errors of a document against its format's schema, one line each; [] when it validates. */
export function schemaErrors(format: ExportFormat, doc: unknown): string[] {
  if (!compiled) {
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    compiled = {
      compose: ajv.compile(compose()),
      tfjob: ajv.compile(crd('kubeflow.org_tfjobs.yaml', 'v1')),
      pytorchjob: ajv.compile(crd('kubeflow.org_pytorchjobs.yaml', 'v1')),
      jobset: ajv.compile(crd('jobset.x-k8s.io_jobsets.yaml', 'v1alpha2')),
      trainjob: ajv.compile(crd('trainer.kubeflow.org_trainjobs.yaml', 'v1alpha1')),
    };
  }
  const validate = compiled[format];
  return validate(doc)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
