/** The minibuffer: Emacs commands by name with completion, or a Lisp form. */
import { useState, type KeyboardEvent } from 'react';
import {
  isOpenNetworkStreamList,
  NetprocBridgeError,
  type NetprocApi,
  type OpenNetworkStreamList,
  type ProcessInfo,
} from '../../shared/api.js';
import { lispText, signalText } from '../lisp.js';
import { COMMANDS, formToAction, LispReadError, PIN_COMMANDS, readLisp, type PaletteAction, type ProcessCommand } from '../lisp-reader.js';
import type { WorkbenchStore } from '../store.js';

interface Props {
  api: NetprocApi;
  store: WorkbenchStore;
  onClose(): void;
  onOpenForm(): void;
  onFocusList(): void;
  /** `list-buffers`: show the buffer list. */
  onListBuffers?(): void;
}

/** `stop-process srv` → the same action as `(stop-process "srv")`; a bare command acts on the selection. */
export function typedAction(input: string, selected: ProcessInfo | undefined): PaletteAction | 'form' {
  const text = input.trim();
  if (text.startsWith('(')) return formToAction(readLisp(text));
  const [command, ...rest] = text.split(/\s+/);
  if (command === 'make-network-process' || command === 'open-network-stream') return 'form';
  if (command === 'list-processes') return { kind: 'list-processes' };
  if (command === 'list-buffers') return { kind: 'list-buffers' };
  // `netproc-pin-certificate localhost 8443 AB:CD:…`: words as the form's arguments, numbers as numbers.
  if (command && command in PIN_COMMANDS) return formToAction([{ symbol: command }, ...rest.map((w) => (/^\d+$/.test(w) ? Number(w) : w))]);
  if (command && (COMMANDS as readonly string[]).includes(command)) {
    const name = rest.join(' ') || selected?.name;
    if (!name) throw new LispReadError(`${command}: which process? Select one or type its name`);
    return { kind: 'process', command: command as ProcessCommand, name };
  }
  throw new LispReadError(`Unknown command ${command ?? ''}`);
}

/** `(#<process smtp> :greeting "220 …" :capabilities "250 …" :type tls :error nil)`. */
export function returnListText(list: OpenNetworkStreamList): string {
  const process = list.process ? `#<process ${list.process.name}>` : 'nil';
  return `(${process} :greeting ${lispText(list.greeting)} :capabilities ${lispText(list.capabilities)} :type ${list.type} :error ${lispText(list.error)})`;
}

