// Reads a file PowerShell wrote with `ConvertTo-Json | Out-File`: UTF-8 with or without a BOM
// (PowerShell 7, `-Encoding utf8` in Windows PowerShell), UTF-16 LE with a BOM (Windows PowerShell
// 5.1's default for Out-File and `>`), an empty file (the pipeline had no objects), a single object
// or an array, and Windows PowerShell's `{"value": [...], "Count": n}` wrapping of arrays.
import { ReadFileError, readBounded } from '../fs/read.js';
import { UsageError } from '../errors.js';

export type ExportRecord = Record<string, unknown>;

/** Decodes the bytes of a PowerShell-written text file. */
export function decodePowerShellText(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return new TextDecoder('utf-16le').decode(swapped);
  }
  // UTF-16 LE without a BOM: JSON starts with an ASCII character followed by a zero byte.
  if (bytes.length >= 4 && bytes.length % 2 === 0 && bytes[0] !== 0 && bytes[1] === 0 && bytes[3] === 0) return new TextDecoder('utf-16le').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

export interface ExportFile {
  file: string;
  records: ExportRecord[];
}

/**
 * The records of one export. An empty file is an export of nothing (PowerShell writes nothing when
 * the cmdlet returned no objects). Throws UsageError naming the file for anything that is not JSON.
 */
export function readExportFile(file: string, hint: string): ExportFile {
  return { file, records: parseExportText(readExportText(file), file, hint) };
}

/** The decoded text of an export (JSON, or the CSV the Exchange admin center writes). */
export function readExportText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readBounded(file, 'import export');
  } catch (err) {
    const why = err instanceof ReadFileError ? err.reason : (err as Error).message;
    throw new UsageError([{ file, message: `cannot read the export: ${why}` }]);
  }
  return decodePowerShellText(bytes);
}

export function parseExportText(text: string, file: string, hint: string): ExportRecord[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch (err) {
    const why = (err as Error).message.replace(/[\u0000-\u001f]+/g, ' ').slice(0, 120);
    throw new UsageError([{ file, message: `not JSON (${why}); export it with: ${hint}` }]);
  }
  const list = unwrapArray(data);
  const items = Array.isArray(list) ? list : [list];
  return items.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new UsageError([{ file, path: `[${i}]`, message: `expected an object with the connector's or domain's properties (found ${describe(item)}); export it with: ${hint}` }]);
    }
    return item as ExportRecord;
  });
}

/** Windows PowerShell wraps some arrays as {"value": [...], "Count": n}; Graph-style APIs as {"value": [...]}. */
export function unwrapArray(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const v = (value as Record<string, unknown>).value;
    if (Array.isArray(v) && keys.every((k) => k === 'value' || k === 'Count' || k.startsWith('@odata.'))) return v;
  }
  return value;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
