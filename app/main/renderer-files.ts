/**
 * Which file of the built renderer a URL path names, for both hosts (the web
 * host over HTTP, the desktop app over app://netproc): one containment rule
 * and one table of served types.
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { readRegularFile } from './netproc/regular-file.js';

/**
 * The types of what the renderer build emits. A short table rather than a
 * MIME library: only these kinds of files are ever served, and a file of any
 * other kind is refused rather than guessed.
 */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface RendererFile {
  path: string;
  contentType: string;
}

/**
 * The file inside `rendererDir` that an already percent-decoded path names,
 * or null when it contains a NUL, leaves the folder in any spelling, or is of
 * a kind we do not serve. Does not touch the disk: the caller opens the file
 * and checks that it is a regular one.
 */
export function rendererFilePath(rendererDir: string, decodedPath: string): RendererFile | null {
  if (decodedPath.includes('\0')) return null;
  const root = resolve(rendererDir);
  const file = resolve(root, `.${decodedPath === '/' ? '/index.html' : decodedPath}`);
  const inside = relative(root, file);
  if (inside === '' || isAbsolute(inside) || inside === '..' || inside.startsWith(`..${sep}`)) return null;
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
  return contentType ? { path: file, contentType } : null;
}

/** More than any file the renderer build emits; a bound, so nothing in the folder can bloat main. */
const LARGEST_RENDERER_FILE = 64 * 1024 * 1024;

/**
 * A renderer file's bytes, read as any user-named file is (regular-file.ts:
 * without blocking, checked on the opened handle, bounded); null when it is
 * missing or not a regular file.
 */
export async function readRendererFile(file: RendererFile): Promise<Buffer | null> {
  try {
    return await readRegularFile(file.path, { field: 'path', maxBytes: LARGEST_RENDERER_FILE });
  } catch {
    return null;
  }
}
