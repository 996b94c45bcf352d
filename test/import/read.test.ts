import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { decodePowerShellText, parseExportText, readExportFile } from '../../src/import/read.js';

const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const JSON_TEXT = '[{"Name":"Relay \u00e4","RequireTls":true}]';

function write(name: string, bytes: Buffer): string {
  const file = join(tmp, name);
  writeFileSync(file, bytes);
  return file;
}

describe('reading what PowerShell wrote', () => {
  it.each([
    ['UTF-8 without a BOM (PowerShell 7 Out-File)', Buffer.from(JSON_TEXT, 'utf8')],
    ['UTF-8 with a BOM (Out-File -Encoding utf8 in Windows PowerShell)', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON_TEXT, 'utf8')])],
    ['UTF-16 LE with a BOM (Out-File and > in Windows PowerShell)', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON_TEXT, 'utf16le')])],
    ['UTF-16 BE with a BOM (-Encoding BigEndianUnicode)', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(JSON_TEXT, 'utf16le').swap16()])],
    ['UTF-16 LE without a BOM', Buffer.from(JSON_TEXT, 'utf16le')],
  ])('decodes %s', (_what, bytes) => {
    expect(decodePowerShellText(bytes)).toBe(JSON_TEXT);
    expect(readExportFile(write(`x-${bytes[0]}-${bytes.length}.json`, bytes), 'hint').records).toEqual([{ Name: 'Relay \u00e4', RequireTls: true }]);
  });

  it('reads a single object as a list of one', () => {
    expect(parseExportText('{"Name":"A"}', 'a.json', 'hint')).toEqual([{ Name: 'A' }]);
  });

  it('unwraps Windows PowerShell\'s {"value": [...], "Count": n} and API {"value": [...]} lists', () => {
    expect(parseExportText('{"value":[{"Name":"A"},{"Name":"B"}],"Count":2}', 'a.json', 'hint')).toHaveLength(2);
    expect(parseExportText('{"@odata.context":"x","value":[{"Name":"A"}]}', 'a.json', 'hint')).toEqual([{ Name: 'A' }]);
  });

  it('reads an empty file (the cmdlet returned nothing) as an export of no objects', () => {
    expect(readExportFile(write('empty.json', Buffer.from([0xef, 0xbb, 0xbf, 0x0d, 0x0a])), 'hint').records).toEqual([]);
  });

  it('rejects text that is not JSON with the file name and how to export it', () => {
    const file = write('table.txt', Buffer.from('Name      Enabled\n----      -------\nRelay     True\n'));
    expect(() => readExportFile(file, 'Get-InboundConnector | ConvertTo-Json')).toThrow(UsageError);
    try {
      readExportFile(file, 'Get-InboundConnector | ConvertTo-Json');
    } catch (err) {
      expect((err as UsageError).problems[0].file).toBe(file);
      expect((err as Error).message).toMatch(/not JSON .*Get-InboundConnector \| ConvertTo-Json/);
    }
  });

  it('rejects a list of strings or numbers: those are not exported objects', () => {
    expect(() => parseExportText('["contoso.com"]', 'd.json', 'hint')).toThrow(/d\.json: \[0\]: expected an object/);
  });

  it('says when the file is missing', () => {
    expect(() => readExportFile(join(tmp, 'nope.json'), 'hint')).toThrow(/nope\.json: cannot read the export: no such file/);
  });
});
