// The one way relaycheck reads a file a plan or a flag names (the plan, CA bundles, certificates,
// keys and secret files, a saved run, PowerShell exports). Such a path may name anything: a FIFO
// (open() would block before any deadline runs), /dev/zero or /dev/urandom (endless), a huge file.
// So the file is opened with O_NONBLOCK, judged by fstat of the descriptor — a regular file after
// following links (certificate folders and Kubernetes secret mounts are symlinks) — and read up
// to a size cap for its kind, named in the error.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

const KiB = 1024;
const MiB = 1024 * KiB;

/** What the file is for, and how large it may be. */
export const READ_LIMITS = {
  plan: 1 * MiB,
  'CA bundle': 4 * MiB,
  certificate: 1 * MiB,
  key: 64 * KiB,
  secret: 64 * KiB,
  'import export': 50 * MiB,
  'saved run': 64 * MiB,
} as const;

export type ReadKind = keyof typeof READ_LIMITS;

/** Why a file could not be read: `reason` reads after the file name ("no such file"). */
export class ReadFileError extends Error {
  readonly file: string;
  readonly reason: string;
  readonly code?: string;
  constructor(file: string, reason: string, code?: string) {
    super(`cannot read ${file}: ${reason}`);
    this.name = 'ReadFileError';
    this.file = file;
    this.reason = reason;
    if (code) this.code = code;
  }
}

export function formatSize(bytes: number): string {
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= KiB) return `${+(bytes / KiB).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

function errnoReason(err: unknown): { reason: string; code?: string } {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return { reason: 'no such file', code };
    case 'EACCES':
    case 'EPERM':
      return { reason: 'permission denied', code };
    case 'EISDIR':
      return { reason: 'is a directory', code };
    case 'ELOOP':
      return { reason: 'too many levels of symbolic links', code };
    case 'ENXIO':
      return { reason: 'is a socket or a device with nothing behind it, not a regular file', code };
    case 'EAGAIN':
      return { reason: 'is not ready to be read (a FIFO or device), not a regular file', code };
    default:
      return { reason: code ?? String((err as Error)?.message ?? err), code };
  }
}

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a FIFO (named pipe), not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  return 'is not a regular file';
}

/** The bytes of a regular file of at most READ_LIMITS[kind] bytes; throws ReadFileError otherwise. */
export function readBounded(file: string, kind: ReadKind): Buffer {
  const cap = READ_LIMITS[kind];
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const { reason, code } = errnoReason(err);
    throw new ReadFileError(file, reason, code);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ReadFileError(file, kindOf(st), 'ENOTREG');
    const tooLarge = (size: string) => new ReadFileError(file, `${size}; a ${kind} file may be at most ${formatSize(cap)}`, 'EFBIG');
    if (st.size > cap) throw tooLarge(`is ${formatSize(st.size)}`);
    // Read until end of file, never past the cap: a file that grows (or reports size 0, as
    // /proc files do) is still bounded.
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(Math.min(cap + 1, Math.max(st.size + 1, 64 * KiB)));
    for (;;) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, cap + 1 - total), null);
      if (n === 0) break;
      chunks.push(Buffer.from(chunk.subarray(0, n)));
      total += n;
      if (total > cap) throw tooLarge('is larger than that');
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof ReadFileError) throw err;
    const { reason, code } = errnoReason(err);
    throw new ReadFileError(file, reason, code);
  } finally {
    closeSync(fd);
  }
}

/**
 * A text file's contents: UTF-8 (a byte order mark dropped) or UTF-16 with a byte order mark
 * (Windows PowerShell 5.1 writes UTF-16 LE with `Out-File` and `>`), or UTF-16 LE without one
 * when every other byte of an ASCII start is zero.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

/** readBounded + decodeText. */
export function readTextFile(file: string, kind: ReadKind): string {
  return decodeText(readBounded(file, kind));
}
