#!/usr/bin/env node
// `npm run dist:check`: packs the `dir` and `tar.gz` Linux targets with
// electron-builder against a stub Electron (where the real one cannot be
// downloaded), then verifies what a user would get: app.asar holds the main
// entry named in package.json, the preload main loads, the renderer and its
// assets, every module main imports resolves, and nothing else large
// (no sources, tests, maps or dev dependencies). Prints the asar's contents.
// It also reads the Electron fuses back from the packed binary (and from the
// one inside the tar.gz). The stub Electron carries a fuse wire in Electron's
// own format, so the reading path is the real one; it proves electron-builder
// flipped what electron-builder.yml asks for, not that a given Electron build
// honours it. `--electron-dist DIR` packs against a real Electron instead.
import { spawnSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asar = require('@electron/asar');

/** Modules main may import that are not packed: Electron itself, Node's own, and ws's optional speed-ups. */
const PROVIDED = new Set(['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const OPTIONAL = new Set(['bufferutil', 'utf-8-validate']);
/** The packed app must stay small: everything is bundled, nothing else belongs there. */
export const MAX_ASAR_BYTES = 4 * 1024 * 1024;

/** What electron-builder names the Linux binary: the product name, lower-cased. */
export const LINUX_EXECUTABLE = 'netproc';

/** The fuses the packed binary must carry (electron-builder.yml's electronFuses sets them). */
export const REQUIRED_FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  OnlyLoadAppFromAsar: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  GrantFileProtocolExtraPrivileges: false,
};

/** Marks the fuse wire in an Electron binary (the value @electron/fuses searches for). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults, in wire order: RunAsNode on, cookie encryption off, NODE_OPTIONS on, … */
const ELECTRON_DEFAULT_FUSES = '101100011';

/**
 * A fuse wire laid out as Electron's build lays it out: the sentinel, a
 * version byte, a length byte, then one '0'/'1' per fuse.
 */
export function fuseWire(states = ELECTRON_DEFAULT_FUSES) {
  return Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([1, states.length]), Buffer.from(states, 'latin1')]);
}

/** Problems with the fuses of the Electron binary at `binaryPath`, read from its fuse wire. */
export async function fuseProblems(binaryPath) {
  let wire;
  try {
    wire = await getCurrentFuseWire(binaryPath);
  } catch (err) {
    return [`cannot read the fuse wire of ${binaryPath}: ${err.message}`];
  }
  const problems = [];
  for (const [name, wanted] of Object.entries(REQUIRED_FUSES)) {
    const state = wire[FuseV1Options[name]];
    const want = wanted ? FuseState.ENABLE : FuseState.DISABLE;
    if (state === want) continue;
    const found =
      state === undefined
        ? 'absent from the wire'
        : state === FuseState.REMOVED
          ? 'marked removed by this Electron'
          : state === FuseState.ENABLE
            ? 'on'
            : state === FuseState.DISABLE
              ? 'off'
              : `in unknown state ${state}`;
    problems.push(`fuse ${name} is ${found}, wanted ${wanted ? 'on' : 'off'}`);
  }
  return problems;
}

export function stubElectronDist(version) {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-electron-stub-'));
  // The shell stops at `exit`, so the wire after it is never read as script.
  writeFileSync(
    join(dir, 'electron'),
    Buffer.concat([Buffer.from('#!/bin/sh\necho "stub Electron: packaging check only" >&2\nexit 1\n# '), fuseWire(), Buffer.from('\n')]),
  );
  chmodSync(join(dir, 'electron'), 0o755);
  mkdirSync(join(dir, 'resources'));
  writeFileSync(join(dir, 'version'), `v${version}`);
  writeFileSync(join(dir, 'LICENSE'), 'stub\n');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<p>stub</p>\n');
  return dir;
}

/**
 * Packs `dir` and `tar.gz` into `outDir`, against `electronDist` (a real
 * Electron's dist folder) or else a stub. `config` adds `-c.key=value`
 * overrides to electron-builder.yml.
 */
