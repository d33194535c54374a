/**
 * Copying a value: an icon button named "Copy WHAT" that writes the value to
 * the clipboard and says, beside itself, that it did (or that it could not:
 * the value stays selectable text either way). The desktop host grants
 * exactly this, clipboard-sanitized-write; the web host is a secure context
 * on loopback, where the browser allows it after a click.
 */
import { Check, Copy } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { disposableTimeout } from '../../../shared/lifecycle.js';
import { IconButton } from './Button.js';

type CopyState = 'idle' | 'copied' | 'failed';

/** How long "Copied" stays in view. */
const FEEDBACK_MS = 1500;

export function CopyButton({ what, value }: { what: string; value: string }) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = disposableTimeout(() => setState('idle'), FEEDBACK_MS);
    return () => timer.dispose();
  }, [state]);
  const copy = (): void => {
    // Absent where the page is not a secure context, or the browser offers no clipboard.
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (!clipboard) return setState('failed');
    clipboard.writeText(value).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <span className="copy">
      <IconButton
        label={`Copy ${what}`}
        className="copy-button"
        icon={state === 'copied' ? <Check size={13} aria-hidden /> : <Copy size={13} aria-hidden />}
        onClick={copy}
      />
      <span role="status" className={`copy-feedback copy-${state}`}>
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy refused: select the text' : ''}
      </span>
    </span>
  );
}

/**
 * One labelled value of a description list, copyable: TERM is shown, NAME
 * (default: the term) names the value for assistive technology and the copy
 * button ("Copy NAME"). CHILDREN, when given, is how the value is shown;
 * TEXT is what is copied.
 */
export function CopyField({
  term,
  name = term,
  text,
  children,
}: {
  term: string;
  name?: string;
  text: string | null;
  children?: ReactNode;
}) {
  return (
    <div className="field">
      <dt>{term}</dt>
      <dd aria-label={name}>
        {text === null || text === '' ? (
          '—'
        ) : (
          <>
            <span className="field-value">{children ?? text}</span>
            <CopyButton what={name.charAt(0).toLowerCase() + name.slice(1)} value={text} />
          </>
        )}
      </dd>
    </div>
  );
}
