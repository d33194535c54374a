#!/usr/bin/env node
// Generates the app's icon set from the one source image, build-resources/icon.svg:
// PNGs for Linux (icons/NxN.png), icon.ico for Windows and icon.icns for macOS.
// Both containers simply hold PNGs, which every supported OS version reads.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const resources = join(dirname(fileURLToPath(import.meta.url)), '..', 'build-resources');
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
];

async function render(size) {
  return sharp(join(resources, 'icon.svg'), { density: Math.max(72, ((72 * size) / 1024) * 4) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();
}

function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

function icns(entries) {
  const blocks = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + blocks.reduce((n, b) => n + b.length, 0), 4);
  return Buffer.concat([head, ...blocks]);
}

export async function makeIcons(outDir = resources) {
  const pngs = new Map();
  for (const size of PNG_SIZES) pngs.set(size, await render(size));
  mkdirSync(join(outDir, 'icons'), { recursive: true });
  for (const [size, png] of pngs) writeFileSync(join(outDir, 'icons', `${size}x${size}.png`), png);
  writeFileSync(join(outDir, 'icon.png'), pngs.get(1024));
  writeFileSync(join(outDir, 'icon.ico'), ico(ICO_SIZES.map((size) => ({ size, png: pngs.get(size) }))));
  writeFileSync(join(outDir, 'icon.icns'), icns(ICNS_TYPES.map(([type, size]) => ({ type, png: pngs.get(size) }))));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await makeIcons();
  console.log(`icons written to ${resources}`);
}
