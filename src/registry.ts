// The explicit registry of built-in checks and probes (no directory scanning): the order here is
// the order of `relaycheck checks`, the README table and report rows.
import type { CheckDefinition, ProbeDefinition } from './types.js';
import configSenderAccountMatch from '../checks/config/sender-account-match.js';
import configConnectorTls from '../checks/config/connector-tls.js';
import limitsQuota from '../checks/limits/quota.js';

export const builtinChecks: CheckDefinition[] = [
  // config: pure from the plan
  configConnectorTls,
  configSenderAccountMatch,
  // limits
  limitsQuota,
];

export const builtinProbes: ProbeDefinition[] = [];
