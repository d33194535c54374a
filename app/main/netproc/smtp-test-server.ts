/**
 * Tests only: a small SMTP-like server on loopback for open-network-stream's
 * STARTTLS tests, in the engine's, the bridge's and the end-to-end suites
 * (so it does not depend on vitest: each caller says how to clean up).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** smtpmail's open-network-stream parameters, with the test CA trusted. */
export const SMTP_PARAMETERS = {
  capabilityCommand: 'EHLO netproc\r\n',
  endOfCommand: '^[0-9]+ .*\r\n',
  success: '^2.*\n',
  starttlsFunction: { match: '[ -]STARTTLS', command: 'STARTTLS\r\n' },
  caFile: fixture('ca.pem'),
};

export type Behaviour = 'starttls' | 'no-starttls' | 'refuses-starttls' | 'silent' | 'flood';

export interface SmtpPeer {
  port: number;
  /** Every connection, plain as accepted. */
  connections: net.Socket[];
  /** The TLS side of each connection that upgraded. */
  secured: tls.TLSSocket[];
  /** Lines received, prefixed "plain:" or "tls:". */
  lines: string[];
  /** Answer STARTTLS, then never take part in the handshake. */
  stallHandshake?: boolean;
  /** Answer STARTTLS, then answer the client's hello with this plain text instead of a TLS one. */
  handshakeGarbage?: string;
  /** Sent in the same write as the "220" STARTTLS answer, as a man in the middle would inject it. */
  injectAfterStarttls?: string;
  /** What 'refuses-starttls' answers STARTTLS with (default "454 TLS not available"). */
  starttlsRefusal?: string;
}

/**
 * A small SMTP-like server: "220" greeting, EHLO answered with 250 lines
 * (offering STARTTLS or not), STARTTLS answered "220" and then a TLS
 * handshake on the same socket, anything else over TLS answered "250 got …".
 * Or a server that never speaks, or one that floods.
 */
export async function smtpServer(
  behaviour: Behaviour,
  onCleanup: (close: () => Promise<void>) => void,
  tlsOptions: tls.TlsOptions = {},
): Promise<SmtpPeer> {
  const peer: SmtpPeer = { port: 0, connections: [], secured: [], lines: [] };
  const key = readFileSync(fixture('server.key'));
  const cert = readFileSync(fixture('server.pem'));
  const converse = (socket: net.Socket, secure: boolean): void => {
    let pending = '';
    const onData = (data: Buffer): void => {
      pending += data.toString('latin1');
      for (let eol = pending.indexOf('\r\n'); eol >= 0; eol = pending.indexOf('\r\n')) {
        const line = pending.slice(0, eol);
        pending = pending.slice(eol + 2);
        peer.lines.push(`${secure ? 'tls' : 'plain'}:${line}`);
        if (/^EHLO /i.test(line)) {
          if (secure) socket.write('250-test.example over TLS\r\n250 AUTH PLAIN\r\n');
          else
            socket.write(
              `250-test.example greets you\r\n250-SIZE 1000\r\n${behaviour === 'no-starttls' ? '250 HELP' : '250 STARTTLS'}\r\n`,
            );
        } else if (/^STARTTLS$/i.test(line) && !secure) {
          if (behaviour !== 'starttls') {
            socket.write(`${peer.starttlsRefusal ?? '454 TLS not available'}\r\n`);
            continue;
          }
          socket.off('data', onData);
          socket.write(`220 Ready to start TLS\r\n${peer.injectAfterStarttls ?? ''}`, () => {
            if (peer.stallHandshake) return;
            const garbage = peer.handshakeGarbage;
            if (garbage !== undefined) {
              socket.once('data', () => socket.write(garbage));
              return;
            }
            const secured = new tls.TLSSocket(socket, { isServer: true, key, cert, ...tlsOptions });
            secured.on('error', () => undefined);
            secured.once('secure', () => {
              peer.secured.push(secured);
              converse(secured, true);
            });
          });
          return;
        } else socket.write(`250 got ${line}\r\n`);
      }
    };
    socket.on('data', onData);
  };
  const server = net.createServer((socket) => {
    peer.connections.push(socket);
    socket.on('error', () => undefined);
    if (behaviour === 'silent') return;
    if (behaviour === 'flood') {
      // 16 MiB at most, in 64 KiB writes, each after the last drained: bounded, and far past any cap.
      const block = Buffer.alloc(64 * 1024, 'x');
      let left = 256;
      const more = (): void => {
        if (left-- > 0 && !socket.destroyed) socket.write(block, more);
      };
      more();
      return;
    }
    socket.write('220 test.example ESMTP ready\r\n');
    converse(socket, false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => {
    for (const s of [...peer.secured, ...peer.connections]) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  peer.port = (server.address() as net.AddressInfo).port;
  return peer;
}
