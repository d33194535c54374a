/**
 * The inspector's Reconnect (docs/workflows.md): for a client made by
 * make-network-process, the policy (on or off, delays, attempts) and, live
 * from the process row, the attempt, when the next one runs and why the last
 * ended, with Cancel.
 */
import { RotateCw } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { NetprocBridgeError, RECONNECT_DEFAULTS, type NetprocApi, type ProcessInfo, type ReconnectPolicy } from '../../shared/api.js';
import { Button } from './ui/Button.js';
import { CheckField, Field } from './ui/Field.js';

type PolicyText = Record<keyof ReconnectPolicy, string>;

const textOf = (p: ReconnectPolicy): PolicyText => ({
  initialMs: String(p.initialMs),
  maxMs: String(p.maxMs),
  multiplier: String(p.multiplier),
  jitter: String(p.jitter),
  maxAttempts: p.maxAttempts === null ? '' : String(p.maxAttempts),
});

/** The policy typed, or the field that is wrong and why. */
export function policyOf(text: PolicyText): { policy: ReconnectPolicy } | { field: keyof ReconnectPolicy; message: string } {
  const whole = (v: string): number | null => (/^\d+$/.test(v.trim()) ? Number(v) : null);
  const initialMs = whole(text.initialMs);
  if (initialMs === null || initialMs > 86_400_000) return { field: 'initialMs', message: 'Whole milliseconds, up to a day' };
  const maxMs = whole(text.maxMs);
  if (maxMs === null || maxMs > 86_400_000) return { field: 'maxMs', message: 'Whole milliseconds, up to a day' };
  if (maxMs < initialMs) return { field: 'maxMs', message: 'Not shorter than the first delay' };
  const multiplier = Number(text.multiplier);
  if (text.multiplier.trim() === '' || !(multiplier >= 1 && multiplier <= 10)) return { field: 'multiplier', message: 'From 1 to 10' };
  const jitter = Number(text.jitter);
  if (text.jitter.trim() === '' || !(jitter >= 0 && jitter <= 1)) return { field: 'jitter', message: 'A fraction from 0 to 1' };
  const attempts = text.maxAttempts.trim() === '' ? null : whole(text.maxAttempts);
  if (text.maxAttempts.trim() !== '' && (attempts === null || attempts < 1 || attempts > 1_000_000))
    return { field: 'maxAttempts', message: 'From 1 to 1000000, or empty for no limit' };
  return { policy: { initialMs, maxMs, multiplier, jitter, maxAttempts: attempts } };
}

/** "reconnecting 2/10" for the process row, or null while connected or not reconnecting. */
export function reconnectBadge(process: Pick<ProcessInfo, 'reconnect'>): string | null {
  const r = process.reconnect;
  if (!r || r.attempt === 0) return null;
  return `reconnecting ${r.attempt}/${r.policy.maxAttempts ?? '∞'}`;
}

/**
 * The badge beside a reconnecting process's status chip, compact so both fit the Status column: ↻ 2/10, read as
 * "reconnecting 2/10" (and said so on hover, with the last error); nothing while it is connected or not reconnecting.
 */
export function ReconnectBadge({ process }: { process: Pick<ProcessInfo, 'reconnect'> }) {
  const text = reconnectBadge(process);
  const lastError = process.reconnect?.lastError;
  return text ? (
    <span className="reconnect-badge" title={lastError ? `${text}: ${lastError}` : text}>
      <RotateCw size={10} aria-hidden />
      <span className="visually-hidden">reconnecting </span>
      {text.slice('reconnecting '.length)}
    </span>
  ) : null;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

const FIELDS: Array<[keyof ReconnectPolicy, string, string]> = [
  ['initialMs', 'Initial delay (ms)', 'Before the first attempt.'],
  ['maxMs', 'Maximum delay (ms)', 'The delay never grows past this.'],
  ['multiplier', 'Multiplier', 'Each failed attempt multiplies the delay.'],
  ['jitter', 'Jitter', 'Each delay varies by up to this fraction.'],
  ['maxAttempts', 'Maximum attempts', 'Empty for no limit.'],
];

export function ReconnectSection({ api, process, live }: { api: NetprocApi; process: ProcessInfo; live: boolean }) {
  const base = useId();
  const state = process.reconnect;
  const [text, setText] = useState<PolicyText>(() => textOf(state?.policy ?? RECONNECT_DEFAULTS));
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const now = useNow(state?.nextAttemptAt != null);
  const checked = policyOf(text);
  const localError = 'field' in checked ? checked : null;
  const errorAt = (field: keyof ReconnectPolicy): string | undefined =>
    localError?.field === field ? localError.message : error?.field === `policy.${field}` ? error.message : undefined;

  const run = async (call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
      setError(null);
    } catch (err) {
      setError({
        field: err instanceof NetprocBridgeError ? (err.field ?? '') : '',
        message: err instanceof Error ? err.message : String(err),
      });
    }
  };
  const apply = (): Promise<void> =>
    run(() => ('policy' in checked ? api.setProcessReconnect({ id: process.id, policy: checked.policy }) : Promise.resolve()));
  const placed = error && /^policy\./.test(error.field);

  return (
    <div className="reconnect">
      <CheckField
        id={`${base}-on`}
        label="Reconnect"
        help="Make the client again when it closes or fails, under the same name and buffer."
        checked={state !== null}
        disabled={!live && state === null}
        onChange={(on) => void (on ? apply() : run(() => api.setProcessReconnect({ id: process.id, policy: null })))}
      />
      <div className="auto-reply-grid">
        {FIELDS.map(([key, label, help]) => (
          <Field
            key={key}
            id={`${base}-${key}`}
            label={label}
            help={help}
            error={errorAt(key)}
            control={(props) => (
              <input {...props} inputMode="decimal" value={text[key]} onChange={(e) => setText({ ...text, [key]: e.target.value })} />
            )}
          />
        ))}
      </div>
      {state ? (
        <dl className="fields reconnect-state" aria-label="Reconnect state">
          <div className="field">
            <dt>Attempt</dt>
            <dd>{state.attempt === 0 ? 'connected' : `${state.attempt} of ${state.policy.maxAttempts ?? 'no limit'}`}</dd>
          </div>
          {state.nextAttemptAt !== null ? (
            <div className="field">
              <dt>Next attempt</dt>
              <dd>in {Math.max(0, (state.nextAttemptAt - now) / 1000).toFixed(1)} s</dd>
            </div>
          ) : null}
          {state.lastError ? (
            <div className="field">
              <dt>Last error</dt>
              <dd>{state.lastError}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      <div className="inline-form">
        <Button variant="primary" disabled={localError !== null || (!live && state === null)} onClick={() => void apply()}>
          {state ? 'Apply policy' : 'Reconnect with this policy'}
        </Button>
        {state ? (
          <Button variant="ghost" onClick={() => void run(() => api.cancelReconnect({ name: state.name }))}>
            Cancel reconnect
          </Button>
        ) : null}
      </div>
      {error && !placed ? (
        <p role="alert" className="inline-error-wrap">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
