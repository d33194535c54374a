#!/usr/bin/env node
// `npm run dist:check`: packs the `dir` and `tar.gz` Linux targets with
// electron-builder against a stub Electron (where the real one cannot be
// downloaded), then verifies what a user would get: app.asar holds the main
// entry named in package.json, the preload main loads, the renderer and its
// assets, every module main imports resolves, and nothing else large
// (no sources, tests, maps or dev dependencies). Prints the asar's contents.
import { spawnSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asar = require('@electron/asar');

/** Modules main may import that are not packed: Electron itself, Node's own, and ws's optional speed-ups. */
const PROVIDED = new Set(['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const OPTIONAL = new Set(['bufferutil', 'utf-8-validate']);
/** The packed app must stay small: everything is bundled, nothing else belongs there. */
export const MAX_ASAR_BYTES = 4 * 1024 * 1024;

export function stubElectronDist(version) {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-electron-stub-'));
  writeFileSync(join(dir, 'electron'), '#!/bin/sh\necho "stub Electron: packaging check only" >&2\nexit 1\n');
  chmodSync(join(dir, 'electron'), 0o755);
  mkdirSync(join(dir, 'resources'));
  writeFileSync(join(dir, 'version'), `v${version}`);
  writeFileSync(join(dir, 'LICENSE'), 'stub\n');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<p>stub</p>\n');
  return dir;
}

export function pack(outDir) {
  const electronVersion = require('electron/package.json').version;
  const stub = stubElectronDist(electronVersion);
  try {
    const sevenZip = existsSync('/usr/bin/7za') ? { ELECTRON_BUILDER_7ZIP_PATH: '/usr/bin/7za' } : {};
    const result = spawnSync(
      process.execPath,
      [
        require.resolve('electron-builder/cli.js'),
        '--linux',
        'dir',
        'tar.gz',
        '--publish',
        'never',
        `-c.electronDist=${stub}`,
        `-c.electronVersion=${electronVersion}`,
        `-c.directories.output=${outDir}`,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ...sevenZip, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
      },
    );
    if (result.status !== 0) throw new Error(`electron-builder failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(stub, { recursive: true, force: true });
  }
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  return {
    asarPath: join(outDir, 'linux-unpacked', 'resources', 'app.asar'),
    tarball: join(outDir, `Netproc-${version}-linux-x64.tar.gz`),
    unpacked: join(outDir, 'linux-unpacked'),
  };
}

/** Bare module names a bundle imports or requires. */
export function importedModules(source) {
  const names = new Set();
  const patterns = [
    /\bfrom\s*["']([^"'./][^"']*)["']/g,
    /\bimport\s*\(\s*["']([^"'./][^"']*)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"'./][^"']*)["']\s*\)/g,
    /\bimport\s*["']([^"'./][^"']*)["']/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) names.add(match[1]);
  return [...names];
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function checkAsar(asarPath) {
  const problems = [];
  const files = asar
    .listPackage(asarPath, { isPack: false })
    .map((f) => f.replace(/\\/g, '/').replace(/^\//, ''))
    .filter((f) => {
      try {
        return !asar.statFile(asarPath, f).files;
      } catch {
        return false;
      }
    });
  const has = (path) => files.includes(path);
  const read = (path) => asar.extractFile(asarPath, path);
  const sizes = files.map((path) => ({ path, size: asar.statFile(asarPath, path).size ?? 0 }));
  const total = sizes.reduce((n, f) => n + f.size, 0);

  const pkg = JSON.parse(read('package.json').toString());
  const main = posix.normalize(pkg.main ?? '');
  if (!has(main)) problems.push(`the main entry ${pkg.main} named in package.json is not in the asar`);
  const mainSource = has(main) ? read(main).toString() : '';
  if (!mainSource.includes('preload.cjs')) problems.push('main does not name the preload it loads');
  if (!has('dist/preload/preload.cjs')) problems.push('the preload dist/preload/preload.cjs is missing');
  if (!has('dist/main/search-worker.js')) problems.push('the search worker dist/main/search-worker.js is missing');
  if (!has('dist/renderer/index.html')) problems.push('the renderer index.html is missing');
  else {
    const html = read('dist/renderer/index.html').toString();
    for (const [, asset] of html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)) {
      if (!has(posix.join('dist/renderer', asset))) problems.push(`the renderer asset ${asset} is missing`);
    }
  }
  for (const specifier of importedModules(mainSource)) {
    if (PROVIDED.has(specifier) || OPTIONAL.has(specifier)) continue;
    if (!has(posix.join('node_modules', packageName(specifier), 'package.json')))
      problems.push(`main imports ${specifier}, which is not in the asar`);
  }
  for (const { path } of sizes) {
    if (/\.(ts|map)$/.test(path) && !path.endsWith('.d.ts')) problems.push(`source or map packed: ${path}`);
    if (/(^|\/)(test|tests|__tests__|e2e|bench)\//.test(path) || /\.test\.[cm]?js$/.test(path))
      problems.push(`test or bench file packed: ${path}`);
    if (path.startsWith('node_modules/')) problems.push(`a node_modules file packed though main is bundled: ${path}`);
  }
  if (total > MAX_ASAR_BYTES) problems.push(`app.asar holds ${total} bytes, more than ${MAX_ASAR_BYTES}`);
  return { files: sizes, total, main, problems };
}

export function tarballEntries(tarball) {
  const result = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot list ${tarball}: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = mkdtempSync(join(tmpdir(), 'netproc-release-'));
  try {
    const { asarPath, tarball } = pack(out);
    const report = checkAsar(asarPath);
    console.log(`app.asar (${report.total} bytes):`);
    for (const f of report.files) console.log(`  ${String(f.size).padStart(9)}  ${f.path}`);
    const entries = tarballEntries(tarball);
    if (!entries.some((e) => e.endsWith('resources/app.asar'))) report.problems.push('the tar.gz does not contain resources/app.asar');
    console.log(`${tarball.split('/').pop()}: ${entries.length} entries`);
    if (report.problems.length) {
      console.error(`dist:check found ${report.problems.length} problem(s):\n- ${report.problems.join('\n- ')}`);
      process.exitCode = 1;
    } else console.log('dist:check: the packaged app is complete and holds nothing extra');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
