/**
 * The inspector's Auto-reply rules (docs/workflows.md): the framing and an
 * ordered list of rules, edited as a draft and applied at once. Templates
 * are checked as the user types (compileTemplate, the engine's own parser);
 * what only the engine can check (a regular expression, a hex pattern)
 * comes back with its field, e.g. `rules.rules.2.pattern`, and is shown at
 * that field. Hit counts come live on the process row (autoReplyHits).
 */
import { ArrowDown, ArrowUp, Plus, Trash2 } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import {
  AUTO_REPLY_FRAMINGS,
  AUTO_REPLY_MATCH_KINDS,
  LIMITS,
  NetprocBridgeError,
  type AutoReplyFraming,
  type AutoReplyMatch,
  type AutoReplySpec,
  type AutoReplyState,
  type NetprocApi,
  type ProcessInfo,
} from '../../shared/api.js';
import { compileTemplate, TemplateError } from '../../shared/templates.js';
import { Button, IconButton } from './ui/Button.js';
import { CheckField, Field } from './ui/Field.js';
import { counted } from '../../shared/words.js';

interface DraftRule {
  name: string;
  match: AutoReplyMatch;
  pattern: string;
  caseFold: boolean;
  reply: string;
  delayMs: string;
  close: boolean;
  /** Its place among the rules as applied, for its hit count; null for a rule not applied yet. */
  applied: number | null;
}

interface Draft {
  framing: AutoReplyFraming;
  lengthBytes: 1 | 2 | 4;
  rules: DraftRule[];
}

const MATCH_HELP: Record<AutoReplyMatch, string> = {
  exact: 'The whole frame is this text (escapes such as \\r\\n allowed).',
  prefix: 'The frame starts with this text.',
  contains: 'The text appears anywhere in the frame.',
  regex: 'An RE2 regular expression; its groups are {{1}}…{{9}} in the reply.',
  hex: 'Bytes in hex, ?? for any byte, e.g. "de ad ?? ef".',
};

const FRAMING_HELP: Record<AutoReplyFraming, string> = {
  chunk: 'Each chunk as it is read.',
  line: 'Each line, without its CR LF.',
  'length-prefixed': 'Each message after a big-endian length.',
};

function draftOf(state: AutoReplyState | null): Draft {
  if (!state) return { framing: 'line', lengthBytes: 2, rules: [] };
  return {
    framing: state.framing,
    lengthBytes: state.lengthBytes,
    rules: state.rules.map((r, i) => ({ ...r, delayMs: String(r.delayMs), applied: i })),
  };
}

const newRule = (): DraftRule => ({
  name: '',
  match: 'contains',
  pattern: '',
  caseFold: false,
  reply: '',
  delayMs: '0',
  close: false,
  applied: null,
});

/** What the renderer can tell of one rule before sending it: by field name. */
export function ruleProblems(rule: Pick<DraftRule, 'pattern' | 'reply' | 'delayMs' | 'match'>): Partial<Record<string, string>> {
  const problems: Partial<Record<string, string>> = {};
  if (rule.pattern.length === 0) problems.pattern = 'A pattern is needed';
  else if (rule.pattern.length > LIMITS.autoReplyPattern) problems.pattern = `At most ${LIMITS.autoReplyPattern} characters`;
  try {
    const template = compileTemplate(rule.reply);
    if (template.usesCaptures && rule.match !== 'regex') problems.reply = '{{0}}…{{9}} are filled only by a regex rule';
  } catch (err) {
    if (err instanceof TemplateError) problems.reply = err.message;
    else throw err;
  }
  const delay = Number(rule.delayMs);
  if (rule.delayMs.trim() === '' || !Number.isInteger(delay) || delay < 0 || delay > 60_000)
    problems.delayMs = 'A whole number of milliseconds from 0 to 60000';
  return problems;
}

export function specOf(draft: Draft): AutoReplySpec {
  return {
    framing: draft.framing,
    ...(draft.framing === 'length-prefixed' ? { lengthBytes: draft.lengthBytes } : {}),
    rules: draft.rules.map((r) => ({
      ...(r.name.trim() ? { name: r.name.trim() } : {}),
      match: r.match,
      pattern: r.pattern,
      ...(r.match !== 'hex' ? { caseFold: r.caseFold } : {}),
      reply: r.reply,
      delayMs: Number(r.delayMs),
      ...(r.close ? { close: true } : {}),
    })),
  };
}

