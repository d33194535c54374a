/**
 * Export…: a process's traffic as a pcapng capture (a server: with all its
 * connections), or its buffer (or a byte range of it) as text or as an xxd
 * hex dump, written to a path on the machine Netproc runs on. Errors show
 * under the field they are about, in the words of the form the user sees.
 */
import { useState, type FormEvent } from 'react';
import type { ExportResult, NetprocApi } from '../../shared/api.js';
import { counted } from '../../shared/words.js';
import { Button } from './ui/Button.js';
import { CheckField, Field, formErrorOf, placeFormError, type FormError } from './ui/Field.js';
import { Modal } from './ui/Modal.js';

type Format = 'pcapng' | 'text' | 'hex';

interface Props {
  api: NetprocApi;
  processId: number;
  processName: string;
  /** The process's buffer, for text and hex (null: it has none). */
  buffer: string | null;
  onClose(): void;
  /** Where focus goes when the dialog closes. */
  returnFocus(): void;
}

const EXTENSIONS: Record<Format, string> = { pcapng: '.pcapng', text: '.txt', hex: '.hex' };

/** The form's labels for the contract's fields, so an error names what the user sees. */
const LABELS: Record<string, string> = { path: 'File path', start: 'From byte', end: 'To byte', format: 'Format' };
const REPLACE_LABEL = 'Replace the file if it exists';

/**
 * An exportTraffic error as the dialog shows it: the contract speaks to API
 * users (`path: … (overwrite: true replaces it)`, `end: must not be before
 * start`); the dialog names its own labels and checkbox instead.
 */
export function exportErrorText(field: string | null, message: string): string {
  const label = field !== null ? LABELS[field] : undefined;
  if (label === undefined) return message;
  const reason = message.startsWith(`${field}: `) ? message.slice(field!.length + 2) : message;
  const worded = reason
    .replace('(overwrite: true replaces it)', `(tick “${REPLACE_LABEL}” to replace it)`)
    .replace(/^must not be before start$/, `must not be before “${LABELS.start}”`);
  return `${label}: ${worded}`;
}

/** A file name made from the process's name: what a user would likely type. */
function suggestedName(processName: string, format: Format): string {
  return processName.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') + EXTENSIONS[format];
}

const OWN_FIELDS = ['path', 'start', 'end', 'format'];

export function ExportDialog({ api, processId, processName, buffer, onClose, returnFocus }: Props) {
  const [format, setFormat] = useState<Format>('pcapng');
  const [path, setPath] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<ExportResult | null>(null);
  const ranged = format !== 'pcapng';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    setDone(null);
    const number = (text: string, field: string): number | undefined | null => {
      if (text.trim() === '') return undefined;
      const value = Number(text);
      if (Number.isInteger(value) && value >= 0) return value;
      setError({ field, message: `${field}: must be a byte offset (a whole number from 0)` });
      return null;
    };
    const from = ranged ? number(start, 'start') : undefined;
    const to = ranged ? number(end, 'end') : undefined;
    if (from === null || to === null) return;
    setBusy(true);
    try {
      const target = format === 'pcapng' || buffer === null ? { id: processId } : { buffer };
      setDone(
        await api.exportTraffic({
          ...target,
          format,
          path,
          ...(overwrite ? { overwrite } : {}),
          ...(from !== undefined ? { start: from } : {}),
          ...(to !== undefined ? { end: to } : {}),
        }),
      );
    } catch (err) {
      setError(formErrorOf(err));
    } finally {
      setBusy(false);
    }
  };

  // An error about no field the form shows (id, buffer, none): at the foot, beside the buttons.
  const { errorFor, otherError } = placeFormError(error, OWN_FIELDS, exportErrorText);

  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Export ${processName}`}
      description="A pcapng capture of its traffic (Wireshark and tshark open it; a server's holds all its connections), or its buffer as text or as a hex dump (as xxd writes it), to a file on the machine Netproc runs on."
      className="export-dialog"
      returnFocus={returnFocus}
    >
      <form className="modal-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field
          id="export-format"
          label="Format"
          help="pcapng holds both directions with their times; text and hex hold what the buffer holds."
          error={errorFor('format')}
          control={(props) => (
            <select {...props} value={format} onChange={(e) => setFormat(e.target.value as Format)}>
              <option value="pcapng">pcapng capture (traffic)</option>
              <option value="text" disabled={buffer === null}>
                Text (the buffer&apos;s bytes)
              </option>
              <option value="hex" disabled={buffer === null}>
                Hex dump (xxd)
              </option>
            </select>
          )}
        />
        <Field
          id="export-path"
          label="File path"
          help="An absolute path; the file gets its name only once it is complete."
          error={errorFor('path')}
          control={(props) => (
            <input
              {...props}
              value={path}
              placeholder={`/home/me/${suggestedName(processName, format)}`}
              onChange={(e) => setPath(e.target.value)}
            />
          )}
        />
        <fieldset disabled={!ranged} className="field-group">
          <legend>Byte range of the buffer (text and hex)</legend>
          <div className="field-grid">
            <Field
              id="export-start"
              label="From byte"
              help="Empty: from the first byte it holds."
              error={errorFor('start')}
              control={(props) => <input {...props} inputMode="numeric" value={start} onChange={(e) => setStart(e.target.value)} />}
            />
            <Field
              id="export-end"
              label="To byte"
              help="Not included; empty: to the end."
              error={errorFor('end')}
              control={(props) => <input {...props} inputMode="numeric" value={end} onChange={(e) => setEnd(e.target.value)} />}
            />
          </div>
        </fieldset>
        <CheckField
          id="export-overwrite"
          label={REPLACE_LABEL}
          help="otherwise a file already at the path is left as it is."
          checked={overwrite}
          onChange={setOverwrite}
        />
        <div className="modal-footer">
          <div className="modal-footer-errors">
            {otherError ? (
              <p role="alert" className="field-error">
                {otherError}
              </p>
            ) : null}
            {done ? (
              <p role="status" className="note">
                Wrote {counted(done.bytes, 'byte')} to {done.path}
                {done.packets !== null
                  ? ` (${counted(done.packets, 'packet')}${done.missingBytes ? `, ${counted(done.missingBytes, 'byte')} no longer held` : ''})`
                  : ''}
              </p>
            ) : null}
          </div>
          <div className="buttons">
            <Button onClick={onClose}>Close</Button>
            <Button type="submit" variant="primary" disabled={busy}>
              {busy ? 'Exporting…' : 'Export'}
            </Button>
          </div>
        </div>
      </form>
    </Modal>
  );
}
