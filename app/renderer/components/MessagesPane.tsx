/**
 * The message library: named messages (a template, hex bytes or a file) sent
 * to the selected process with one click, once or repeated, with the repeat's
 * live count and a Stop; to a server, a message goes to every connection.
 */
import { CircleStop, Copy, MessageSquarePlus, Plus, Send, Trash2, X } from 'lucide-react';
import { useId, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { LIMITS, NetprocBridgeError, type NetprocApi, type ProcessInfo, type RepeatState } from '../../shared/api.js';
import { messageSource, messageTemplate, type LibraryMessage, type MessageKind } from '../../shared/message-library.js';
import { bytesHex } from '../hex.js';
import type { MessageLibraryStore, StoredMessage } from '../message-library.js';
import { processById, type WorkbenchStore } from '../store.js';
import { Button, IconButton } from './ui/Button.js';
import { CheckField, Field } from './ui/Field.js';
import { EmptyState, PaneHeader } from './ui/Pane.js';
import { Segmented } from './ui/Segmented.js';

const KINDS: Array<{ value: MessageKind; label: string }> = [
  { value: 'text', label: 'Text' },
  { value: 'hex', label: 'Hex' },
  { value: 'file', label: 'File' },
];

const BODY_LABEL: Record<MessageKind, string> = { text: 'Template', hex: 'Hex bytes', file: 'File path' };
const BODY_HELP: Record<MessageKind, string> = {
  text: 'Escapes \\r \\n \\t \\0 \\e \\xHH; variables {{seq}} {{time}} {{time:unix}} {{time:ms}} {{random:N}} {{hex:…}}',
  hex: 'Bytes as pairs of hex digits, spaces optional, e.g. 48 65 6c 6c 6f 0d 0a',
  file: 'A file on this machine, sent whole as it is read (at most 64 MiB)',
};
const PREVIEW_BYTES = 256;
export const NEW_MESSAGE: LibraryMessage = { name: 'message', kind: 'text', body: 'hello {{seq}}\\r\\n' };

/** "37 of 100", or "37 sent" for a repeat until stopped. */
export function repeatCount(state: RepeatState): string {
  return state.count === null ? `${state.sent} sent` : `${state.sent} of ${state.count}`;
}

function repeatOutcome(state: RepeatState): string {
  if (state.running) return `every ${state.intervalMs} ms`;
  if (state.error) return `stopped: ${state.error}`;
  return state.count !== null && state.sent >= state.count ? 'done' : 'stopped';
}

interface Props {
  api: NetprocApi;
  store: WorkbenchStore;
  library: MessageLibraryStore;
  onClose(): void;
}

export function MessagesPane({ api, store, library, onClose }: Props) {
  const messages = useStore(library, (s) => s.messages);
  const [editing, setEditing] = useState<string | null>(null);
  const shown = messages.find((m) => m.id === editing) ?? messages[0] ?? null;
  const add = (): void => setEditing(library.getState().add(NEW_MESSAGE));
  return (
    <aside className="pane pane-messages" aria-labelledby="messages-title" tabIndex={-1}>
      <PaneHeader title="Messages" id="messages-title">
        <IconButton label="New message" icon={<Plus size={14} aria-hidden />} onClick={add} />
        <IconButton label="Close messages" shortcut="Ctrl+Shift+M" icon={<X size={14} aria-hidden />} onClick={onClose} />
      </PaneHeader>
      <div className="pane-body messages-body">
        {messages.length === 0 ? (
          <EmptyState title="No messages yet" icon={<MessageSquarePlus size={28} aria-hidden />}>
            <p>Keep the messages you send often, with escapes such as \r\n and variables such as {'{{seq}}'}.</p>
            <Button variant="primary" icon={<Plus size={14} aria-hidden />} onClick={add}>
              New message
            </Button>
          </EmptyState>
        ) : (
          <>
            <ul className="message-list" aria-label="Library">
              {messages.map((m) => (
                <MessageRow
                  key={m.id}
                  api={api}
                  store={store}
                  library={library}
                  message={m}
                  current={m.id === shown?.id}
                  onEdit={setEditing}
                />
              ))}
            </ul>
            {shown ? <MessageEditor key={shown.id} api={api} store={store} library={library} message={shown} /> : null}
          </>
        )}
        <RepeatList api={api} store={store} />
      </div>
    </aside>
  );
}

/** Sends a message to a process (to every connection of a server); answers the repeat started, if any. */
async function sendLibraryMessage(api: NetprocApi, store: WorkbenchStore, message: LibraryMessage, target: ProcessInfo): Promise<void> {
  const everyConnection = target.kind === 'stream-server';
  if (message.kind === 'file') {
    if (everyConnection) throw new Error('A file is sent to one connection: select it rather than its server');
    await api.sendFile({ id: target.id, path: message.body, name: message.name });
    return;
  }
  const started = await api.sendMessage({
    id: target.id,
    name: message.name,
    template: messageSource(message.kind, message.body),
    ...(message.repeat ? { repeat: message.repeat } : {}),
    ...(everyConnection ? { everyConnection } : {}),
  });
  if (started) store.getState().noteRepeat(started);
}

function useTarget(store: WorkbenchStore): ProcessInfo | undefined {
  return useStore(store, (s) => processById(s, s.selectedId));
}

/** What the Send button says: a server's message goes to each of its connections. */
function sendLabel(message: LibraryMessage, target: ProcessInfo | undefined): string {
  const verb = message.repeat && message.kind !== 'file' ? 'Repeat' : 'Send';
  return target?.kind === 'stream-server' ? `${verb} to every connection` : verb;
}

function MessageRow({
  api,
  store,
  library,
  message,
  current,
  onEdit,
}: {
  api: NetprocApi;
  store: WorkbenchStore;
  library: MessageLibraryStore;
  message: StoredMessage;
  current: boolean;
  onEdit(id: string): void;
}) {
  const target = useTarget(store);
  const [failure, setFailure] = useState<string | null>(null);
  const send = (): void => {
    if (!target) return;
    setFailure(null);
    sendLibraryMessage(api, store, message, target).catch((err: Error) => setFailure(err.message));
  };
  return (
    <li className="message-row" aria-current={current ? 'true' : undefined}>
      <button type="button" className="message-name" onClick={() => onEdit(message.id)} aria-label={`Edit ${message.name}`}>
        <span>{message.name}</span>
        <span className="message-kind">{message.kind}</span>
      </button>
      <IconButton
        label={`${sendLabel(message, target)}: ${message.name}`}
        icon={<Send size={14} aria-hidden />}
        disabled={!target}
        onClick={send}
      />
      <IconButton
        label={`Duplicate ${message.name}`}
        icon={<Copy size={14} aria-hidden />}
        onClick={() => {
          const copy = library.getState().duplicate(message.id);
          if (copy) onEdit(copy);
        }}
      />
      <IconButton
        label={`Delete ${message.name}`}
        variant="danger"
        icon={<Trash2 size={14} aria-hidden />}
        onClick={() => library.getState().remove(message.id)}
      />
      {failure ? (
        <p role="alert" className="field-error message-row-error">
          {failure}
        </p>
      ) : null}
    </li>
  );
}

/** A whole number typed into a field, or null while it is not one in range. */
function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

function MessageEditor({
  api,
  store,
  library,
  message,
}: {
  api: NetprocApi;
  store: WorkbenchStore;
  library: MessageLibraryStore;
  message: StoredMessage;
}) {
  const id = useId();
  const target = useTarget(store);
  const update = (patch: Partial<LibraryMessage>): void => {
    if (patch.body !== undefined || patch.kind !== undefined) setFailure(null);
    library.getState().update(message.id, patch);
  };
  const [name, setName] = useState(message.name);
  const [interval, setIntervalText] = useState(String(message.repeat?.intervalMs ?? 1000));
  const [count, setCount] = useState(message.repeat?.count === null ? '' : String(message.repeat?.count ?? 10));
  /** Why the last send was refused; `atBody` when main named the template or the file (shown at that field). */
  const [failure, setFailure] = useState<{ text: string; atBody: boolean } | null>(null);
  const latest = useStore(
    store,
    useShallow((s) => {
      // Only this message's repeat to the process it would send to now: another target's count is not this one's.
      const mine = Object.values(s.repeats).filter((r) => r.name === message.name && r.processName === target?.name);
      return mine[mine.length - 1] ?? null;
    }),
  );

  const compiled = message.kind === 'file' ? null : messageTemplate(message.kind, message.body);
  const bodyError = compiled && 'problem' in compiled ? compiled.problem.message : failure?.atBody ? failure.text : undefined;
  const preview =
    compiled && 'template' in compiled ? compiled.template.render({ seq: 1, now: Date.now() }, (t) => new TextEncoder().encode(t)) : null;
  const intervalMs = wholeNumber(interval, 1, LIMITS.repeatIntervalMs);
  const times = message.repeat?.count === null ? null : wholeNumber(count, 1, LIMITS.repeatCount);
  const repeatError =
    message.repeat && intervalMs === null ? `The interval is whole milliseconds from 1 to ${LIMITS.repeatIntervalMs}` : undefined;
  const countError =
    message.repeat && message.repeat.count !== null && times === null
      ? `The count is a whole number from 1 to ${LIMITS.repeatCount}`
      : undefined;
  const fileToServer = message.kind === 'file' && target?.kind === 'stream-server';
  const ready =
    Boolean(target) &&
    !bodyError &&
    !repeatError &&
    !countError &&
    !fileToServer &&
    (message.kind !== 'file' || message.body.trim() !== '');

  const send = (): void => {
    if (!target || !ready) return;
    setFailure(null);
    sendLibraryMessage(api, store, message, target).catch((err: Error) =>
      setFailure({ text: err.message, atBody: err instanceof NetprocBridgeError && (err.field === 'path' || err.field === 'template') }),
    );
  };
  const sendOnCtrlEnter = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  };
  const setRepeat = (patch: { intervalText?: string; countText?: string; untilStopped?: boolean }): void => {
    const nextInterval = wholeNumber(patch.intervalText ?? interval, 1, LIMITS.repeatIntervalMs);
    const untilStopped = patch.untilStopped ?? message.repeat?.count === null;
    const nextCount = untilStopped ? null : wholeNumber(patch.countText ?? count, 1, LIMITS.repeatCount);
    // A value being typed that is not yet valid leaves the saved repeat as it was.
    if (nextInterval !== null && (untilStopped || nextCount !== null)) update({ repeat: { intervalMs: nextInterval, count: nextCount } });
    else if (patch.untilStopped !== undefined && message.repeat) update({ repeat: { ...message.repeat, count: untilStopped ? null : 10 } });
  };

  return (
    <section className="message-editor" aria-label={`Message ${message.name}`} onKeyDown={sendOnCtrlEnter}>
      <div className="message-editor-row">
        <Field
          id={`${id}-name`}
          label="Name"
          help="Shown in the timeline and the event log for each send"
          control={(props) => (
            <input
              {...props}
              value={name}
              maxLength={LIMITS.name}
              onChange={(e) => setName(e.target.value)}
              onBlur={() => {
                const trimmed = name.trim();
                if (trimmed) update({ name: trimmed });
                setName(library.getState().messages.find((m) => m.id === message.id)?.name ?? trimmed);
              }}
            />
          )}
        />
        <Segmented label="Kind" value={message.kind} options={KINDS} onChange={(kind) => update({ kind })} />
      </div>
      <Field
        id={`${id}-body`}
        label={BODY_LABEL[message.kind]}
        help={BODY_HELP[message.kind]}
        error={bodyError}
        wide
        control={(props) =>
          message.kind === 'file' ? (
            <input {...props} value={message.body} spellCheck={false} onChange={(e) => update({ body: e.target.value })} />
          ) : (
            <textarea {...props} rows={3} value={message.body} spellCheck={false} onChange={(e) => update({ body: e.target.value })} />
          )
        }
      />
      {preview ? (
        <figure className="message-preview">
          <figcaption>
            First send: {preview.length} {preview.length === 1 ? 'byte' : 'bytes'}, text as UTF-8
          </figcaption>
          {/* Focusable, so a long preview can be scrolled from the keyboard. */}
          <pre aria-label="Preview" tabIndex={0}>
            {/* Byte pairs that wrap with the pane (the text they come from is the template just above). */}
            {bytesHex(preview.subarray(0, PREVIEW_BYTES)).replace(/(..)(?!$)/g, '$1 ')}
            {preview.length > PREVIEW_BYTES ? '\n…' : ''}
          </pre>
        </figure>
      ) : null}
      {message.kind !== 'file' ? (
        <fieldset className="message-repeat">
          <legend className="visually-hidden">Repeat</legend>
          <CheckField
            id={`${id}-repeat`}
            label="Repeat"
            help="send again and again at an interval"
            checked={message.repeat !== undefined}
            onChange={(on) => {
              if (!on) update({ repeat: undefined });
              else update({ repeat: { intervalMs: intervalMs ?? 1000, count: times ?? 10 } });
            }}
          />
          {message.repeat ? (
            <>
              <Field
                id={`${id}-interval`}
                label="Every (ms)"
                help="milliseconds between sends"
                error={repeatError}
                control={(props) => (
                  <input
                    {...props}
                    inputMode="numeric"
                    value={interval}
                    onChange={(e) => {
                      setIntervalText(e.target.value);
                      setRepeat({ intervalText: e.target.value });
                    }}
                  />
                )}
              />
              {message.repeat.count !== null ? (
                <Field
                  id={`${id}-count`}
                  label="Times"
                  help="sends in all"
                  error={countError}
                  control={(props) => (
                    <input
                      {...props}
                      inputMode="numeric"
                      value={count}
                      onChange={(e) => {
                        setCount(e.target.value);
                        setRepeat({ countText: e.target.value });
                      }}
                    />
                  )}
                />
              ) : null}
              <CheckField
                id={`${id}-forever`}
                label="Until stopped"
                help="no count"
                checked={message.repeat.count === null}
                onChange={(untilStopped) => setRepeat({ untilStopped })}
              />
            </>
          ) : null}
        </fieldset>
      ) : null}
      <div className="message-actions">
        <Button
          variant="primary"
          icon={<Send size={14} aria-hidden />}
          disabled={!ready}
          aria-keyshortcuts="Control+Enter"
          title="Send (Ctrl+Enter)"
          onClick={send}
        >
          {sendLabel(message, target)}
        </Button>
        <span className="message-target">
          {target
            ? target.kind === 'stream-server'
              ? `to each connection of ${target.name}`
              : `to ${target.name}`
            : 'Select a process to send to'}
        </span>
        {latest ? <RepeatProgress api={api} state={latest} /> : null}
      </div>
      {fileToServer ? <p className="field-error">A file is sent to one connection: select it rather than its server.</p> : null}
      {failure && !failure.atBody ? (
        <p role="alert" className="field-error">
          {failure.text}
        </p>
      ) : null}
    </section>
  );
}