export function AutoReplySection({ api, process, live }: { api: NetprocApi; process: ProcessInfo; live: boolean }) {
  const base = useId();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [dirty, setDirty] = useState(false);
  const [remoteError, setRemoteError] = useState<{ field: string; message: string } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const appliedCount = process.autoReplyHits?.length ?? -1;

  // Loaded on opening, and again when the rules change elsewhere (M-x) while nothing here is being edited.
  useEffect(() => {
    if (dirty) return;
    let current = true;
    api.autoReplyRules({ id: process.id }).then(
      (state) => current && setDraft(draftOf(state)),
      () => current && setDraft(draftOf(null)),
    );
    return () => {
      current = false;
    };
    // Reloaded only when the applied rules change (their count), not on each hit.
  }, [api, process.id, appliedCount]);

  if (!draft) return <p className="note-wrap">Loading rules…</p>;
  const datagram = process.kind.startsWith('datagram');
  const edit = (next: Draft): void => {
    setDraft(next);
    setDirty(true);
    setStatus(null);
    setRemoteError(null);
  };
  const editRule = (i: number, change: Partial<DraftRule>): void =>
    edit({ ...draft, rules: draft.rules.map((r, k) => (k === i ? { ...r, ...change } : r)) });
  const move = (i: number, by: -1 | 1): void => {
    const rules = draft.rules.slice();
    const [rule] = rules.splice(i, 1);
    rules.splice(i + by, 0, rule as DraftRule);
    edit({ ...draft, rules });
  };
  const problems = draft.rules.map(ruleProblems);
  const hasProblems = problems.some((p) => Object.keys(p).length > 0);
  const errorAt = (i: number, field: string): string | undefined =>
    problems[i]?.[field] ?? (remoteError?.field === `rules.rules.${i}.${field}` ? remoteError.message : undefined);

  const apply = async (rules: AutoReplySpec | null): Promise<void> => {
    try {
      const state = await api.setAutoReplyRules({ id: process.id, rules });
      setDraft(draftOf(state));
      setDirty(false);
      setRemoteError(null);
      setStatus(state ? `Applied ${counted(state.rules.length, 'rule')}` : 'Rules removed');
    } catch (err) {
      setRemoteError({
        field: err instanceof NetprocBridgeError ? (err.field ?? '') : '',
        message: err instanceof Error ? err.message : String(err),
      });
    }
  };
  const placed = remoteError && /^rules\.rules\.\d+\./.test(remoteError.field);

  return (
    <div className="auto-reply">
      <p className="hint">
        First match wins. Replies are templates: \r \n \xHH, {'{{seq}}'}, {'{{time}}'}, {'{{random:N}}'}, {'{{hex:…}}'} and a regex&apos;s{' '}
        {'{{1}}'}…{'{{9}}'}.{process.kind === 'stream-server' ? ' Connections accepted later inherit these rules.' : ''}
      </p>
      <div className="auto-reply-framing">
        <Field
          id={`${base}-framing`}
          label="Framing"
          help={FRAMING_HELP[draft.framing]}
          error={remoteError?.field === 'rules.framing' ? remoteError.message : undefined}
          control={(props) => (
            <select
              {...props}
              value={draft.framing}
              disabled={!live}
              onChange={(e) => edit({ ...draft, framing: e.target.value as AutoReplyFraming })}
            >
              {AUTO_REPLY_FRAMINGS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          )}
        />
        {draft.framing === 'length-prefixed' ? (
          <Field
            id={`${base}-length`}
            label="Length bytes"
            help="Size of the length prefix."
            control={(props) => (
              <select
                {...props}
                value={draft.lengthBytes}
                disabled={!live}
                onChange={(e) => edit({ ...draft, lengthBytes: Number(e.target.value) as 1 | 2 | 4 })}
              >
                {[1, 2, 4].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            )}
          />
        ) : null}
      </div>
      <ol className="auto-reply-rules" aria-label="Rules">
        {draft.rules.map((rule, i) => {
          const id = `${base}-r${i}`;
          const title = `Rule ${i + 1}`;
          const hits = rule.applied !== null ? process.autoReplyHits?.[rule.applied] : undefined;
          return (
            <li key={i}>
              <fieldset className="field-group auto-reply-rule" aria-label={title}>
                <legend>
                  {title}
                  {rule.name.trim() ? `: ${rule.name.trim()}` : ''}
                  {hits !== undefined ? <span className="auto-reply-hits"> · {counted(hits, 'hit')}</span> : null}
                </legend>
                <div className="auto-reply-grid">
                  <Field
                    id={`${id}-name`}
                    label="Name"
                    help="Shown in the event log."
                    control={(props) => (
                      <input
                        {...props}
                        value={rule.name}
                        maxLength={LIMITS.name}
                        disabled={!live}
                        onChange={(e) => editRule(i, { name: e.target.value })}
                      />
                    )}
                  />
                  <Field
                    id={`${id}-match`}
                    label="Match"
                    help={MATCH_HELP[rule.match]}
                    control={(props) => (
                      <select
                        {...props}
                        value={rule.match}
                        disabled={!live}
                        onChange={(e) => editRule(i, { match: e.target.value as AutoReplyMatch })}
                      >
                        {AUTO_REPLY_MATCH_KINDS.map((m) => (
                          <option key={m} value={m}>
                            {m}
                          </option>
                        ))}
                      </select>
                    )}
                  />
                  <Field
                    id={`${id}-pattern`}
                    label="Pattern"
                    help="What a frame is matched against."
                    error={errorAt(i, 'pattern')}
                    wide
                    control={(props) => (
                      <input
                        {...props}
                        className="mono"
                        value={rule.pattern}
                        disabled={!live}
                        onChange={(e) => editRule(i, { pattern: e.target.value })}
                      />
                    )}
                  />
                  <Field
                    id={`${id}-reply`}
                    label="Reply"
                    help="A template; empty sends nothing."
                    error={errorAt(i, 'reply')}
                    wide
                    control={(props) => (
                      <input
                        {...props}
                        className="mono"
                        value={rule.reply}
                        disabled={!live}
                        onChange={(e) => editRule(i, { reply: e.target.value })}
                      />
                    )}
                  />
                  <Field
                    id={`${id}-delay`}
                    label="Delay (ms)"
                    help="Wait before replying."
                    error={errorAt(i, 'delayMs')}
                    control={(props) => (
                      <input
                        {...props}
                        inputMode="numeric"
                        value={rule.delayMs}
                        disabled={!live}
                        onChange={(e) => editRule(i, { delayMs: e.target.value })}
                      />
                    )}
                  />
                </div>
                {rule.match !== 'hex' ? (
                  <CheckField
                    id={`${id}-fold`}
                    label="Ignore case"
                    help="ASCII letters match either case."
                    checked={rule.caseFold}
                    disabled={!live}
                    onChange={(caseFold) => editRule(i, { caseFold })}
                  />
                ) : null}
                {!datagram ? (
                  <CheckField
                    id={`${id}-close`}
                    label="Close after reply"
                    help="delete-process once the reply is written."
                    checked={rule.close}
                    disabled={!live}
                    error={errorAt(i, 'close')}
                    onChange={(close) => editRule(i, { close })}
                  />
                ) : null}
                <div className="auto-reply-actions">
                  <IconButton
                    label={`Move rule ${i + 1} up`}
                    icon={<ArrowUp size={14} />}
                    disabled={!live || i === 0}
                    onClick={() => move(i, -1)}
                  />
                  <IconButton
                    label={`Move rule ${i + 1} down`}
                    icon={<ArrowDown size={14} />}
                    disabled={!live || i === draft.rules.length - 1}
                    onClick={() => move(i, 1)}
                  />
                  <IconButton
                    label={`Remove rule ${i + 1}`}
                    icon={<Trash2 size={14} />}
                    disabled={!live}
                    onClick={() => edit({ ...draft, rules: draft.rules.filter((_, k) => k !== i) })}
                  />
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      {draft.rules.length === 0 ? <p className="note-wrap">No rules: input goes to the filter only.</p> : null}
      <div className="inline-form">
        <Button
          icon={<Plus size={14} />}
          disabled={!live || draft.rules.length >= LIMITS.autoReplyRules}
          onClick={() => edit({ ...draft, rules: [...draft.rules, newRule()] })}
        >
          Add rule
        </Button>
        <Button variant="primary" disabled={!live || !dirty || hasProblems} onClick={() => void apply(specOf(draft))}>
          Apply rules
        </Button>
        {appliedCount >= 0 ? (
          <Button variant="ghost" disabled={!live} onClick={() => void apply(null)}>
            Remove all rules
          </Button>
        ) : null}
      </div>
      {remoteError && !placed ? (
        <p role="alert" className="inline-error-wrap">
          {remoteError.message}
        </p>
      ) : null}
      <p role="status" className="hint">
        {status ?? (dirty ? 'Not applied yet' : '')}
      </p>
    </div>
  );
}
