/**
 * A minimal live view of the process table, fed only by the contract: it
 * proves the hosts end to end until the workbench UI (React) replaces it.
 */
import type { LogLine, ProcessInfo } from '../shared/api.js';
import { connectNetproc } from './web-shim.js';

const root = document.getElementById('app') as HTMLElement;
const processes = new Map<number, ProcessInfo>();
const lines: LogLine[] = [];

function cell(row: HTMLTableRowElement, text: string): void {
  row.insertCell().textContent = text;
}

function render(): void {
  const table = document.createElement('table');
  table.setAttribute('aria-label', 'Processes');
  const head = table.createTHead().insertRow();
  for (const title of ['Process', 'Status', 'Buffer', 'Command']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const p of [...processes.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const row = body.insertRow();
    cell(row, p.name);
    cell(row, p.status);
    cell(row, p.buffer ?? '--');
    cell(row, p.command);
  }
  const log = document.createElement('ol');
  log.setAttribute('aria-label', 'Event log');
  for (const line of lines.slice(-50)) {
    const item = document.createElement('li');
    item.textContent = `${line.processName ?? ''} ${line.text.trimEnd()}`;
    log.appendChild(item);
  }
  root.replaceChildren(table, log);
}

async function start(): Promise<void> {
  const api = connectNetproc(window);
  const resync = async (): Promise<void> => {
    const snap = await api.snapshot({});
    processes.clear();
    for (const p of snap.processes) processes.set(p.id, p);
    lines.splice(0, lines.length, ...snap.log);
    render();
  };
  api.onEvents((batch) => {
    if (batch.resync) return void resync();
    for (const e of batch.events) {
      if (e.type === 'process-added' || e.type === 'process-changed') processes.set(e.process.id, e.process);
      else if (e.type === 'process-removed') processes.delete(e.id);
      else if (e.type === 'line') lines.push(e.line);
    }
    render();
  });
  await resync();
}

start().catch((err: unknown) => {
  root.textContent = `Could not reach Netproc: ${err instanceof Error ? err.message : String(err)}`;
});
