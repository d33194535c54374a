import { describe, expect, it } from 'vitest';
import { processInfo } from '../test-fixtures.js';
import { ruleProblems, specOf } from './AutoReplySection.js';
import { RECONNECT_DEFAULTS } from '../../shared/api.js';
import { policyOf, reconnectBadge } from './ReconnectSection.js';

describe('auto-reply rules as the inspector checks them', () => {
  const rule = { match: 'regex' as const, pattern: '^GET (\\S+)', reply: 'got {{1}}\\n', delayMs: '0' };

  it('accepts a good rule and names the field of each problem', () => {
    expect(ruleProblems(rule)).toEqual({});
    expect(ruleProblems({ ...rule, pattern: '' })).toEqual({ pattern: 'A pattern is needed' });
    expect(ruleProblems({ ...rule, reply: 'x {{nope}}' }).reply).toMatch(/at character 3/);
    expect(ruleProblems({ ...rule, match: 'contains', reply: '{{1}}' }).reply).toMatch(/only by a regex rule/);
    expect(ruleProblems({ ...rule, delayMs: '1.5' }).delayMs).toMatch(/whole number/i);
    expect(ruleProblems({ ...rule, delayMs: '60001' }).delayMs).toMatch(/60000/);
  });

  it('sends only what applies: the length size with length-prefixed framing, no case fold for hex', () => {
    const draftRule = { ...rule, name: ' greet ', caseFold: true, close: false, applied: null };
    expect(specOf({ framing: 'line', lengthBytes: 4, rules: [draftRule] })).toEqual({
      framing: 'line',
      rules: [{ name: 'greet', match: 'regex', pattern: '^GET (\\S+)', caseFold: true, reply: 'got {{1}}\\n', delayMs: 0 }],
    });
    expect(specOf({ framing: 'length-prefixed', lengthBytes: 4, rules: [{ ...draftRule, name: '', match: 'hex', close: true }] })).toEqual({
      framing: 'length-prefixed',
      lengthBytes: 4,
      rules: [{ match: 'hex', pattern: '^GET (\\S+)', reply: 'got {{1}}\\n', delayMs: 0, close: true }],
    });
  });
});

describe('reconnect as the inspector checks and shows it', () => {
  const text = { initialMs: '1000', maxMs: '30000', multiplier: '2', jitter: '0.2', maxAttempts: '10' };

  it('reads the defaults back, an empty maximum as no limit, and names the wrong field', () => {
    expect(policyOf(text)).toEqual({ policy: RECONNECT_DEFAULTS });
    expect(policyOf({ ...text, maxAttempts: '' })).toEqual({ policy: { ...RECONNECT_DEFAULTS, maxAttempts: null } });
    expect(policyOf({ ...text, maxMs: '10' })).toMatchObject({ field: 'maxMs' });
    expect(policyOf({ ...text, initialMs: '-1' })).toMatchObject({ field: 'initialMs' });
    expect(policyOf({ ...text, jitter: '2' })).toMatchObject({ field: 'jitter' });
    expect(policyOf({ ...text, multiplier: '' })).toMatchObject({ field: 'multiplier' });
    expect(policyOf({ ...text, maxAttempts: '0' })).toMatchObject({ field: 'maxAttempts' });
  });

  it('badges a row only while it is between attempts', () => {
    const state = { name: 'c', policy: RECONNECT_DEFAULTS, attempt: 2, nextAttemptAt: 1, lastError: 'closed', replaces: null };
    expect(reconnectBadge(processInfo(1, 'c', { reconnect: state }))).toBe('reconnecting 2/10');
    expect(reconnectBadge(processInfo(1, 'c', { reconnect: { ...state, policy: { ...RECONNECT_DEFAULTS, maxAttempts: null } } }))).toBe(
      'reconnecting 2/∞',
    );
    expect(reconnectBadge(processInfo(1, 'c', { reconnect: { ...state, attempt: 0 } }))).toBeNull();
    expect(reconnectBadge(processInfo(1, 'c'))).toBeNull();
  });
});