function contactKey(key: unknown): string | true | null {
  if (key === undefined || key === null) return null;
  if (key === true) return true;
  return String(key)
    .replace(/^:/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function CommandPalette({ api, store, onClose, onOpenForm, onFocusList, onListBuffers }: Props) {
  const [input, setInput] = useState('');
  const [active, setActive] = useState(0);
  /** `signal` is the Lisp form of a refused request's error, shown under its message. */
  const [result, setResult] = useState<{ ok: boolean; text: string; signal?: string } | null>(null);
  const matches = input.startsWith('(') ? [] : COMMANDS.filter((c) => c.includes(input.trim().split(/\s+/)[0] ?? ''));

  const run = async (action: PaletteAction): Promise<void> => {
    if (action.kind === 'list-processes') {
      onClose();
      onFocusList();
      return;
    }
    if (action.kind === 'list-buffers') {
      onClose();
      onListBuffers?.();
      return;
    }
    if (action.kind === 'pins') {
      const answer =
        action.method === 'pinCertificate'
          ? await api.pinCertificate(action.params as never)
          : action.method === 'forgetCertificatePin'
            ? await api.forgetCertificatePin(action.params as never)
            : await api.listCertificatePins({});
      const pins = Array.isArray(answer) ? answer : typeof answer === 'object' ? [answer] : null;
      return setResult({
        ok: true,
        text: pins ? pins.map((p) => `${p.host}:${p.port} ${p.fingerprint}`).join('\n') || 'No pinned certificates' : lispText(answer),
      });
    }
    if (action.kind === 'request') {
      const created =
        action.method === 'makeNetworkProcess'
          ? await api.makeNetworkProcess(action.params as never)
          : await api.openNetworkStream(action.params as never);
      if (isOpenNetworkStreamList(created)) {
        // :return-list t: the list stays on screen, as M-: would print it.
        if (created.process) store.getState().select(created.process.id);
        return setResult({ ok: true, text: returnListText(created) });
      }
      if (created) store.getState().select(created.id);
      onClose();
      return;
    }
    const process = Object.values(store.getState().processes).find((p) => p.name === action.name);
    if (!process) throw new LispReadError(`Process ${action.name} does not exist`);
    const id = process.id;
    switch (action.command) {
      case 'delete-process':
        await api.deleteProcess({ ids: [id] });
        return setResult({ ok: true, text: `Deleted ${process.name}` });
      case 'stop-process':
        await api.stopProcess({ id });
        return setResult({ ok: true, text: `Stopped ${process.name}` });
      case 'continue-process':
        await api.continueProcess({ id });
        return setResult({ ok: true, text: `Continued ${process.name}` });
      case 'process-send-eof':
        await api.sendEof({ id });
        return setResult({ ok: true, text: `Sent EOF to ${process.name}` });
      case 'process-contact': {
        const key = contactKey(action.key);
        const value = await api.processContact({ id, key });
        store.getState().select(id);
        // With no key the answer is the list (HOST SERVICE).
        return setResult({ ok: true, text: key === null && Array.isArray(value) ? `(${value.map(lispText).join(' ')})` : lispText(value) });
      }
    }
  };

  const submit = (): void => {
    const typed = matches.length && !input.includes(' ') && !input.startsWith('(') ? (matches[active] ?? input) : input;
    try {
      const action = typedAction(
        typed,
        store.getState().selectedId !== null ? store.getState().processes[store.getState().selectedId as number] : undefined,
      );
      if (action === 'form') {
        onClose();
        onOpenForm();
        return;
      }
      run(action).catch((err: Error) =>
        setResult({ ok: false, text: err.message, ...(err instanceof NetprocBridgeError ? { signal: signalText(err) } : {}) }),
      );
    } catch (err) {
      setResult({ ok: false, text: (err as Error).message });
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'Enter') {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape') onClose();
    else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((a) => Math.max(0, Math.min(matches.length - 1, a + (event.key === 'ArrowDown' ? 1 : -1))));
    } else if (event.key === 'Tab' && matches[active]) {
      event.preventDefault();
      setInput(`${matches[active]} `);
    }
  };

  return (
    <div role="dialog" aria-modal="true" aria-label="Command palette" className="dialog palette">
      <label>
        M-x
        <input
          role="combobox"
          aria-label="Command"
          aria-expanded={matches.length > 0}
          aria-controls="palette-commands"
          aria-activedescendant={matches[active] ? `command-${matches[active]}` : undefined}
          autoFocus
          value={input}
          placeholder='stop-process srv, or (make-network-process :name "srv" :server t :service 8080)'
          onChange={(e) => {
            setInput(e.target.value);
            setActive(0);
            setResult(null);
          }}
          onKeyDown={onKeyDown}
        />
      </label>
      <ul role="listbox" id="palette-commands" aria-label="Commands">
        {matches.map((c, i) => (
          <li key={c} id={`command-${c}`} role="option" aria-selected={i === active} onMouseDown={() => setInput(`${c} `)}>
            {c}
          </li>
        ))}
      </ul>
      {result ? (
        <pre role={result.ok ? 'status' : 'alert'} className={result.ok ? '' : 'field-error'}>
          {result.text}
        </pre>
      ) : null}
      {result?.signal ? (
        <pre className="lisp-signal" aria-label="Lisp signal">
          {result.signal}
        </pre>
      ) : null}
    </div>
  );
}
