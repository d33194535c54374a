/**
 * Tests only: Wireshark's own reader as the judge of the capture files
 * Netproc writes (scripts/ensure-system.mjs and .ci/run install tshark).
 */
import { execFileSync } from 'node:child_process';

export const TSHARK = '/usr/bin/tshark';

/** tshark's output for FILE with ARGS. */
export function tshark(file: string, ...args: string[]): string {
  return execFileSync(TSHARK, ['-r', file, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** "Follow TCP stream" N: its two nodes, and the bytes each sent (node 0 is the client). */
export function followTcpStream(file: string, stream: number): { nodes: string[]; client: Buffer; server: Buffer } {
  const lines = tshark(file, '-q', '-z', `follow,tcp,raw,${stream}`).split('\n');
  const nodes = lines.filter((l) => l.startsWith('Node ')).map((l) => l.replace(/^Node \d: /, ''));
  const client: Buffer[] = [];
  const server: Buffer[] = [];
  for (const line of lines.filter((l) => /^\t?[0-9a-f]+$/.test(l))) {
    (line.startsWith('\t') ? server : client).push(Buffer.from(line.trim(), 'hex'));
  }
  return { nodes, client: Buffer.concat(client), server: Buffer.concat(server) };
}
