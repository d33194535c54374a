/**
 * Reading a file a user named (Send file, a TLS CA file) so that no path can
 * hang or bloat the engine: only regular files are read, never FIFOs,
 * devices, sockets or directories, and never more than a cap. Writing one
 * (Save a buffer) goes to a new file beside it, renamed over it when whole.
 *
 * Hand-written rather than `fs.readFile`: readFile opens a FIFO with a
 * blocking open(2), which parks a libuv pool thread until a writer appears
 * (four of them stop every DNS lookup and file operation), and it reads a
 * size-0 file such as /dev/zero until memory runs out, since its only limit
 * is the size stat reports.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fromSystemError, invalidArgument, NetprocError } from './errors.js';

export interface RegularFileRequest {
  /** The option or parameter that named the file, for the error. */
  field: string;
  /** The most bytes the file may hold; counted as they are read, not from the size stat reports. */
  maxBytes: number;
}

// O_NONBLOCK: opening a FIFO never waits for a writer. O_NOCTTY: a terminal named by mistake never becomes ours.
// Both are 0 where the platform lacks them (Windows), which has no FIFO to open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** What a file is, in the words of an error message. */
function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a directory';
  return 'not a regular file';
}

function notRegular(field: string, stats: Stats): NetprocError {
  return invalidArgument(field, `${field}: the file is ${kindOf(stats)}; only regular files can be read`);
}

function tooLarge(field: string, maxBytes: number, size: string): NetprocError {
  return invalidArgument(field, `${field}: the file holds ${size} bytes; at most ${maxBytes} can be read`);
}

/** Resolves to the whole content of the regular file at the absolute `path`, or rejects naming `field` and the reason. */
export async function readRegularFile(path: string, { field, maxBytes }: RegularFileRequest): Promise<Buffer> {
  if (typeof path !== 'string' || !isAbsolute(path)) {
    // A relative path would be taken from the main process's working directory, which the user never sees.
    throw invalidArgument(field, `${field}: must be an absolute file path`);
  }
  // A look before opening, so that a device is refused without the side effects opening some devices has;
  // the check that counts is the one on the opened handle below, since the path may change in between.
  let before: Stats;
  try {
    before = await stat(path);
  } catch (err) {
    throw fromSystemError(err, `${field}: cannot read the file`, field);
  }
  if (!before.isFile()) throw notRegular(field, before);

  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (err) {
    throw fromSystemError(err, `${field}: cannot read the file`, field);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notRegular(field, stats);
    if (stats.size > maxBytes) throw tooLarge(field, maxBytes, String(stats.size));
    return await readAtMost(handle, field, maxBytes, stats.size);
  } finally {
    await handle.close();
  }
}

/** Reads to the end, refusing (and stopping) one byte past the cap, whatever size was reported. */
async function readAtMost(handle: FileHandle, field: string, maxBytes: number, reportedSize: number): Promise<Buffer> {
  // One read of the reported size (plus one byte, to see growth) in the usual case; doubling after that.
  let buffer = Buffer.alloc(Math.min(reportedSize, maxBytes) + 1);
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      if (filled > maxBytes) throw tooLarge(field, maxBytes, `more than ${maxBytes}`);
      const grown = Buffer.alloc(Math.min(Math.max(buffer.length * 2, 64 * 1024), maxBytes + 1));
      buffer.copy(grown, 0, 0, filled);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) return buffer.subarray(0, filled);
    filled += bytesRead;
  }
}

/** The file a path names once its symbolic links are followed (as Emacs writes through them), and what is there now, if anything. */
async function writeTarget(path: string, field: string): Promise<{ target: string; existing: Stats | null }> {
  try {
    const existing = await stat(path);
    return { target: await realpath(path), existing };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { target: path, existing: null };
    throw fromSystemError(err, `${field}: cannot write the file`, field);
  }
}

/**
 * Writes `chunks` as the whole content of the file at the absolute `path`:
 * into a new file in the same directory, flushed, then renamed over the old
 * one, so that no reader ever sees half a file and a failure leaves the old
 * file as it was. An existing file keeps its permissions. Refuses a
 * directory and anything but a regular file, naming `field`. Resolves to the
 * bytes written.
 */
export async function writeRegularFile(path: string, chunks: readonly Uint8Array[], field: string): Promise<number> {
  if (typeof path !== 'string' || !isAbsolute(path)) throw invalidArgument(field, `${field}: must be an absolute file path`);
  if (path.endsWith('/')) throw invalidArgument(field, `${field}: names a directory; give the path of a file`);
  const { target, existing } = await writeTarget(path, field);
  if (existing?.isDirectory()) throw invalidArgument(field, `${field}: names a directory; give the path of a file`);
  if (existing && !existing.isFile())
    throw invalidArgument(field, `${field}: the file is ${kindOf(existing)}; only regular files can be written`);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | null = null;
  try {
    handle = await open(temporary, 'wx', 0o666);
    // The umask shaped the new file's mode; an existing file's is kept exactly.
    if (existing) await handle.chmod(existing.mode & 0o7777);
    for (const chunk of chunks) {
      for (let written = 0; written < chunk.byteLength;) written += (await handle.write(chunk, written)).bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temporary, target);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw fromSystemError(err, `${field}: cannot write the file`, field);
  }
  return chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
}
