import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the renderer page', () => {
  it('carries a strict Content-Security-Policy (no eval, no inline script, sockets only to loopback)', () => {
    const html = readFileSync(new URL('./index.html', import.meta.url), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\* ws:\/\/localhost:\*/);
    expect(html).not.toMatch(/<script>(?!\s*<\/script>)/);
  });
});
