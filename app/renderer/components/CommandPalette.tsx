/**
 * The minibuffer: Emacs commands by name with completion (cmdk: the active
 * completion is highlighted and announced), arguments read as Lisp, or a
 * whole Lisp form. A command that runs closes the palette and leaves its
 * answer in the echo area; an error stays in the palette, next to what was typed.
 */
import { Command, useCommandState } from 'cmdk';
import { useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { isOpenNetworkStreamList, NetprocBridgeError, type NetprocApi, type OpenNetworkStreamList } from '../../shared/api.js';
import { lispFieldPath, lispText, signalText } from '../lisp.js';
import { COMMANDS, LispReadError, typedAction, type PaletteAction } from '../lisp-reader.js';
import { processById, type WorkbenchStore } from '../store.js';
import { Modal } from './ui/Modal.js';
import { counted } from '../../shared/words.js';

/** `(#<process smtp> :greeting "220 …" :capabilities "250 …" :type tls :error nil)`. */
export function returnListText(list: OpenNetworkStreamList): string {
  const process = list.process ? `#<process ${list.process.name}>` : 'nil';
  return `(${process} :greeting ${lispText(list.greeting)} :capabilities ${lispText(list.capabilities)} :type ${list.type} :error ${lispText(list.error)})`;
}

/** Which commands complete what is typed: those containing its first word; none once it is a Lisp form. */
export function completes(command: string, typed: string): boolean {
  const text = typed.trimStart();
  return !text.startsWith('(') && command.includes(text.split(/\s/)[0] ?? '');
}

function contactKey(key: unknown): string | true | null {
  if (key === undefined || key === null) return null;
  if (key === true) return true;
  return String(key)
    .replace(/^:/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Runs a request or a process command; the answer is the text for the echo area, as Emacs would print it. */
async function runAction(
  api: NetprocApi,
  store: WorkbenchStore,
  action: Exclude<PaletteAction, { kind: 'list-processes' } | { kind: 'list-buffers' } | { kind: 'message-library' }>,
): Promise<string> {
  if (action.kind === 'pins') {
    const answer =
      action.method === 'pinCertificate'
        ? await api.pinCertificate(action.params as never)
        : action.method === 'forgetCertificatePin'
          ? await api.forgetCertificatePin(action.params as never)
          : await api.listCertificatePins({});
    const pins = Array.isArray(answer) ? answer : typeof answer === 'object' ? [answer] : null;
    return pins ? pins.map((p) => `${p.host}:${p.port} ${p.fingerprint}`).join('\n') || 'No pinned certificates' : lispText(answer);
  }
  if (action.kind === 'request') {
    const created =
      action.method === 'makeNetworkProcess'
        ? await api.makeNetworkProcess(action.params as never)
        : await api.openNetworkStream(action.params as never);
    if (isOpenNetworkStreamList(created)) {
      if (created.process) store.getState().select(created.process.id);
      return returnListText(created);
    }
    if (!created) return 'nil';
    store.getState().select(created.id);
    return `#<process ${created.name}>`;
  }
  if (action.kind === 'workflow' && action.method === 'cancelReconnect')
    return (await api.cancelReconnect({ name: action.name })) ? `${action.name}: reconnect cancelled` : 'nil';
  const process = Object.values(store.getState().processes).find((p) => p.name === action.name);
  if (!process) throw new LispReadError(`Process ${action.name} does not exist`);
  const id = process.id;
  if (action.kind === 'workflow') {
    store.getState().select(id);
    if (action.method === 'setSplitPeers') {
      const server = await api.setSplitPeers({ id, split: action.value });
      return server.splitPeers ? `${process.name}: a process per peer` : `${process.name}: no process per peer`;
    }
    if (action.method === 'setAutoReplyRules') {
      const state = await api.setAutoReplyRules({ id, rules: action.value as never });
      return state ? `${process.name}: ${counted(state.rules.length, 'auto-reply rule')}` : 'nil';
    }
    const state = await api.setProcessReconnect({ id, policy: action.value as never });
    return state ? `${process.name}: reconnects (${state.policy.maxAttempts ?? 'unlimited'} attempts)` : 'nil';
  }
  switch (action.command) {
    case 'delete-process':
      await api.deleteProcess({ ids: [id] });
      return `Deleted ${process.name}`;
    case 'stop-process':
      await api.stopProcess({ id });
      return `Stopped ${process.name}`;
    case 'continue-process':
      await api.continueProcess({ id });
      return `Continued ${process.name}`;
    case 'process-send-eof':
      await api.sendEof({ id });
      return `Sent EOF to ${process.name}`;
    case 'set-process-query-on-exit-flag':
      await api.setQueryOnExitFlag({ id, flag: action.flag });
      return `${process.name}: query on exit ${action.flag ? 't' : 'nil'}`;
    case 'process-contact': {
      const key = contactKey(action.key);
      const value = await api.processContact({ id, key });
      store.getState().select(id);
      // With no key the answer is the list (HOST SERVICE).
      return key === null && Array.isArray(value) ? `(${value.map(lispText).join(' ')})` : lispText(value);
    }
  }
}

type RequestMethod = Extract<PaletteAction, { kind: 'request' }>['method'];

/** The arguments open-network-stream takes by place, named in its documentation as NAME BUFFER HOST SERVICE. */
const POSITIONAL: Record<RequestMethod, readonly string[]> = {
  makeNetworkProcess: [],
  openNetworkStream: ['name', 'buffer', 'host', 'service'],
};
const LISP_NAMES: Record<RequestMethod, string> = {
  makeNetworkProcess: 'make-network-process',
  openNetworkStream: 'open-network-stream',
};

/**
 * A failure as the palette says it: a refused argument of a form is named as
 * the form writes it (`:tls-parameters :servername`, `HOST`), not by the
 * contract's field path (`tlsParameters.servername`).
 */
export function failureText(error: Error, command: RequestMethod | null): string {
  if (!(error instanceof NetprocBridgeError) || !error.field || command === null) return error.message;
  const prefix = `${error.field}: `;
  if (!error.message.startsWith(prefix)) return error.message;
  const reason = error.message.slice(prefix.length);
  const field = lispFieldPath(error.field, POSITIONAL[command]);
  if (reason !== 'is not a known field') return `${field} ${reason}`;
  const parent = error.field.split('.').slice(0, -1).join('.');
  return `${field} is not a keyword of ${parent ? lispFieldPath(parent) : LISP_NAMES[command]}`;
}

interface Props {
  api: NetprocApi;
  store: WorkbenchStore;
  open: boolean;
  onOpenChange(open: boolean): void;
  returnFocus(): void;
  /** A command ran: close, and show its answer in the echo area. */
  onDone(echo: string): void;
  onOpenForm(): void;
  onListProcesses(): void;
  /** `list-buffers`: show the buffer list. */
  onListBuffers(): void;
  onMessageLibrary(): void;
}

export function CommandPalette({ open, onOpenChange, returnFocus, ...body }: Props) {
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Command palette" hideTitle className="palette" returnFocus={returnFocus}>
      <PaletteBody {...body} />
    </Modal>
  );
}

type BodyProps = Omit<Props, 'open' | 'onOpenChange' | 'returnFocus'>;

function PaletteBody({ api, store, onDone, onOpenForm, onListProcesses, onListBuffers, onMessageLibrary }: BodyProps) {
  const [input, setInput] = useState('');
  /** `signal` is the Lisp form of a refused request's error, shown under its message. */
  const [failure, setFailure] = useState<{ text: string; signal?: string } | null>(null);
  /** While a command runs, what it waits for (a TLS handshake or STARTTLS exchange may take up to 30 s). */
  const [busy, setBusy] = useState<string | null>(null);
  const field = useRef<HTMLInputElement>(null);

  const run = async (typed: string): Promise<void> => {
    setFailure(null);
    let command: RequestMethod | null = null;
    try {
      const state = store.getState();
      const action = typedAction(typed, {
        selected: state.selectedId !== null ? processById(state, state.selectedId)?.name : undefined,
        processNames: Object.values(state.processes).map((p) => p.name),
      });
      if (action === 'form') return onOpenForm();
      if (action.kind === 'list-processes') return onListProcesses();
      if (action.kind === 'list-buffers') return onListBuffers();
      if (action.kind === 'message-library') return onMessageLibrary();
      if (action.kind === 'request') command = action.method;
      setBusy(action.kind === 'request' ? 'Connecting…' : 'Running…');
      onDone(await runAction(api, store, action));
    } catch (err) {
      const e = err as Error;
      setFailure({ text: failureText(e, command), ...(e instanceof NetprocBridgeError ? { signal: signalText(e) } : {}) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Command label="Command" filter={(value, search) => (completes(value, search) ? 1 : 0)} vimBindings={false} loop>
      <div className="palette-line">
        <span className="palette-prompt" aria-hidden>
          M-x
        </span>
        <PaletteInput
          inputRef={field}
          value={input}
          busy={busy !== null}
          invalid={failure !== null}
          onChange={(text) => {
            setInput(text);
            setFailure(null);
          }}
          onRun={(typed) => void run(typed)}
        />
      </div>
      <p role="status" className="field-help palette-status">
        {busy ?? ''}
      </p>
      <Command.List label="Commands" className="palette-list">
        {COMMANDS.map((c) => (
          <Command.Item
            key={c}
            value={c}
            className="palette-item"
            onSelect={() => {
              setInput(`${c} `);
              field.current?.focus();
            }}
          >
            {c}
          </Command.Item>
        ))}
      </Command.List>
      {failure ? (
        <div className="palette-failure">
          <p role="alert" id="palette-error" className="field-error">
            {failure.text}
          </p>
          {failure.signal ? (
            <pre className="lisp-signal" aria-label="Lisp signal">
              {failure.signal}
            </pre>
          ) : null}
        </div>
      ) : null}
    </Command>
  );
}

interface InputProps {
  inputRef: RefObject<HTMLInputElement | null>;
  value: string;
  busy: boolean;
  invalid: boolean;
  onChange(text: string): void;
  onRun(typed: string): void;
}

/** Inside cmdk's root, so it knows the highlighted completion: Enter runs it while only a command name is typed, Tab completes it. */
function PaletteInput({ inputRef, value, busy, invalid, onChange, onRun }: InputProps) {
  const highlighted = useCommandState((state) => state.value);
  const text = value.trim();
  const typingName = !/\s/.test(text) && !text.startsWith('(');
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'Enter') {
      // Ours, not cmdk's: the line may hold arguments or a form, not just the highlighted name.
      event.preventDefault();
      if (!busy) onRun(typingName && highlighted ? highlighted : value);
    } else if (event.key === 'Tab' && !event.shiftKey && typingName && highlighted) {
      event.preventDefault();
      onChange(`${highlighted} `);
    } else if (event.key === 'Home' || event.key === 'End') {
      // The caret's keys in a line being edited, not cmdk's first and last item.
      event.stopPropagation();
    }
  };
  return (
    <Command.Input
      ref={inputRef}
      value={value}
      onValueChange={onChange}
      onKeyDown={onKeyDown}
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? 'palette-error' : undefined}
      placeholder={'stop-process srv, process-contact srv t, or (make-network-process :name "srv" :server t :service 8080)'}
    />
  );
}
