import { describe, expect, it } from 'vitest';
import { builtInServices, loadServices, lookupService, parseServices } from './services.js';

describe('service names', () => {
  it('parses services(5) text with aliases and comments', () => {
    const table = parseServices('echo 7/tcp\necho 7/udp\nhttp 80/tcp www # WorldWideWeb\n# comment\nbad line\n');
    expect(lookupService(table, 'echo', 'udp')).toBe(7);
    expect(lookupService(table, 'www', 'tcp')).toBe(80);
    expect(lookupService(table, 'http', 'udp')).toBeUndefined();
  });

  it('falls back to the built-in table when the file is missing', () => {
    const table = loadServices('/nonexistent/services');
    expect(lookupService(table, 'echo', 'tcp')).toBe(7);
    expect(lookupService(table, 'https', 'tcp')).toBe(443);
    expect(table.size).toBe(builtInServices().size);
  });
});
