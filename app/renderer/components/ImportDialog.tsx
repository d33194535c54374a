/**
 * Import capture…: a pcap or pcapng file's TCP or UDP conversation as a
 * read-only process, its buffer and traffic viewed and searched like any
 * other. A capture with several conversations: the first, or the one chosen
 * by number (an error lists them). Errors show under the field they are about.
 */
import { useState, type FormEvent } from 'react';
import type { ImportResult, NetprocApi } from '../../shared/api.js';
import { Button } from './ui/Button.js';
import { Field, formErrorOf, placeFormError, type FormError } from './ui/Field.js';
import { Modal } from './ui/Modal.js';

interface Props {
  api: NetprocApi;
  onImported(result: ImportResult): void;
  onClose(): void;
  /** Where focus goes when the dialog closes. */
  returnFocus(): void;
}

const OWN_FIELDS = ['path', 'conversation', 'side', 'name'];

export function ImportDialog({ api, onImported, onClose, returnFocus }: Props) {
  const [path, setPath] = useState('');
  const [conversation, setConversation] = useState('');
  const [side, setSide] = useState<'client' | 'server'>('client');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

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
      setError(formErrorOf(err));
    } finally {
      setBusy(false);
    }
  };

  const { errorFor, otherError } = placeFormError(error, OWN_FIELDS);

  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title="Import capture"
      description="A TCP or UDP conversation from a pcap or pcapng file on the machine Netproc runs on becomes a closed, read-only process: its buffer holds what the chosen side received, its traffic both directions at their recorded times."
      className="import-dialog"
      returnFocus={returnFocus}
    >
      <form className="modal-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field
          id="import-path"
          label="Capture file path"
          help="An absolute path to a .pcap or .pcapng file."
          error={errorFor('path')}
          control={(props) => (
            <input {...props} value={path} placeholder="/home/me/capture.pcapng" onChange={(e) => setPath(e.target.value)} />
          )}
        />
        <Field
          id="import-conversation"
          label="Conversation number"
          help="Which TCP or UDP conversation, counted from 0; empty: the first."
          error={errorFor('conversation')}
          control={(props) => (
            <input
              {...props}
              inputMode="numeric"
              value={conversation}
              placeholder="0 (the first)"
              onChange={(e) => setConversation(e.target.value)}
            />
          )}
        />
        <Field
          id="import-side"
          label="Seen from"
          help="The buffer holds what this side received."
          error={errorFor('side')}
          control={(props) => (
            <select {...props} value={side} onChange={(e) => setSide(e.target.value as 'client' | 'server')}>
              <option value="client">the side that opened it (the client)</option>
              <option value="server">the other side (the server)</option>
            </select>
          )}
        />
        <Field
          id="import-name"
          label="Process name"
          help="Empty: the file's name."
          error={errorFor('name')}
          control={(props) => <input {...props} value={name} placeholder="the file's name" onChange={(e) => setName(e.target.value)} />}
        />
        <div className="modal-footer">
          <div className="modal-footer-errors">
            {otherError ? (
              <p role="alert" className="field-error">
                {otherError}
              </p>
            ) : null}
          </div>
          <div className="buttons">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={busy}>
              {busy ? 'Importing…' : 'Import'}
            </Button>
          </div>
        </div>
      </form>
    </Modal>
  );
}
