// Types of dist/src/plan/plan-validator.js, which the build generates from the plan schema
// (scripts/precompile-schema.mjs); it does not exist when tests run from the TypeScript sources.
import type { ErrorObject } from 'ajv';

declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export default validate;
