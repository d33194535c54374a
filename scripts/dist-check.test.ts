import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import * as distCheck from './dist-check.mjs';

const {
  auditCoverageProblems,
  checkAsar,
  fuseProblems,
  fuseWire,
  importedModules,
  pack,
  packedFuseProblems,
  REQUIRED_FUSES,
  shippedPackages,
  tarballEntries,
} = distCheck;
const asar = createRequire(import.meta.url)('@electron/asar') as { createPackage(src: string, dest: string): Promise<void> };

interface Packed {
  asarPath: string;
  tarball: string;
  binary: string;
  stubElectron: boolean;
}
const packWith = pack as (outDir: string, options?: { config?: Record<string, string | boolean> }) => Packed;
const packedFuses = packedFuseProblems as (packed: Packed, scratch: string) => Promise<string[]>;
const readFuses = fuseProblems as (binary: string) => Promise<string[]>;
const wire = fuseWire as (states?: string) => Buffer;
const required = REQUIRED_FUSES as Record<keyof typeof FuseV1Options, boolean>;

/** A file laid out like an Electron binary: some bytes, a fuse wire, more bytes. */
function fakeBinary(dir: string, states?: string): string {
  const path = join(dir, 'electron');
  writeFileSync(path, Buffer.concat([Buffer.alloc(1000, 7), wire(states), Buffer.alloc(1000, 9)]));
  return path;
}

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
  it('packs an app.asar with main, preload and renderer, and nothing else, in a binary with the fuses flipped', async () => {
    const out = tempDir('netproc-release-');
    const scratch = tempDir('netproc-extract-');
    try {
      const packed = packWith(out);
      const { asarPath, tarball } = packed;
      expect(packed.stubElectron).toBe(true);
      expect(await packedFuses(packed, scratch)).toEqual([]);
      const report = checkAsar(asarPath) as Report;
      expect(report.problems).toEqual([]);
      const paths = report.files.map((f) => f.path);
      expect(paths).toContain('dist/main/electron-main.js');
      expect(paths).toContain('dist/preload/preload.cjs');
      expect(paths).toContain('dist/renderer/index.html');
      expect(paths.some((p) => p.startsWith('node_modules/'))).toBe(false);
      expect(report.main).toBe('dist/main/electron-main.js');
      expect((tarballEntries(tarball) as string[]).some((e) => e.endsWith('resources/app.asar'))).toBe(true);
      const shipped = (await shippedPackages(paths)) as { packages: string[]; problems: string[] };
      expect(shipped.problems).toEqual([]);
      expect(shipped.packages).toEqual(expect.arrayContaining(['react', 'react-dom', 'zod', 'zustand']));
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);

  it('fails when the config leaves a fuse flipped the wrong way, reading it from both packed binaries', async () => {
    const out = tempDir('netproc-release-');
    const scratch = tempDir('netproc-extract-');
    try {
      const packed = packWith(out, { config: { 'electronFuses.runAsNode': true } });
      expect(await packedFuses(packed, scratch)).toEqual([
        'linux-unpacked: fuse RunAsNode is on, wanted off',
        'tar.gz: fuse RunAsNode is on, wanted off',
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);

  it("reads a fuse wire in Electron's format: each fuse left out, flipped wrong, removed or absent is named", async () => {
    const dir = tempDir('netproc-fuses-');
    try {
      expect(await readFuses(fakeBinary(dir))).toEqual([
        'fuse RunAsNode is on, wanted off',
        'fuse EnableNodeOptionsEnvironmentVariable is on, wanted off',
        'fuse EnableNodeCliInspectArguments is on, wanted off',
        'fuse OnlyLoadAppFromAsar is off, wanted on',
        'fuse EnableEmbeddedAsarIntegrityValidation is off, wanted on',
        'fuse GrantFileProtocolExtraPrivileges is on, wanted off',
      ]);
      const all = Object.fromEntries(Object.entries(required).map(([name, on]) => [FuseV1Options[name as keyof typeof FuseV1Options], on]));
      const binary = fakeBinary(dir);
      await flipFuses(binary, { version: FuseVersion.V1, ...all });
      expect(await readFuses(binary)).toEqual([]);
      const missingOne = fakeBinary(dir);
      const { [FuseV1Options.OnlyLoadAppFromAsar]: _left, ...rest } = all;
      await flipFuses(missingOne, { version: FuseVersion.V1, ...rest });
      expect(await readFuses(missingOne)).toEqual(['fuse OnlyLoadAppFromAsar is off, wanted on']);
      expect(await readFuses(fakeBinary(dir, '0000r0001'))).toEqual([
        'fuse OnlyLoadAppFromAsar is off, wanted on',
        'fuse EnableEmbeddedAsarIntegrityValidation is marked removed by this Electron, wanted on',
      ]);
      expect(await readFuses(fakeBinary(dir, '000'))).toEqual([
        'fuse EnableNodeCliInspectArguments is absent from the wire, wanted off',
        'fuse OnlyLoadAppFromAsar is absent from the wire, wanted on',
        'fuse EnableEmbeddedAsarIntegrityValidation is absent from the wire, wanted on',
        'fuse GrantFileProtocolExtraPrivileges is absent from the wire, wanted off',
      ]);
      const noWire = join(dir, 'no-wire');
      writeFileSync(noWire, '#!/bin/sh\nexit 1\n');
      expect(await readFuses(noWire)).toEqual([expect.stringContaining(`cannot read the fuse wire of ${noWire}: Could not find sentinel`)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails when a bundled package is one npm audit --omit=dev would skip, or a packed bundle has no known source', async () => {
    const lock = {
      packages: { '': {}, 'node_modules/react': {}, 'node_modules/zod': { dev: true }, 'node_modules/fsevents': { devOptional: true } },
    };
    expect(auditCoverageProblems(['react', 'zod', 'fsevents', 'left-pad'], lock)).toEqual([
      'zod is bundled into the app but is a dev-only package, so npm audit --omit=dev skips it: list it (or what needs it) in dependencies',
      'left-pad is bundled into the app but is not in package-lock.json',
    ]);
    const unknown = (await shippedPackages(['dist/main/unlisted.js', 'dist/renderer/assets/index-x.js'])) as { problems: string[] };
    expect(unknown.problems).toEqual(['dist/main/unlisted.js is packed, but SHIPPED_BUNDLES does not say what it is bundled from']);
  });

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
      rmSync(dirname(dest), { recursive: true, force: true });
    }
  });

  it('finds every bare import in a bundle, and not the words of a bundled message', () => {
    expect(
      importedModules(
        "import a from 'electron';\nconst b = require(\"ws\"); await import('node:fs');\nimport './local.js';\nimport '@scope/pkg/sub';\n" +
          "throw new Error(\"Cannot get 'saltLength' from 'alg' argument\");\n" +
          'throw new Error(`Please add \'import "reflect-metadata"\' to the top`);',
      ).sort(),
    ).toEqual(['@scope/pkg/sub', 'electron', 'node:fs', 'ws'].sort());
  });
});
