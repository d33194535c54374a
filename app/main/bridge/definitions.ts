/**
 * Process definitions: the contract arguments each process was made with,
 * remembered so that a workspace can be saved from the running engine and
 * made again from a file. Only processes made through the contract have one
 * (accepted connections are made by their server, not defined).
 */
import type { Params } from '../../shared/contract.js';
import type { ProcessDefinition } from '../../shared/workspace.js';
import { NetprocError, NetworkProcess, type MakeNetworkProcessOptions, type Netproc } from '../netproc/index.js';
import type { Builtins } from './builtins.js';
import { toJson } from './serialize.js';

type MakeParams = Params<'makeNetworkProcess'>;
type OpenParams = Params<'openNetworkStream'>;

/**
 * Workspace files as a host keeps them: the desktop's open and save dialogs
 * and its recent list. A path given rather than chosen must be a recent one.
 */
export interface WorkspaceFiles {
  /** The file's text: PATH, or the one chosen in the open dialog; null when the dialog is cancelled. */
  open(path: string | null): Promise<{ path: string; text: string } | null>;
  /** Writes TEXT to PATH, or where the save dialog says; the path written, or null when cancelled. */
  save(text: string, path: string | null, suggestedName: string): Promise<string | null>;
  /** Puts PATH first in the recent list. */
  remember(path: string): void;
  /** The recent workspaces, the last opened or saved first. */
  recent(): string[];
}

export interface ApplyResult {
  created: NetworkProcess[];
  /** Definitions left alone because a process in the list already has their name. */
  skipped: string[];
}

export interface Definitions {
  /** make-network-process from the contract's parameters, remembering them. */
  makeNetworkProcess(params: MakeParams): Promise<NetworkProcess | null>;
  /** open-network-stream from the contract's parameters, remembering them. */
  openNetworkStream(params: OpenParams): ReturnType<Netproc['openNetworkStream']>;
  /** The definitions of the processes in the list now, oldest first, as they are now (filter, plist, rules, reconnect). */
  capture(): ProcessDefinition[];
  /** Makes every definition whose name no process in the list has; if one fails, deletes those it made and throws. */
  apply(processes: readonly ProcessDefinition[]): Promise<ApplyResult>;
}

/** Carried by a client's options, which spreading copies (a symbol is no keyword, so make-network-process never sees it). */
const DEFINITION = Symbol('netproc.definition');
type Tagged = MakeNetworkProcessOptions & { [DEFINITION]?: ProcessDefinition };

const omitUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

