/**
 * Service names to ports, the way getaddrinfo does it: /etc/services first,
 * a built-in table of the common ones where that file is missing.
 */
import { readFileSync } from 'node:fs';

export type Protocol = 'tcp' | 'udp';

const BUILT_IN: ReadonlyArray<[string, number, Protocol[]]> = [
  ['echo', 7, ['tcp', 'udp']],
  ['discard', 9, ['tcp', 'udp']],
  ['daytime', 13, ['tcp', 'udp']],
  ['chargen', 19, ['tcp', 'udp']],
  ['ftp-data', 20, ['tcp']],
  ['ftp', 21, ['tcp']],
  ['ssh', 22, ['tcp']],
  ['telnet', 23, ['tcp']],
  ['smtp', 25, ['tcp']],
  ['time', 37, ['tcp', 'udp']],
  ['whois', 43, ['tcp']],
  ['domain', 53, ['tcp', 'udp']],
  ['tftp', 69, ['udp']],
  ['gopher', 70, ['tcp']],
  ['finger', 79, ['tcp']],
  ['http', 80, ['tcp']],
  ['pop3', 110, ['tcp']],
  ['nntp', 119, ['tcp']],
  ['ntp', 123, ['udp']],
  ['imap2', 143, ['tcp']],
  ['imap', 143, ['tcp']],
  ['snmp', 161, ['tcp', 'udp']],
  ['irc', 194, ['tcp']],
  ['ldap', 389, ['tcp', 'udp']],
  ['https', 443, ['tcp', 'udp']],
  ['syslog', 514, ['udp']],
  ['submission', 587, ['tcp']],
  ['ldaps', 636, ['tcp']],
  ['imaps', 993, ['tcp']],
  ['pop3s', 995, ['tcp']],
  ['mysql', 3306, ['tcp']],
  ['postgresql', 5432, ['tcp']],
];

export type ServiceTable = Map<string, number>;

function key(name: string, protocol: Protocol): string {
  return `${name}/${protocol}`;
}

/** Parses the services(5) format: `name port/proto [aliases...] [# comment]`. */
export function parseServices(text: string): ServiceTable {
  const table: ServiceTable = new Map();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const match = /^(\d+)\/(tcp|udp)$/.exec(portProto ?? '');
    if (!name || !match) continue;
    const port = Number(match[1]);
    const protocol = match[2] as Protocol;
    for (const n of [name, ...aliases]) if (!table.has(key(n, protocol))) table.set(key(n, protocol), port);
  }
  return table;
}

export function builtInServices(): ServiceTable {
  const table: ServiceTable = new Map();
  for (const [name, port, protocols] of BUILT_IN) for (const p of protocols) table.set(key(name, p), port);
  return table;
}

export function loadServices(path = '/etc/services'): ServiceTable {
  try {
    return parseServices(readFileSync(path, 'utf8'));
  } catch {
    return builtInServices();
  }
}

export function lookupService(table: ServiceTable, name: string, protocol: Protocol): number | undefined {
  return table.get(key(name, protocol));
}
