// The one way relaycheck writes a file a user reads later (reports, -latest copies, the store's
// siblings). A temporary file of our own is created next to the target with O_EXCL and
// O_NOFOLLOW — a link planted under its name (in a folder others can write to) is never followed —
// filled, flushed, and renamed into place, so a reader sees the whole file or the old one. On any
// failure (ENOSPC, EACCES, EROFS …) the temporary file is removed and the error names the target.
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** A write that failed: `file` is the file the user asked for, `code` the errno code. */
export class WriteFileError extends Error {
  readonly file: string;
  readonly code?: string;
  constructor(file: string, err: unknown) {
    const code = (err as NodeJS.ErrnoException)?.code;
    super(`cannot write ${file}: ${describeErrno(code, err)}`);
    this.name = 'WriteFileError';
    this.file = file;
    if (code) this.code = code;
  }
}

function describeErrno(code: string | undefined, err: unknown): string {
  switch (code) {
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'disk quota exceeded (EDQUOT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EROFS':
      return 'read-only file system (EROFS)';
    case 'ENOENT':
      return 'its folder does not exist (ENOENT)';
    case 'EEXIST':
      return 'it already exists (EEXIST)';
    case 'ELOOP':
      return 'it is a symbolic link, which relaycheck does not write through (ELOOP)';
    default:
      return code ?? String((err as Error)?.message ?? err);
  }
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
  fsyncSync(fd);
}

/**
 * Creates `file` with `data`; fails with a WriteFileError of code EEXIST when anything (a file, a
 * link, even a dangling one) already has that name. Never overwrites, never follows a link, and
 * leaves no partial file behind.
 */
export function createExclusive(file: string, data: string | Uint8Array, mode = 0o644): void {
  let fd: number;
  try {
    fd = openSync(file, EXCLUSIVE, mode);
  } catch (err) {
    throw new WriteFileError(file, err);
  }
  try {
    writeAll(fd, data);
    closeSync(fd);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(file, { force: true });
    throw new WriteFileError(file, err);
  }
}

/**
 * Replaces `file` with `data` whole or not at all. The temporary name starts with a dot and does
 * not end in the file's extension, so collectors that glob *.prom or *.json ignore it.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    createExclusive(tmp, data, mode);
  } catch (err) {
    throw new WriteFileError(file, (err as WriteFileError).code ? Object.assign(new Error(), { code: (err as WriteFileError).code }) : err);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new WriteFileError(file, err);
  }
}
