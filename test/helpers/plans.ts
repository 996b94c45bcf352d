// Small plans for unit tests, parsed by the real loader.
import { parsePlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/types.js';

export function planFromYaml(yaml: string, env: Record<string, string> = {}, file = '/tmp/relaycheck-test/relaycheck.yaml'): Plan {
  return parsePlan(yaml, file, { env });
}

/** A plan with `n` outbound connectors, each with one smart host (endpoint key hostN.contoso.test:25). */
export function planWithSmartHosts(n: number, extra = ''): Plan {
  const connectors = Array.from({ length: n }, (_, i) => `  - name: Smart host ${i + 1}\n    direction: from-office365\n    smartHosts: [host${i + 1}.contoso.test]\n    tls: { mode: trusted-ca }\n`).join('');
  return planFromYaml(`version: 1\ndomain: contoso.test\n${extra}connectors:\n${connectors}`);
}
