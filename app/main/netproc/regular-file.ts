/**
 * Reading a file a user named (Send file, a TLS CA file) so that no path can
 * hang or bloat the engine: only regular files are read, never FIFOs,
 * devices, sockets or directories, and never more than a cap.
 *
 * Hand-written rather than `fs.readFile`: readFile opens a FIFO with a
 * blocking open(2), which parks a libuv pool thread until a writer appears
 * (four of them stop every DNS lookup and file operation), and it reads a
 * size-0 file such as /dev/zero until memory runs out, since its only limit
 * is the size stat reports.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
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
