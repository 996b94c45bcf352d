// `relaycheck powershell`: print the Exchange Online PowerShell that creates the plan's connectors
// (New-InboundConnector / New-OutboundConnector, splatted), or that fixes a saved run's
// connector-side failures (Set-InboundConnector / Set-OutboundConnector). It probes nothing, so it
// needs none of the plan's secrets.
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { loadPlan } from '../plan/load.js';
import { connectorScript } from '../powershell/connectors.js';
import { fixScript } from '../powershell/fixes.js';
import type { Plan } from '../types.js';
import { readRunReport } from './report.js';

export interface PowershellArgs {
  /** the plan; undefined = relaycheck.yaml (needed for creation, optional with --run) */
  config?: string;
  run?: string;
  /** print the New-* commands; default: true without --run, false with it */
  create?: boolean;
}

export const DEFAULT_PLAN = 'relaycheck.yaml';

export function powershellCommand(args: PowershellArgs): string {
  const create = args.create ?? !args.run;
  const report = args.run ? readRunReport(args.run) : undefined;
  // Without -c, the plan the run itself names (when it is still there), else ./relaycheck.yaml.
  const planFile = args.config ?? (report?.plan.file && existsSync(report.plan.file) ? report.plan.file : DEFAULT_PLAN);
  let plan: Plan | undefined;
  if (create || args.config !== undefined) plan = loadPlan(planFile, { secrets: 'ignore' });
  else if (existsSync(planFile)) {
    try {
      plan = loadPlan(planFile, { secrets: 'ignore' });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
    }
  }
  const parts: string[] = [];
  if (create && plan) parts.push(connectorScript(plan));
  if (args.run && report) parts.push(fixScript(report, { runFile: args.run, plan }));
  return parts.join('\n');
}
