/**
 * Import capture…: a pcap or pcapng file's TCP or UDP conversation as a
 * read-only process, its buffer and traffic viewed and searched like any
 * other. A capture with several conversations: the first, or the one chosen
 * by number (an error lists them). Errors show under the field they are about.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useState, type FormEvent } from 'react';
import type { ImportResult, NetprocApi } from '../../shared/api.js';
import { Button } from './ui/Button.js';

interface Props {
  api: NetprocApi;
  onImported(result: ImportResult): void;
  onClose(): void;
}

export function ImportDialog({ api, onImported, onClose }: Props) {
  const [path, setPath] = useState('');
  const [conversation, setConversation] = useState('');
  const [side, setSide] = useState<'client' | 'server'>('client');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const number = conversation.trim() === '' ? undefined : Number(conversation);
    if (number !== undefined && !(Number.isInteger(number) && number >= 0)) {
      setError({ field: 'conversation', message: 'conversation: must be a number from 0 (the first)' });
      return;
    }
    setBusy(true);
    try {
      const result = await api.importCapture({
        path,
        side,
        ...(number !== undefined ? { conversation: number } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      onImported(result);
    } catch (err) {
      const e = err as Error & { field?: string | null };
      setError({ field: e.field ?? null, message: e.message });
    } finally {
      setBusy(false);
    }
  };

  const errorFor = (field: string | null) =>
    error && (error.field === field || (field === null && !['path', 'conversation', 'side', 'name'].includes(error.field ?? ''))) ? (
      <p id={`import-${field ?? 'other'}-error`} role="alert" className="field-error">
        {error.message}
      </p>
    ) : null;
  const described = (field: string) =>
    error?.field === field ? { 'aria-describedby': `import-${field}-error`, 'aria-invalid': true as const } : {};

  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" aria-describedby="import-description">
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Dialog.Title>Import capture</Dialog.Title>
            <p id="import-description" className="dialog-description">
              A TCP or UDP conversation from a pcap or pcapng file on the machine Netproc runs on becomes a closed, read-only process: its
              buffer holds what the chosen side received, its traffic both directions at their recorded times.
            </p>
            <label>
              Capture file path
              <input value={path} placeholder="/home/me/capture.pcapng" onChange={(e) => setPath(e.target.value)} {...described('path')} />
            </label>
            {errorFor('path')}
            <label>
              Conversation number
              <input
                inputMode="numeric"
                value={conversation}
                placeholder="0 (the first)"
                onChange={(e) => setConversation(e.target.value)}
                {...described('conversation')}
              />
            </label>
            {errorFor('conversation')}
            <label>
              Seen from
              <select value={side} onChange={(e) => setSide(e.target.value as 'client' | 'server')}>
                <option value="client">the side that opened it (the client)</option>
                <option value="server">the other side (the server)</option>
              </select>
            </label>
            <label>
              Process name
              <input value={name} placeholder="the file's name" onChange={(e) => setName(e.target.value)} {...described('name')} />
            </label>
            {errorFor('name')}
            {errorFor(null)}
            <div className="buttons">
              <Button type="submit" variant="primary" disabled={busy}>
                {busy ? 'Importing…' : 'Import'}
              </Button>
              <Dialog.Close asChild>
                <Button>Cancel</Button>
              </Dialog.Close>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
