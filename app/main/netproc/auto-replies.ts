/**
 * Which processes answer by auto-reply rules (auto-reply.ts), and what a
 * responder does to its process: send, close, count a hit, report. Rules set
 * on a process replace any it had; a server's connections accepted later take
 * its rules as they are when accepted; a splitting datagram server's peers
 * take its rules whenever they are set.
 */
import { emacsClientId } from './address.js';
import { AutoReplyRules, Responder, type AutoReplySpec, type AutoReplyState } from './auto-reply.js';
import { encodeForSending } from './coding.js';
import { resolveProcess, type ProcessDesignator } from './designator.js';
import type { EngineInternals } from './engine-internals.js';
import { wrongType } from './errors.js';
import type { NetworkProcess } from './process.js';
import { sendString } from './sending.js';
import type { Traffic } from './traffic.js';

export class AutoReplies {
  constructor(
    private readonly engine: EngineInternals,
    private readonly traffic: Traffic,
    /** delete-process, for a rule that closes after its reply. */
    private readonly deleteProcess: (process: NetworkProcess) => void,
  ) {}

  /**
   * SPEC answers the process's input from now on, replacing any rules it had
   * (pending delayed replies are dropped); null removes them. A server's
   * connections accepted later inherit them. Answers the rules as set, with
   * their hit counts.
   */
  set(designator: ProcessDesignator, spec: AutoReplySpec | null): AutoReplyState | null {
    const process = resolveProcess(this.engine, designator);
    if (spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) throw wrongType('rules', 'listp', spec);
    const rules = spec === null ? null : AutoReplyRules.compile(spec, { encoder: process.encoder, datagram: process.isDatagram });
    this.attach(process, rules);
    // A splitting server's peers answer its datagrams by its rules as they are now (see attach's answeredElsewhere).
    for (const peer of process.peers?.values() ?? []) {
      this.attach(peer, rules);
      this.engine.emit('process-changed', peer);
    }
    this.engine.emit('process-changed', process);
    return rules?.state() ?? null;
  }

  /** The process's auto-reply rules with their hit counts, or null. */
  rules(designator: ProcessDesignator): AutoReplyState | null {
    return resolveProcess(this.engine, designator).autoReply?.responder.rules.state() ?? null;
  }

  /** @internal PROCESS is listed: an accepted connection answers by its server's rules as they are now, as it inherits the server's filter. */
  listed(process: NetworkProcess): void {
    if (process.server?.autoReply) this.attach(process, process.server.autoReply.responder.rules);
  }

  private attach(process: NetworkProcess, rules: AutoReplyRules | null): void {
    if (process.autoReply) {
      process.autoReply.subscription.dispose();
      process.autoReply.responder.dispose();
      process.autoReply = null;
    }
    if (!rules) return;
    const { engine } = this;
    const responder = new Responder(
      rules,
      {
        send: (bytes, peer, label) => sendString(engine, process, bytes, { peer, label }),
        close: () => {
          if (engine.table.has(process)) this.deleteProcess(process);
        },
        report: (text) => engine.report(text),
        // A splitting server leaves a datagram to its sender's peer process, which has the same rules: answered once, and
        // the reply is that peer's traffic. Past the peer limit, or while that process is stopped or has no rules, the server answers.
        answeredElsewhere:
          process.kind === 'datagram-server'
            ? (peer) => {
                const owner = process.peers && Array.isArray(peer) ? process.peers.get(emacsClientId(peer)) : undefined;
                return owner !== undefined && !owner.stopped && owner.autoReply !== null;
              }
            : undefined,
        // The counts are shared with the server the rules came from, so its row changes too (the bridge coalesces both per frame).
        hit: () => {
          if (!engine.table.has(process)) return;
          engine.emit('process-changed', process);
          const server = process.server;
          if (server?.autoReply?.responder.rules === rules && engine.table.has(server)) engine.emit('process-changed', server);
        },
        get utf8() {
          return process.decoder.coding.charset === 'utf-8';
        },
        // A process that decodes one character per byte gets its captured bytes back as they came.
        encodeText: (text) =>
          process.decoder.coding.charset !== 'utf-8' && !/[\u0100-\u{10ffff}]/u.test(text)
            ? Buffer.from(text, 'latin1')
            : encodeForSending(text, process.encoder),
      },
      process.isDatagram,
      process.name,
    );
    process.autoReply = { responder, subscription: this.traffic.subscribe(process, responder) };
  }
}
