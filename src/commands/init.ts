// `relaycheck init`: write the commented starting plan, never over an existing file, and the app
// certificate its OAuth entry names (pki/relaycheck-app.pem, secrets/relaycheck-app.key), unless
// they exist: the certificate the admin uploads to the app registration in Entra ID.
import { existsSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import { pathToFileURL } from 'node:url';
import { PLAN_TEMPLATE } from '../plan/template.js';
import { schemaFile } from '../plan/schema.js';

/**
 * The template with a schema reference that resolves wherever relaycheck is installed (a global
 * install has no node_modules beside the plan): the absolute file URL of the schema this copy
 * ships, or no reference when it cannot be found.
 */
export function planText(): string {
  let ref: string | undefined;
  try {
    ref = pathToFileURL(schemaFile()).href;
  } catch {
    ref = undefined;
  }
  return PLAN_TEMPLATE.replace(/^# yaml-language-server: \$schema=.*\n/m, ref ? `# yaml-language-server: $schema=${ref}\n` : '');
}

export const APP_CERT = 'pki/relaycheck-app.pem';
export const APP_KEY = 'secrets/relaycheck-app.key';

export async function initCommand(file: string, force: boolean): Promise<string> {
  if (existsSync(file) && !force) throw new UsageError([{ file, message: 'already exists; use --force to overwrite it' }]);
  try {
    writeFileSync(file, planText());
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EISDIR' ? 'is a folder' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'not writable' : (code ?? (err as Error).message);
    throw new UsageError([{ file, message: `cannot write the plan: ${why}` }]);
  }
  const dir = dirname(file);
  const cert = join(dir, APP_CERT);
  const made = existsSync(cert) || existsSync(join(dir, APP_KEY)) ? false : await writeAppCertificate(dir);
  const shown = relative(process.cwd(), cert) || cert;
  return [
    `Wrote ${file}${made ? `, and an app certificate ${shown} with its key (RSA 2048, valid 2 years)` : ''}.`,
    `Register an app in Entra ID, upload ${shown} to it (Certificates & secrets), add the application permission SMTP.SendAsApp and grant admin consent;`,
    'register its service principal in Exchange Online and give it the mailbox (README: "Moving a device or app off Basic authentication").',
    `Then fill in tenantId and clientId, edit the hosts, names and validation recipients, and: relaycheck run -c ${file} --no-send`,
    '',
  ].join('\n');
}

/** A self-signed RSA 2048 certificate for the app registration: the public part is uploaded, the key stays 0600. */
async function writeAppCertificate(dir: string): Promise<boolean> {
  const { selfSigned } = await import('../pki/generate.js');
  const now = Date.now();
  const app = await selfSigned({ cn: 'relaycheck', key: { kind: 'rsa', bits: 2048 }, notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 730 * 86_400_000) });
  try {
    await mkdir(join(dir, 'pki'), { recursive: true });
    await mkdir(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
    await writeFile(join(dir, APP_CERT), app.certPem, { mode: 0o644 });
    await writeFile(join(dir, APP_KEY), app.keyPem, { mode: 0o600 });
    await chmod(join(dir, APP_KEY), 0o600);
    return true;
  } catch (err) {
    throw new UsageError([{ file: join(dir, APP_KEY), message: `cannot write the app certificate: ${(err as Error).message}` }]);
  }
}
