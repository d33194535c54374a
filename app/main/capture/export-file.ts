/**
 * Writing an export to a file a user named, so that a failure never leaves
 * half a file behind: the bytes go to a temporary file beside the target,
 * which takes the target's name only once complete (link, so an existing
 * file is never replaced unless asked; rename when it is). A relative path,
 * a directory, a missing directory and an existing file are refused by name
 * before anything is written.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { link, lstat, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fromSystemError, invalidArgument, NetprocError } from '../netproc/errors.js';

/** Bytes an export may have written but not yet handed to the file system. */
const WRITE_AHEAD = 4 * 1024 * 1024;

export interface ExportTarget {
  path: string;
  /** Replace a file already at PATH (default: refuse). */
  overwrite?: boolean;
  /** The request field that named the path, for errors. */
  field?: string;
}

/** Refuses a path that cannot be written as asked, naming FIELD and the reason. */
async function checkTarget({ path, overwrite = false, field = 'path' }: ExportTarget): Promise<void> {
  // A relative path would be taken from the main process's working directory, which the user never sees.
  if (!isAbsolute(path)) throw invalidArgument(field, `${field}: must be an absolute file path`);
  if (path.endsWith('/')) throw invalidArgument(field, `${field}: names a directory; give a file name`);
  try {
    if (!(await stat(dirname(path))).isDirectory()) throw invalidArgument(field, `${field}: ${dirname(path)} is not a directory`);
  } catch (err) {
    if (err instanceof NetprocError) throw err;
    throw fromSystemError(err, `${field}: cannot write in ${dirname(path)}`, field);
  }
  let existing;
  try {
    existing = await lstat(path);
  } catch {
    return;
  }
  if (existing.isDirectory()) throw invalidArgument(field, `${field}: is a directory; give a file name`);
  if (!existing.isFile()) throw invalidArgument(field, `${field}: is not a regular file (a device, a FIFO, a link or a socket)`);
  if (!overwrite)
    throw new NetprocError({ code: 'EEXIST', message: `${field}: a file already exists there (overwrite: true replaces it)`, field });
}

/** Ends OUT and waits until its file is written and closed. */
function finish(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.once('close', resolve);
    out.end();
  });
}

/**
 * Writes a file at TARGET's path with WRITE, which streams into the
 * Writable it is given (awaiting drains, so memory stays bounded), and
 * resolves to what WRITE returned and the bytes written.
 */
export async function writeExportFile<T>(target: ExportTarget, write: (out: WriteStream) => Promise<T>): Promise<T & { bytes: number }> {
  const field = target.field ?? 'path';
  await checkTarget(target);
  const temporary = join(dirname(target.path), `.${basename(target.path)}.${randomBytes(6).toString('hex')}.part`);
  // 'wx': a new file, never one that appeared under the temporary name (nor a link planted there). Writes of up to
  // WRITE_AHEAD bytes wait in memory, so the file system is kept busy (one 16 KiB write at a time halved the rate).
  const out = createWriteStream(temporary, { flags: 'wx', mode: 0o644, highWaterMark: WRITE_AHEAD });
  let failure: unknown = null;
  out.on('error', (err) => (failure ??= err));
  try {
    const result = await write(out);
    if (failure) throw failure;
    await finish(out);
    const bytes = out.bytesWritten;
    if (target.overwrite) await rename(temporary, target.path);
    else {
      // link fails if a file appeared at the path meanwhile: nothing is ever replaced unasked.
      await link(temporary, target.path);
      await unlink(temporary);
    }
    return { ...result, bytes };
  } catch (err) {
    out.destroy();
    await new Promise<void>((resolve) => (out.closed ? resolve() : out.once('close', () => resolve())));
    await unlink(temporary).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    // The writer's own failures go as they are; only the file system's are put in the path's words.
    if (err instanceof NetprocError || typeof code !== 'string') throw err;
    if (code === 'EEXIST')
      throw new NetprocError({ code: 'EEXIST', message: `${field}: a file already exists there (overwrite: true replaces it)`, field });
    throw fromSystemError(err, `${field}: cannot write the file`, field);
  }
}
