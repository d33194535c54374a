/**
 * Export…: a process's traffic as a pcapng capture (a server: with all its
 * connections), or its buffer (or a byte range of it) as text or as an xxd
 * hex dump, written to a path on the machine Netproc runs on. Errors show
 * under the field they are about.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useState, type FormEvent } from 'react';
import type { ExportResult, NetprocApi } from '../../shared/api.js';
import { Button } from './ui/Button.js';

type Format = 'pcapng' | 'text' | 'hex';

interface Props {
  api: NetprocApi;
  processId: number;
  processName: string;
  /** The process's buffer, for text and hex (null: it has none). */
  buffer: string | null;
  onClose(): void;
}

const EXTENSIONS: Record<Format, string> = { pcapng: '.pcapng', text: '.txt', hex: '.hex' };

/** A file name made from the process's name: what a user would likely type. */
function suggestedName(processName: string, format: Format): string {
  return processName.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') + EXTENSIONS[format];
}

export function ExportDialog({ api, processId, processName, buffer, onClose }: Props) {
  const [format, setFormat] = useState<Format>('pcapng');
  const [path, setPath] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
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
      const e = err as Error & { field?: string | null };
      setError({ field: e.field ?? null, message: e.message });
    } finally {
      setBusy(false);
    }
  };

  const errorFor = (...fields: string[]) =>
    error && fields.includes(error.field ?? '') ? (
      <p id={`export-${fields[0]}-error`} role="alert" className="field-error">
        {error.message}
      </p>
    ) : null;
  const described = (field: string) =>
    error?.field === field ? { 'aria-describedby': `export-${field}-error`, 'aria-invalid': true as const } : {};

  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" aria-describedby="export-description">
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Dialog.Title>Export {processName}</Dialog.Title>
            <p id="export-description" className="dialog-description">
              A pcapng capture of its traffic (Wireshark and tshark open it; a server's holds all its connections), or its buffer as text or
              as a hex dump (as xxd writes it), to a file on the machine Netproc runs on.
            </p>
            <label>
              Format
              <select value={format} onChange={(e) => setFormat(e.target.value as Format)}>
                <option value="pcapng">pcapng capture (traffic)</option>
                <option value="text" disabled={buffer === null}>
                  Text (the buffer&apos;s bytes)
                </option>
                <option value="hex" disabled={buffer === null}>
                  Hex dump (xxd)
                </option>
              </select>
            </label>
            <label>
              File path
              <input
                value={path}
                placeholder={`/home/me/${suggestedName(processName, format)}`}
                onChange={(e) => setPath(e.target.value)}
                {...described('path')}
              />
            </label>
            {errorFor('path')}
            <fieldset disabled={!ranged} className="export-range">
              <legend>Byte range of the buffer (text and hex; empty: all it holds)</legend>
              <label>
                From byte
                <input inputMode="numeric" value={start} onChange={(e) => setStart(e.target.value)} {...described('start')} />
              </label>
              <label>
                To byte
                <input inputMode="numeric" value={end} onChange={(e) => setEnd(e.target.value)} {...described('end')} />
              </label>
            </fieldset>
            {errorFor('start', 'end')}
            <label>
              <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Replace the file if it exists
            </label>
            {errorFor('id', 'buffer', 'format', '')}
            {error && error.field !== null && !['path', 'start', 'end', 'id', 'buffer', 'format'].includes(error.field)
              ? errorFor(error.field)
              : null}
            {done ? (
              <p role="status" className="note">
                Wrote {done.bytes} bytes to {done.path}
                {done.packets !== null
                  ? ` (${done.packets} packets${done.missingBytes ? `, ${done.missingBytes} bytes no longer held` : ''})`
                  : ''}
              </p>
            ) : null}
            <div className="buttons">
              <Button type="submit" variant="primary" disabled={busy}>
                {busy ? 'Exporting…' : 'Export'}
              </Button>
              <Dialog.Close asChild>
                <Button>Close</Button>
              </Dialog.Close>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
