import { describe, expect, it } from 'vitest';
import { detectService, serviceOf } from '../../src/exo/services.js';
import { planFromYaml } from '../helpers/plans.js';

describe('detectService', () => {
  it('names Exchange Online client submission for smtp.office365.com and the legacy host, in any case', () => {
    expect(detectService('smtp.office365.com')).toBe('exchange-online');
    expect(detectService('SMTP-Legacy.Office365.com.')).toBe('exchange-online');
  });
  it('names High Volume Email for smtp-hve.office365.com and ACS for smtp.azurecomm.net', () => {
    expect(detectService('smtp-hve.office365.com')).toBe('hve');
    expect(detectService('smtp.azurecomm.net')).toBe('acs');
  });
  it('calls any other host plain submission, a look-alike too', () => {
    expect(detectService('mail.contoso.com')).toBe('other');
    expect(detectService('smtp.office365.com.evil.example')).toBe('other');
  });
});

describe('serviceOf a plan entry', () => {
  const plan = (extra: string) => planFromYaml(`version: 1\ndomain: contoso.com\nsubmission:\n  - { name: A, endpoint: ${extra}, username: a@contoso.com, password: { env: PW }, from: a@contoso.com }\n`, { PW: 'x' });
  it('follows the endpoint host when the plan sets no service', () => {
    expect(serviceOf(plan('smtp-hve.office365.com').submission[0])).toBe('hve');
  });
  it('lets the plan override the detection, e.g. for a lab or a relay in front of HVE', () => {
    expect(serviceOf(plan('"127.0.0.1:2587", service: hve').submission[0])).toBe('hve');
  });
  it('refuses a service the schema does not know, naming the plan path', () => {
    expect(() => plan('smtp.office365.com, service: exchange')).toThrow(/submission\[0\]\.service/);
  });
});