export function pack(outDir, { electronDist = null, config = {} } = {}) {
  const electronVersion = require('electron/package.json').version;
  const stub = electronDist ? null : stubElectronDist(electronVersion);
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
        `-c.electronDist=${electronDist ?? stub}`,
        `-c.electronVersion=${electronVersion}`,
        `-c.directories.output=${outDir}`,
        ...Object.entries(config).map(([key, value]) => `-c.${key}=${value}`),
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ...sevenZip, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
      },
    );
    if (result.status !== 0) throw new Error(`electron-builder failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  } finally {
    if (stub) rmSync(stub, { recursive: true, force: true });
  }
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  return {
    asarPath: join(outDir, 'linux-unpacked', 'resources', 'app.asar'),
    tarball: join(outDir, `Netproc-${version}-linux-x64.tar.gz`),
    unpacked: join(outDir, 'linux-unpacked'),
    binary: join(outDir, 'linux-unpacked', LINUX_EXECUTABLE),
    stubElectron: stub !== null,
  };
}

/** Bare module names a bundle imports or requires. */
export function importedModules(source) {
  const names = new Set();
  // Static imports only count as statements at the start of a line (as esbuild writes them), so words in a
  // bundled message such as `Cannot get 'x' from 'alg' argument` or `add 'import "reflect-metadata"'` do not.
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"'./][^"']*)["']/gm,
    /\bimport\s*\(\s*["']([^"'./][^"']*)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"'./][^"']*)["']\s*\)/g,
    /^\s*import\s*["']([^"'./][^"']*)["']/gm,
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

/**
 * Each bundle the app ships, and the source esbuild (or Vite, for the
 * renderer) bundles it from, so the packages inside it can be listed.
 */
export const SHIPPED_BUNDLES = {
  'dist/main/electron-main.js': 'app/main/electron-main.ts',
  'dist/main/search-worker.js': 'app/main/netproc/search-worker.ts',
  'dist/preload/preload.cjs': 'app/preload/preload.ts',
  'dist/renderer/index.html': 'app/renderer/main.tsx',
};

/** Packed files that are bundles of our code (so each needs an entry in SHIPPED_BUNDLES). */
function isBundle(path) {
  return /^dist\/(main|preload)\/[^/]+\.c?js$/.test(path) || path === 'dist/renderer/index.html';
}

/** The npm packages bundled from the given source entries (esbuild's metafile lists every input). */
export async function bundledPackages(sources) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: sources.map((source) => join(root, source)),
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(root, 'dist-check-unused'),
    platform: 'node',
    format: 'esm',
    jsx: 'automatic',
    external: ['electron', 'bufferutil', 'utf-8-validate'],
    logLevel: 'silent',
  });
  const names = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

/**
 * `npm audit --omit=dev` audits only packages outside the dev tree. Every
 * package that ships inside a bundle must be one of them, or the audit would
 * skip code the user runs.
 */
export function auditCoverageProblems(packages, lock) {
  const problems = [];
  for (const name of packages) {
    const entry = lock.packages?.[`node_modules/${name}`];
    if (!entry) problems.push(`${name} is bundled into the app but is not in package-lock.json`);
    else if (entry.dev === true)
      problems.push(
        `${name} is bundled into the app but is a dev-only package, so npm audit --omit=dev skips it: list it (or what needs it) in dependencies`,
      );
  }
  return problems;
}

/** The bundles packed in the asar, their packages, and what the production audit would miss. */
export async function shippedPackages(packedFiles) {
  const problems = [];
  const sources = [];
  for (const path of packedFiles.filter(isBundle)) {
    const source = SHIPPED_BUNDLES[path];
    if (!source) problems.push(`${path} is packed, but SHIPPED_BUNDLES does not say what it is bundled from`);
    else if (!existsSync(join(root, source))) problems.push(`${path} is packed, but its source ${source} does not exist`);
    else sources.push(source);
  }
  const packages = sources.length ? await bundledPackages(sources) : [];
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  return { packages, problems: [...problems, ...auditCoverageProblems(packages, lock)] };
}

export function tarballEntries(tarball) {
  const result = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot list ${tarball}: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

/** Extracts one entry of the tar.gz into `dir`; returns its path there. */
export function extractFromTarball(tarball, entry, dir) {
  const result = spawnSync('tar', ['-xzf', tarball, '-C', dir, entry], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot extract ${entry} from ${tarball}: ${result.stderr}`);
  return join(dir, entry);
}

/** Fuse problems of the unpacked binary and of the one a user gets from the tar.gz. */
export async function packedFuseProblems({ binary, tarball }, scratch) {
  const problems = (await fuseProblems(binary)).map((p) => `linux-unpacked: ${p}`);
  const entry = tarballEntries(tarball).find((e) => posix.basename(e) === LINUX_EXECUTABLE);
  if (!entry) return [...problems, `the tar.gz holds no ${LINUX_EXECUTABLE} binary`];
  const fromTarball = extractFromTarball(tarball, entry, scratch);
  return [...problems, ...(await fuseProblems(fromTarball)).map((p) => `tar.gz: ${p}`)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const distFlag = process.argv.indexOf('--electron-dist');
  const electronDist = distFlag > 0 ? process.argv[distFlag + 1] : null;
  const out = mkdtempSync(join(tmpdir(), 'netproc-release-'));
  try {
    const packed = pack(out, { electronDist });
    const { asarPath, tarball } = packed;
    const report = checkAsar(asarPath);
    console.log(`app.asar (${report.total} bytes):`);
    for (const f of report.files) console.log(`  ${String(f.size).padStart(9)}  ${f.path}`);
    const entries = tarballEntries(tarball);
    if (!entries.some((e) => e.endsWith('resources/app.asar'))) report.problems.push('the tar.gz does not contain resources/app.asar');
    console.log(`${tarball.split('/').pop()}: ${entries.length} entries`);
    const shipped = await shippedPackages(report.files.map((f) => f.path));
    report.problems.push(...shipped.problems);
    console.log(`packages bundled into the app (each must be audited by npm audit --omit=dev): ${shipped.packages.join(', ')}`);
    const scratch = mkdtempSync(join(out, 'extract-'));
    const fuses = await packedFuseProblems(packed, scratch);
    report.problems.push(...fuses);
    console.log(
      `fuses (${Object.entries(REQUIRED_FUSES)
        .map(([name, on]) => `${name} ${on ? 'on' : 'off'}`)
        .join(
          ', ',
        )}): ${fuses.length ? 'WRONG' : 'as required'}, read from the fuse wire of the packed binary and of the one in the tar.gz; ` +
        (packed.stubElectron
          ? "the binary is the stub Electron carrying a wire in Electron's format, so this proves electron-builder flipped what electron-builder.yml asks for (run with --electron-dist DIR to read a real Electron's wire)"
          : `the binary is the real Electron from ${electronDist}`),
    );
    if (report.problems.length) {
      console.error(`dist:check found ${report.problems.length} problem(s):\n- ${report.problems.join('\n- ')}`);
      process.exitCode = 1;
    } else console.log('dist:check: the packaged app is complete and holds nothing extra');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
