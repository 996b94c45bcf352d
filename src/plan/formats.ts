// The custom JSON Schema formats of the plan schema. Shared by the runtime validator and the
// validator that `npm run build` precompiles (scripts/precompile-schema.mjs).
import { isIP } from 'node:net';
import { isCertName, isCidr, isEmail, isHostname, parseHostPort, parseIpPort } from './address.js';

export const PLAN_FORMATS: Record<string, (value: string) => boolean> = {
  hostname: isHostname,
  'cert-name': isCertName,
  email: isEmail,
  ip: (v) => isIP(v.replace(/^\[(.*)\]$/, '$1')) !== 0, // [v6] as --resolve writes it, too
  cidr: isCidr,
  'host-port': (v) => parseHostPort(v, 25) !== null,
  'host-port-required': (v) => parseHostPort(v, null) !== null,
  'ip-port': (v) => parseIpPort(v, 53) !== null,
};