/** "37 of 100" as it runs, with its Stop; what became of it once it ends. */
function RepeatProgress({ api, state }: { api: NetprocApi; state: RepeatState }) {
  return (
    <span className="repeat-progress">
      <output aria-label={`Sent by ${state.name}`}>{repeatCount(state)}</output>
      <span className="repeat-outcome">{repeatOutcome(state)}</span>
      {state.running ? (
        <Button variant="danger" icon={<CircleStop size={14} aria-hidden />} onClick={() => void api.stopRepeat({ id: state.id })}>
          Stop
        </Button>
      ) : null}
    </span>
  );
}

/** Every repeat main is running, and the last ones that ended: each with its count and its Stop. */
function RepeatList({ api, store }: { api: NetprocApi; store: WorkbenchStore }) {
  const repeats = useStore(
    store,
    useShallow((s) => Object.values(s.repeats)),
  );
  if (repeats.length === 0) return null;
  return (
    <section className="repeat-list" aria-labelledby="repeats-title">
      <h3 id="repeats-title">Repeats</h3>
      <ul>
        {repeats.map((r) => (
          <li key={r.id}>
            <span className="repeat-name">
              {r.name} → {r.processName}
            </span>
            <output aria-label={`Sent by ${r.name} to ${r.processName}`}>{repeatCount(r)}</output>
            <span className="repeat-outcome">{repeatOutcome(r)}</span>
            {r.running ? (
              <IconButton
                label={`Stop ${r.name} to ${r.processName}`}
                variant="danger"
                icon={<CircleStop size={14} aria-hidden />}
                onClick={() => void api.stopRepeat({ id: r.id })}
              />
            ) : (
              <IconButton
                label={`Dismiss ${r.name} to ${r.processName}`}
                icon={<X size={12} aria-hidden />}
                onClick={() => store.getState().dismissRepeat(r.id)}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
