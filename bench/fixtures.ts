import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A stand-in renderer folder for benchmarks that only need the web host's WebSocket. */
export function rendererFixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-bench-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Netproc</title>\n');
  return dir;
}
