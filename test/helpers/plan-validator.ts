// Stands in for dist/src/plan/plan-validator.js, which the build generates, when tests import the
// TypeScript sources (aliased in vitest.config.ts): the same schema, options and formats as
// scripts/precompile-schema.mjs, compiled by Ajv at test time.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { PLAN_FORMATS } from '../../src/plan/formats.js';

const ajv = new Ajv({ allErrors: true, discriminator: true, strict: false });
for (const [name, fn] of Object.entries(PLAN_FORMATS)) ajv.addFormat(name, fn);

export default ajv.compile(JSON.parse(readFileSync(new URL('../../schema/relaycheck.schema.json', import.meta.url), 'utf8')));
