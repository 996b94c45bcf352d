// The safe file reader, and every file a plan or a flag names going through it: a FIFO does not
// block, a device is not read, a file over its kind's cap is refused with the cap named (exit 2),
// and files behind symbolic links (certificate folders, Kubernetes secret mounts) still work.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBounded, readTextFile } from '../../src/fs/read.js';
import { loadPlan } from '../../src/plan/load.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/exo.js';

const PLAN = 'version: 1\ndomain: contoso.test\nconnectors:\n  - { name: Smart hosts, direction: from-office365, smartHosts: [mail.contoso.test], tls: { mode: any } }\n';

function fifo(dir: string, name = 'pipe'): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

describe('readBounded', () => {
  it('refuses a FIFO at once instead of blocking in open()', () => {
    const dir = tempDir();
    const t0 = Date.now();
    expect(() => readBounded(fifo(dir), 'plan')).toThrow(/pipe: is a FIFO \(named pipe\), not a regular file/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('refuses /dev/zero and a directory without reading them', () => {
    expect(() => readBounded('/dev/zero', 'CA bundle')).toThrow(/\/dev\/zero: is a device, not a regular file/);
    expect(() => readBounded(tempDir(), 'secret')).toThrow(/is a directory/);
  });

  it('names the kind and its cap for a file that is too large', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big.key'), Buffer.alloc(65 * 1024, 0x41));
    expect(() => readBounded(join(dir, 'big.key'), 'key')).toThrow(/big\.key: is 65 KiB; a key file may be at most 64 KiB/);
    writeFileSync(join(dir, 'ok.key'), Buffer.alloc(64 * 1024, 0x41));
    expect(readBounded(join(dir, 'ok.key'), 'key').length).toBe(64 * 1024);
  });

  it('reads through symbolic links, as Kubernetes mounts secrets (..data → timestamped folder)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, '..2026_12_03'));
    writeFileSync(join(dir, '..2026_12_03', 'password'), 's3cret\n');
    symlinkSync('..2026_12_03', join(dir, '..data'));
    symlinkSync('..data/password', join(dir, 'password'));
    expect(readTextFile(join(dir, 'password'), 'secret')).toBe('s3cret\n');
  });

  it('decodes UTF-16 with a byte order mark', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'u16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('domain: x', 'utf16le')]));
    expect(readTextFile(join(dir, 'u16.yaml'), 'plan')).toBe('domain: x');
  });
});

describe('files a plan names', () => {
  it('loads a UTF-16 plan written by Windows PowerShell 5.1 (Out-File default)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relaycheck.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(PLAN.replace(/\n/g, '\r\n'), 'utf16le')]));
    expect(loadPlan(join(dir, 'relaycheck.yaml')).domain).toBe('contoso.test');
  });

  it('names a UTF-16 plan without a byte order mark instead of calling it not a mapping', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relaycheck.yaml'), Buffer.concat([Buffer.from('version: 1\n'), Buffer.from(PLAN, 'utf16le')]));
    expect(() => loadPlan(join(dir, 'relaycheck.yaml'))).toThrow(/UTF-16/);
  });

  it('refuses a CA file that is /dev/zero, a secret file that is a FIFO and an oversized certificate, each named', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relay.pem'), Buffer.alloc(1024 * 1024 + 1, 0x41));
    fifo(dir, 'key.pipe');
    writeFileSync(
      join(dir, 'relaycheck.yaml'),
      `version: 1
domain: contoso.test
trust: { system: true, ca: [/dev/zero] }
connectors:
  - name: Relay
    direction: to-office365
    endpoint: contoso-test.mail.protection.outlook.com
    tlsSenderCertificateName: relay.contoso.test
    clientCertificate: { cert: ./relay.pem, key: { file: ./key.pipe } }
`,
    );
    let message = '';
    try {
      loadPlan(join(dir, 'relaycheck.yaml'));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/trust\.ca\[0\]: cannot read trust anchor \/dev\/zero: is a device, not a regular file/);
    expect(message).toMatch(/clientCertificate\.cert: cannot read client certificate \.\/relay\.pem: is 1 MiB; a certificate file may be at most 1 MiB/);
    expect(message).toMatch(/clientCertificate\.key: cannot read secret file \.\/key\.pipe: is a FIFO/);
  });

  it('ends `relaycheck run -c FIFO` and `report FIFO` with exit 2 at once, and refuses a 2 MiB plan naming the cap', async () => {
    const dir = tempDir();
    const pipe = fifo(dir, 'plan.yaml');
    const run = await runCli(['run', '-c', pipe, '--no-send'], { timeoutMs: 15_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/plan\.yaml: cannot read the plan: is a FIFO/);
    const report = await runCli(['report', pipe, '--format', 'console'], { timeoutMs: 15_000 });
    expect(report.code).toBe(2);
    writeFileSync(join(dir, 'huge.yaml'), `${PLAN}${'# padding\n'.repeat(220_000)}`);
    const huge = await runCli(['run', '-c', join(dir, 'huge.yaml'), '--no-send'], { timeoutMs: 15_000 });
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/huge\.yaml: cannot read the plan: is 2(\.\d)? MiB; a plan file may be at most 1 MiB/);
  });
});
