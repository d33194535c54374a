import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { checkAsar, importedModules, pack, tarballEntries } from './dist-check.mjs';

const asar = createRequire(import.meta.url)('@electron/asar') as { createPackage(src: string, dest: string): Promise<void> };

interface Report {
  files: Array<{ path: string; size: number }>;
  total: number;
  main: string;
  problems: string[];
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

describe('dist:check (electron-builder dir + tar.gz against a stub Electron)', () => {
  it('packs an app.asar with main, preload and renderer, and nothing else', () => {
    const out = tempDir('netproc-release-');
    try {
      const { asarPath, tarball } = pack(out) as { asarPath: string; tarball: string };
      const report = checkAsar(asarPath) as Report;
      expect(report.problems).toEqual([]);
      const paths = report.files.map((f) => f.path);
      expect(paths).toContain('dist/main/electron-main.js');
      expect(paths).toContain('dist/preload/preload.cjs');
      expect(paths).toContain('dist/renderer/index.html');
      expect(paths.some((p) => p.startsWith('node_modules/'))).toBe(false);
      expect(report.main).toBe('dist/main/electron-main.js');
      expect((tarballEntries(tarball) as string[]).some((e) => e.endsWith('resources/app.asar'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('reports a broken package: missing preload, a source file, an unpacked import', async () => {
    const src = tempDir('netproc-bad-app-');
    const dest = join(tempDir('netproc-bad-asar-'), 'app.asar');
    try {
      mkdirSync(join(src, 'dist', 'main'), { recursive: true });
      mkdirSync(join(src, 'dist', 'renderer'), { recursive: true });
      writeFileSync(join(src, 'package.json'), JSON.stringify({ name: 'x', main: 'dist/main/electron-main.js' }));
      writeFileSync(
        join(src, 'dist', 'main', 'electron-main.js'),
        "import x from 'left-pad'; import 'node:fs'; import { app } from 'electron';\n",
      );
      writeFileSync(join(src, 'dist', 'main', 'electron-main.ts'), 'source');
      writeFileSync(join(src, 'dist', 'renderer', 'index.html'), '<script src="./assets/app.js"></script>');
      await asar.createPackage(src, dest);
      const report = checkAsar(dest) as Report;
      expect(report.problems).toEqual(
        expect.arrayContaining([
          'main does not name the preload it loads',
          'the preload dist/preload/preload.cjs is missing',
          'the renderer asset assets/app.js is missing',
          'main imports left-pad, which is not in the asar',
          'source or map packed: dist/main/electron-main.ts',
        ]),
      );
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });

  it('finds every bare import in a bundle', () => {
    expect(
      importedModules(
        "import a from 'electron';\nconst b = require(\"ws\"); await import('node:fs'); import './local.js'; import '@scope/pkg/sub';",
      ).sort(),
    ).toEqual(['@scope/pkg/sub', 'electron', 'node:fs', 'ws'].sort());
  });
});
