/** Status as a coloured chip that also says it in words, and each process kind's icon. */
import { CornerDownRight, Lock, Plug, Radio, RadioReceiver, Server, SquareTerminal } from 'lucide-react';
import type { ProcessInfo, ProcessStatus } from '../../../shared/api.js';

/** Colour is never the only sign: the chip's text is the status as process-status returns it. */
export function StatusChip({ status, stopped }: { status: ProcessStatus; stopped?: boolean }) {
  const shown = stopped && status !== 'stop' ? 'stop' : status;
  return <span className={`chip chip-${shown}`}>{shown}</span>;
}

/** In the list-processes sense: what made the process, and over what. */
export function kindName(p: Pick<ProcessInfo, 'kind' | 'family' | 'tls'>): string {
  const over = p.family === 'local' ? 'Unix' : p.kind.startsWith('datagram') ? 'UDP' : p.tls ? 'TLS' : 'TCP';
  const role =
    p.kind === 'accepted'
      ? 'accepted connection'
      : p.kind === 'datagram-peer'
        ? 'peer of a server'
        : p.kind.endsWith('server')
          ? 'server'
          : 'client';
  return `${over} ${role}`;
}

export function KindIcon({ process }: { process: Pick<ProcessInfo, 'kind' | 'family' | 'tls'> }) {
  const props = { size: 14, 'aria-hidden': true, className: 'kind-icon' } as const;
  const icon =
    process.family === 'local' ? (
      <SquareTerminal {...props} />
    ) : process.kind === 'datagram-peer' ? (
      <RadioReceiver {...props} />
    ) : process.kind.startsWith('datagram') ? (
      <Radio {...props} />
    ) : process.tls ? (
      <Lock {...props} />
    ) : process.kind === 'stream-server' ? (
      <Server {...props} />
    ) : process.kind === 'accepted' ? (
      <CornerDownRight {...props} />
    ) : (
      <Plug {...props} />
    );
  return (
    <span className="kind" title={kindName(process)}>
      {icon}
      <span className="visually-hidden">{kindName(process)}</span>
    </span>
  );
}
