import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP_CONTENT_SECURITY_POLICY, findRendererFile, isOwnMainFrame, isOwnUrl, rendererProtocolHandler } from './app-scheme.js';
import { onCleanup } from './netproc/test-support.js';

/** A renderer folder inside a parent that holds a secret, so a path that escapes has something to find. */
function rendererFolder(): { parent: string; renderer: string } {
  const parent = mkdtempSync(join(tmpdir(), 'netproc-app-scheme-'));
  onCleanup(() => rmSync(parent, { recursive: true, force: true }));
  const renderer = join(parent, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Netproc</title>\n');
  writeFileSync(join(renderer, 'assets', 'index-abc.js'), 'console.log(1);\n');
  writeFileSync(join(renderer, 'assets', 'index-abc.css'), 'body{}\n');
  writeFileSync(join(renderer, 'assets', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  writeFileSync(join(renderer, 'assets', 'notes.txt'), 'not a kind of file the renderer has\n');
  mkdirSync(join(renderer, 'dir.js'));
  writeFileSync(join(parent, 'secret.js'), 'secret\n');
  writeFileSync(join(parent, 'renderer-sibling.html'), 'secret\n');
  return { parent, renderer };
}

describe('the app:// scheme serving the renderer folder', () => {
  it('serves the renderer files with their types, the desktop CSP and nosniff', async () => {
    const { renderer } = rendererFolder();
    const serve = rendererProtocolHandler(renderer);
    const cases: Array<[string, string, string]> = [
      ['app://netproc/', 'text/html; charset=utf-8', '<!doctype html>'],
      ['app://netproc/index.html', 'text/html; charset=utf-8', '<!doctype html>'],
      ['app://netproc/index.html?token=x#top', 'text/html; charset=utf-8', '<!doctype html>'],
      ['app://netproc/assets/index-abc.js', 'text/javascript; charset=utf-8', 'console.log'],
      ['app://netproc/assets/index-abc.css', 'text/css; charset=utf-8', 'body{}'],
      ['app://netproc/assets/icon.svg', 'image/svg+xml', '<svg'],
      ['app://netproc/assets/%69ndex-abc.js', 'text/javascript; charset=utf-8', 'console.log'],
    ];
    for (const [url, type, start] of cases) {
      const response = await serve(new Request(url));
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toBe(type);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe(DESKTOP_CONTENT_SECURITY_POLICY);
      expect((await response.text()).startsWith(start), url).toBe(true);
    }
    const head = await serve(new Request('app://netproc/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404, never a file outside the folder, for every way out and for what it does not serve', async () => {
    const { renderer } = rendererFolder();
    const serve = rendererProtocolHandler(renderer);
    const refused = [
      'app://netproc/..%2fsecret.js',
      'app://netproc/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      'app://netproc/assets/..%2f..%2fsecret.js',
      'app://netproc/%2e%2e%2fsecret.js',
      'app://netproc/%2e%2e/secret.js',
      'app://netproc/..%5csecret.js',
      'app://netproc/%2fetc%2fpasswd',
      'app://netproc/..%2frenderer-sibling.html',
      'app://netproc/index.html%00.js',
      'app://netproc/%ff',
      'app://netproc/%',
      'app://netproc/missing.js',
      'app://netproc/assets/',
      'app://netproc/dir.js',
      'app://netproc/assets/notes.txt',
      'app://other/index.html',
      'app://netproc.example/index.html',
    ];
    for (const url of refused) {
      const response = await serve(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('secret');
    }
    const post = await serve(new Request('app://netproc/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('finds a file only inside the folder, for the path forms a request URL can carry', async () => {
    const { renderer, parent } = rendererFolder();
    expect(await findRendererFile(renderer, '/')).toEqual({ path: join(renderer, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(await findRendererFile(renderer, '/../secret.js')).toBeNull();
    expect(await findRendererFile(renderer, '/..%2Fsecret.js')).toBeNull();
    // An absolute path stays inside the folder (where no such file exists), never the parent's secret.
    const absolute = findRendererFile(renderer, `/${encodeURIComponent(join(parent, 'secret.js'))}`);
    expect(absolute?.path.startsWith(renderer + sep)).toBe(true);
    expect(await findRendererFile(renderer, '/%E0%A4%A')).toBeNull();
  });

  it('counts only our scheme and host as our own, and only a main frame', () => {
    expect(isOwnUrl('app://netproc')).toBe(true);
    expect(isOwnUrl('app://netproc/index.html?x#y')).toBe(true);
    for (const url of [
      'app://netproc.example/',
      'app://netprocx/',
      'app://other/',
      'app://u:p@netproc/',
      'app://netproc:8080/',
      'file:///netproc/index.html',
      'https://netproc/',
      'netproc',
      '',
      null,
      undefined,
    ]) {
      expect(isOwnUrl(url), String(url)).toBe(false);
    }
    expect(isOwnMainFrame({ url: 'app://netproc/', parent: null })).toBe(true);
    expect(isOwnMainFrame({ url: 'app://netproc/', parent: { url: 'app://netproc/', parent: null } })).toBe(false);
    expect(isOwnMainFrame(null)).toBe(false);
  });
});
