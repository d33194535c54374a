export { Netproc } from './netproc.js';
export type {
  BufferChangeEvent,
  LogCall,
  LookupFunction,
  MakeNetworkProcessOptions,
  NetprocEvents,
  NetprocOptions,
  OpenNetworkStreamParameters,
  ProcessDesignator,
  SentinelCall,
  TlsParameters,
} from './netproc.js';
export { NetworkProcess } from './process.js';
export type { AddressFamily, Filter, LogFunction, ProcessKind, Sentinel, TlsState } from './process.js';
export type { CertificatePin } from './pin-store.js';
export { NetprocBuffer, DEFAULT_BUFFER_CAP } from './buffers.js';
export { DEFAULT_SEARCH_DEADLINE_MS } from './search.js';
export type { ByteRange, SearchOptions, SearchPattern } from './search.js';
export { NetprocError } from './errors.js';
export type { NetprocErrorCode } from './errors.js';
export { formatNetworkAddress } from './address.js';
export type { LispAddress } from './address.js';
export { formatListProcessesLine } from './list-processes.js';
export type { ListProcessesRow } from './list-processes.js';
export type { ProcessStatus } from './status.js';
export { CODING_NAMES } from './coding.js';
export { markContactSymbols } from './contact.js';
export type { Disposable, StatusTap, TapListener, TapRecord, TrafficTap } from './taps.js';
export type { Timeline, TimelineData, TimelineRecord, TimelineStatus } from './timeline.js';
export type { TimelineFilter, TimelineWindow } from './timeline-view.js';
export type { ImportedConversation, ImportedEnd } from './import-process.js';
