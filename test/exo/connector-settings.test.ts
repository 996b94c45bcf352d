// The connector settings table drives the loader, the import and the PowerShell; the schema that
// editors and the loader validate against must offer each setting on the connectors it belongs to.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_SETTINGS, disabledReason } from '../../src/exo/connector-settings.js';
import { planFromYaml } from '../helpers/plans.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/relaycheck.schema.json', import.meta.url), 'utf8'));
const DEFINITION = { 'to-office365': 'toOffice365', 'from-office365': 'fromOffice365' } as const;

describe('connector settings', () => {
  it('every setting is a schema property of exactly the connector directions it belongs to', () => {
    for (const s of CONNECTOR_SETTINGS) {
      for (const direction of ['to-office365', 'from-office365'] as const) {
        const props = schema.definitions[DEFINITION[direction]].properties;
        // connectorType was always a property of inbound connectors (not a round-trip setting there)
        if (s.key === 'connectorType' && direction === 'to-office365') continue;
        expect(s.key in props, `${s.key} on ${direction}`).toBe(s.on.includes(direction));
      }
    }
  });

  it('offers exactly the DANE and MTA-STS modes Exchange Online has (no Mandatory MTA-STS)', () => {
    const props = schema.definitions.fromOffice365.properties;
    expect(props.smtpDaneMode.enum).toEqual(['Opportunistic', 'Mandatory', 'None']);
    expect(props.mtaStsMode.enum).toEqual(['Opportunistic', 'None']);
  });

  it('loads the settings a plan states and leaves the others absent', () => {
    const plan = planFromYaml(`version: 1
domain: contoso.com
connectors:
  - name: Out
    direction: from-office365
    smartHosts: [mail.contoso.com]
    enabled: false
    connectorType: Partner
    recipientDomains: [fabrikam.com]
    smtpDaneMode: Mandatory
  - name: In
    direction: to-office365
    endpoint: contoso-com.mail.protection.outlook.com
    comment: "Postfix relays"
    trustedOrganizations: [fabrikam.com]
`);
    expect(plan.connectors[0]).toMatchObject({ enabled: false, connectorType: 'Partner', recipientDomains: ['fabrikam.com'], smtpDaneMode: 'Mandatory' });
    expect(plan.connectors[0]).not.toHaveProperty('mtaStsMode');
    expect(plan.connectors[1]).toMatchObject({ comment: 'Postfix relays', trustedOrganizations: ['fabrikam.com'] });
    expect(plan.connectors[1]).not.toHaveProperty('enabled');
  });

  it('refuses a Mandatory MTA-STS mode with the plan path', () => {
    expect(() => planFromYaml('version: 1\ndomain: contoso.com\nconnectors:\n  - { name: Out, direction: from-office365, smartHosts: [mail.contoso.com], mtaStsMode: Mandatory }\n')).toThrow(/connectors\[0\]\.mtaStsMode/);
  });

  it('gives a disabled connector its reason and an enabled or unstated one none', () => {
    expect(disabledReason({ name: 'Legacy', enabled: false, direction: 'to-office365' })).toMatch(/^not tested: "Legacy" is disabled in Exchange Online .*Set-InboundConnector -Enabled \$true/);
    expect(disabledReason({ name: 'Legacy', enabled: true })).toBeUndefined();
    expect(disabledReason({ name: 'Legacy' })).toBeUndefined();
  });
});
