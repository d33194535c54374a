/**
 * The inspector's Kernel queues (beyond Emacs): what the kernel and Node hold
 * for the selected socket, read live while the section is on screen. The
 * meter shows how full a connection's receive queue is; a stopped connection
 * fills it until TCP's flow control holds its peer back.
 */
import { useEffect, useRef, useState } from 'react';
import type { KernelQueues, NetprocApi, ProcessInfo } from '../../shared/api.js';
import { formatBytes } from '../lisp.js';
import { LiveSampler, SAMPLE_INTERVAL_MS, watchOnScreen } from '../live-sampler.js';
import { CopyField } from './ui/Copy.js';

const bytes = (n: number | null): string | null => (n === null ? null : formatBytes(n));

/** What the receive queue means now, for a stream; null when there is nothing to say. */
export function receiveHint(process: Pick<ProcessInfo, 'kind' | 'stopped'>, now: KernelQueues, before: KernelQueues | null): string | null {
  const queued = now.receiveQueue ?? 0;
  if (queued === 0) return null;
  if (process.kind.startsWith('datagram'))
    return process.stopped
      ? 'Nothing is read while stopped. UDP has no flow control: once the buffer is full, new datagrams are dropped.'
      : 'Datagrams waiting to be read.';
  if (!process.stopped) return 'Bytes waiting to be read.';
  if (before?.receiveQueue === queued)
    return 'Not growing: nothing is read while stopped, so TCP’s flow control holds the peer back (or it has nothing more to send).';
  return 'Filling: nothing is read while stopped. When the window is used up, TCP’s flow control holds the peer back.';
}

function Figures({ process, queues, before }: { process: ProcessInfo; queues: KernelQueues; before: KernelQueues | null }) {
  const hint = receiveHint(process, queues, before);
  const percent = queues.receiveFill === null ? null : Math.round(queues.receiveFill * 100);
  return (
    <>
      {queues.unavailable ? <p className="note-wrap">Not available: {queues.unavailable}.</p> : null}
      <dl className="fields">
        <CopyField term="Receive queue" name="Receive queue" text={bytes(queues.receiveQueue)} />
        <CopyField term="Send queue" name="Send queue" text={bytes(queues.sendQueue)} />
        <CopyField term="Unsent, held by Node" name="Unsent bytes held by Node" text={formatBytes(queues.heldByNode)} />
        <CopyField term="Receive buffer" name="Receive buffer" text={bytes(queues.receiveBuffer)} />
        <CopyField term="Send buffer" name="Send buffer" text={bytes(queues.sendBuffer)} />
        {process.kind.startsWith('datagram') ? (
          <CopyField term="Datagrams dropped" text={queues.datagramDrops === null ? null : String(queues.datagramDrops)} />
        ) : null}
      </dl>
      {queues.buffersUnavailable && !queues.unavailable ? (
        <p className="note-wrap">Buffer sizes not available: {queues.buffersUnavailable}.</p>
      ) : null}
      {queues.receiveQueue !== null && queues.receiveBuffer !== null ? (
        <div className="queue-meter">
          <meter
            aria-label="Receive queue fill"
            min={0}
            max={queues.receiveBuffer}
            value={queues.receiveQueue}
            low={queues.receiveBuffer / 2}
            high={queues.receiveBuffer * 0.8}
            optimum={0}
          />
          <span>
            Receive queue {formatBytes(queues.receiveQueue)} of {formatBytes(queues.receiveBuffer)} ({percent} %)
          </span>
        </div>
      ) : null}
      {hint ? <p className="note-wrap">{hint}</p> : null}
    </>
  );
}

/** Samples only while mounted (the section is open) and on screen; shows the latest sample. */
export function KernelQueuesSection({ api, process, live }: { api: NetprocApi; process: ProcessInfo; live: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [sample, setSample] = useState<{ now: KernelQueues; before: KernelQueues | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = process.id;

  useEffect(() => {
    setSample(null);
    setError(null);
    const element = box.current;
    if (!live || !element) return;
    const sampler = new LiveSampler(
      () => api.processKernelQueues({ id }),
      (result) => {
        if (result.ok) {
          setError(null);
          setSample((last) => ({ now: result.value, before: last?.now ?? null }));
        } else setError((result.error as Error).message);
      },
    );
    const onScreen = watchOnScreen(element, (visible) => sampler.setActive(visible));
    return () => {
      onScreen.dispose();
      sampler.dispose();
    };
  }, [api, id, live]);

  return (
    <div ref={box} className="kernel-queues">
      {!live ? (
        <p className="note-wrap">Not available: the process has no open socket.</p>
      ) : error ? (
        <p className="inline-error-wrap" role="alert">
          {error}
        </p>
      ) : sample ? (
        <Figures process={process} queues={sample.now} before={sample.before} />
      ) : (
        <p className="note-wrap">Reading…</p>
      )}
      {live ? <p className="hint">Read {1000 / SAMPLE_INTERVAL_MS} times a second while this section is in view.</p> : null}
    </div>
  );
}
