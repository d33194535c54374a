/**
 * The inspector's Socket options: `set-network-process-option` for the four
 * options Node can apply (spec §2.2). The values shown are the contact's, as
 * Emacs records them; a refusal (`:nodelay` on a UDP socket, say) shows
 * Emacs's error beside the control that caused it.
 */
import { useId, useState, type ReactNode } from 'react';
import { NetprocBridgeError, type JsonValue, type NetprocApi, type Params, type ProcessInfo } from '../../shared/api.js';
import { signalText } from '../lisp.js';

type OptionName = 'keepalive' | 'nodelay' | 'reuseaddr' | 'linger';
type OptionValue = Params<'setNetworkProcessOption'>['value'];

interface Refusal {
  message: string;
  signal: string | null;
}

const DESCRIPTIONS: Record<OptionName, string> = {
  keepalive: 'SO_KEEPALIVE: probe the peer when the connection is idle.',
  nodelay: 'TCP_NODELAY: send small writes at once instead of gathering them (TCP only).',
  reuseaddr: 'SO_REUSEADDR: let a new server bind the address while old connections linger.',
  linger: 'SO_LINGER: t resets the connection on delete-process instead of closing it in order.',
};

/** What the contact says, or Emacs's default: a non-local server has :reuseaddr on unless the key was given. */
export function optionValue(
  process: Pick<ProcessInfo, 'kind' | 'family'>,
  contact: Record<string, JsonValue> | null,
  option: OptionName,
): JsonValue {
  if (contact && option in contact) return contact[option] ?? null;
  if (option === 'reuseaddr') return process.kind.endsWith('server') && process.family !== 'local';
  return null;
}

function OptionRow({
  option,
  refusal,
  control,
  note,
}: {
  option: OptionName;
  refusal: Refusal | undefined;
  control: (described: { 'aria-describedby': string; 'aria-invalid'?: true }) => ReactNode;
  note?: string | null;
}) {
  const base = useId();
  const described = {
    'aria-describedby': `${base}-about${refusal ? ` ${base}-error` : ''}`,
    ...(refusal ? { 'aria-invalid': true as const } : {}),
  };
  return (
    <div className="option-row">
      <div className="option-control">{control(described)}</div>
      <p className="hint" id={`${base}-about`}>
        {DESCRIPTIONS[option]}
        {note ? ` ${note}` : ''}
      </p>
      {refusal ? (
        <div id={`${base}-error`} className="option-error">
          <p role="alert" className="inline-error-wrap">
            {refusal.message}
          </p>
          {refusal.signal ? (
            <pre className="lisp-signal" aria-label={`Lisp signal for :${option}`}>
              {refusal.signal}
            </pre>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function LingerControl({
  value,
  disabled,
  set,
  described,
}: {
  value: JsonValue;
  disabled: boolean;
  set: (value: OptionValue) => void;
  described: Record<string, unknown>;
}) {
  const mode = value === null || value === false ? 'nil' : value === true ? 't' : 'seconds';
  // Choosing "seconds" shows the field before anything is set; the other choices are set at once, and shown as the contact has them.
  const [editingSeconds, setEditingSeconds] = useState(false);
  const [seconds, setSeconds] = useState(typeof value === 'number' ? String(value) : '5');
  const shown = editingSeconds ? 'seconds' : mode;
  const secondsValid = /^\d{1,5}$/.test(seconds) && Number(seconds) <= 65535;
  return (
    <>
      <label className="check">
        :linger
        <select
          value={shown}
          disabled={disabled}
          {...described}
          onChange={(e) => {
            const next = e.target.value as 'nil' | 't' | 'seconds';
            setEditingSeconds(next === 'seconds');
            if (next !== 'seconds') set(next === 't');
          }}
        >
          <option value="nil">nil (close in order)</option>
          <option value="t">t (reset on delete)</option>
          <option value="seconds">seconds…</option>
        </select>
      </label>
      {shown === 'seconds' ? (
        <form
          className="linger-seconds"
          onSubmit={(e) => {
            e.preventDefault();
            if (secondsValid) set(Number(seconds));
          }}
        >
          <input
            aria-label="Linger seconds"
            inputMode="numeric"
            value={seconds}
            disabled={disabled}
            aria-invalid={secondsValid ? undefined : true}
            onChange={(e) => setSeconds(e.target.value)}
          />
          <button type="submit" disabled={disabled || !secondsValid}>
            Set :linger
          </button>
        </form>
      ) : null}
    </>
  );
}

export function SocketOptionsSection({
  api,
  process,
  contact,
  live,
  onChanged,
}: {
  api: NetprocApi;
  process: ProcessInfo;
  contact: Record<string, JsonValue> | null;
  live: boolean;
  onChanged(): void;
}) {
  const [refusals, setRefusals] = useState<Partial<Record<OptionName, Refusal>>>({});
  const [busy, setBusy] = useState<OptionName | null>(null);
  const set = async (option: OptionName, value: OptionValue): Promise<void> => {
    setBusy(option);
    try {
      await api.setNetworkProcessOption({ id: process.id, option, value });
      setRefusals(({ [option]: _cleared, ...rest }) => rest);
      onChanged();
    } catch (err) {
      const refusal = {
        message: (err as Error).message,
        signal: err instanceof NetprocBridgeError ? signalText(err) : null,
      };
      setRefusals((all) => ({ ...all, [option]: refusal }));
    } finally {
      setBusy(null);
    }
  };
  const disabled = !live || busy !== null;
  const checkbox = (option: Exclude<OptionName, 'linger'>) => (
    <OptionRow
      key={option}
      option={option}
      refusal={refusals[option]}
      note={
        option === 'reuseaddr' && process.kind === 'stream-server'
          ? 'Node always sets it on TCP servers.'
          : process.kind === 'stream-server'
            ? 'Connections accepted from now on get it too.'
            : null
      }
      control={(described) => (
        <label className="check">
          <input
            type="checkbox"
            checked={Boolean(optionValue(process, contact, option))}
            disabled={disabled}
            {...described}
            onChange={(e) => void set(option, e.target.checked)}
          />
          :{option}
        </label>
      )}
    />
  );
  return (
    <div className="socket-options">
      {!live ? <p className="note-wrap">The process is not running: Emacs would signal “Process is not running”.</p> : null}
      {checkbox('keepalive')}
      {checkbox('nodelay')}
      {checkbox('reuseaddr')}
      <OptionRow
        option="linger"
        refusal={refusals.linger}
        note="A number of seconds is recorded; Node closes in order unless it is 0."
        control={(described) => (
          <LingerControl
            value={optionValue(process, contact, 'linger')}
            disabled={disabled}
            described={described}
            set={(value) => void set('linger', value)}
          />
        )}
      />
    </div>
  );
}