export function createDefinitions(np: Netproc, builtins: Builtins): Definitions {
  const made = new WeakMap<NetworkProcess, ProcessDefinition>();

  async function makeNetworkProcess(params: MakeParams): Promise<NetworkProcess | null> {
    // The policy is captured from the engine's reconnect state (as one set later is), not kept among the arguments.
    const { filter, sentinel, plist, reconnect, ...args } = params;
    const definition: ProcessDefinition = { kind: 'make-network-process', args: { ...args } };
    // A reconnecting client is made again from a copy of its options (reconnect.ts); the copy keeps this tag. It is
    // set before making, since a client made reconnecting may already be on its next attempt when the make returns.
    const options: Tagged = { ...(args as MakeNetworkProcessOptions), [DEFINITION]: definition };
    if (filter !== undefined) options.filter = builtins.filter(filter);
    if (sentinel !== undefined) options.sentinel = builtins.sentinel(sentinel);
    if (plist !== undefined) options.plist = plist;
    if (reconnect !== undefined) options.reconnect = reconnect;
    const p = await np.makeNetworkProcess(options);
    if (p) {
      definition.args = { ...args, name: p.name };
      made.set(p, definition);
    }
    return p;
  }

  async function openNetworkStream(params: OpenParams): ReturnType<Netproc['openNetworkStream']> {
    const { name, buffer, createBuffer, host, service, ...rest } = params;
    if (createBuffer && buffer !== null) np.getBufferCreate(buffer);
    const opened = await np.openNetworkStream(name, buffer, host, service, rest);
    const p = opened instanceof NetworkProcess ? opened : opened.process;
    if (p) {
      const { returnList: _ignored, ...args } = params;
      made.set(p, { kind: 'open-network-stream', args: omitUndefined({ ...args, name: p.name }) });
    }
    return opened;
  }

  function definitionOf(p: NetworkProcess): ProcessDefinition | undefined {
    return made.get(p) ?? (p.madeWith as Tagged | null)?.[DEFINITION];
  }

  function capture(): ProcessDefinition[] {
    const definitions: ProcessDefinition[] = [];
    for (const p of [...np.processList()].reverse()) {
      const definition = definitionOf(p);
      if (!definition) continue;
      const filter = builtins.filterName(p.filter);
      const sentinel = builtins.sentinelName(p.sentinel);
      const rules = np.autoReplies.rules(p);
      const reconnect = np.reconnects.state(p.name);
      definitions.push(
        omitUndefined({
          ...definition,
          // Split by peer as the server is now (setSplitPeers may have changed it since it was made).
          args: omitUndefined({
            ...definition.args,
            name: p.name,
            splitPeers: p.kind === 'datagram-server' && p.splitPeers ? true : undefined,
          }),
          filter: filter === 'custom' || filter === 'default' ? undefined : filter,
          sentinel: sentinel === 'custom' || sentinel === 'default' ? undefined : sentinel,
          plist: p.plist.length > 0 ? p.plist.map(toJson) : undefined,
          rules: rules
            ? omitUndefined({
                framing: rules.framing,
                lengthBytes: rules.framing === 'length-prefixed' ? rules.lengthBytes : undefined,
                rules: rules.rules.map(({ hits: _hits, ...rule }) => rule),
              })
            : undefined,
          reconnect: reconnect ? { ...reconnect.policy } : undefined,
        }) as ProcessDefinition,
      );
    }
    return definitions;
  }

  async function makeOne(definition: ProcessDefinition): Promise<NetworkProcess | null> {
    const { filter, sentinel, plist, rules, reconnect } = definition;
    let p: NetworkProcess | null;
    if (definition.kind === 'make-network-process') {
      p = await makeNetworkProcess({ ...definition.args, filter, sentinel, plist });
    } else {
      const opened = await openNetworkStream(definition.args);
      p = opened instanceof NetworkProcess ? opened : opened.process;
      try {
        if (p && filter !== undefined) np.setProcessFilter(p, builtins.filter(filter));
        if (p && sentinel !== undefined) np.setProcessSentinel(p, builtins.sentinel(sentinel));
        if (p && plist !== undefined) np.setProcessPlist(p, plist);
      } catch (err) {
        if (p) np.deleteProcess(p);
        throw err;
      }
    }
    if (!p) return null;
    try {
      if (rules) np.autoReplies.set(p, rules);
      if (reconnect) np.reconnects.set(p, reconnect);
    } catch (err) {
      // Made but refused its rules or policy: it goes with the rest.
      np.deleteProcess(p);
      throw err;
    }
    return p;
  }

  async function apply(processes: readonly ProcessDefinition[]): Promise<ApplyResult> {
    const created: NetworkProcess[] = [];
    const skipped: string[] = [];
    for (const [index, definition] of processes.entries()) {
      if (np.getProcess(definition.args.name)) {
        skipped.push(definition.args.name);
        continue;
      }
      try {
        const p = await makeOne(definition);
        if (p) created.push(p);
      } catch (err) {
        for (const p of created.reverse()) {
          np.reconnects.cancel(p.name);
          np.deleteProcess(p);
        }
        throw workspaceError(index, definition.args.name, err);
      }
    }
    return { created, skipped };
  }

  return { makeNetworkProcess, openNetworkStream, capture, apply };
}

/** An engine failure while making definition INDEX, named by its place in the file; Emacs's condition and data kept. */
function workspaceError(index: number, name: string, err: unknown): unknown {
  const field = `processes[${index}]`;
  if (err instanceof NetprocError) {
    const inner = err.field ? `${field}.${err.field}` : field;
    return new NetprocError({
      code: err.code,
      message: `${field} (${name}): ${err.message}`,
      field: inner,
      condition: err.condition,
      data: err.data,
    });
  }
  return err;
}
