import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVisibleOn, loadWindowState, saveWindowState } from './window-state.js';

describe('window state', () => {
  it('round-trips, and rejects files that are missing, corrupt or absurd', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netproc-ws-'));
    try {
      const file = join(dir, 'sub', 'window-state.json');
      expect(loadWindowState(file)).toBeNull();
      saveWindowState(file, { bounds: { x: 1, y: 2, width: 800, height: 600 }, maximized: false });
      expect(loadWindowState(file)).toEqual({ bounds: { x: 1, y: 2, width: 800, height: 600 }, maximized: false });
      writeFileSync(file, '{not json');
      expect(loadWindowState(file)).toBeNull();
      writeFileSync(file, JSON.stringify({ bounds: { x: 1, y: 2, width: 5, height: 600 } }));
      expect(loadWindowState(file)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a position counts as visible only if a usable part of the window is on some display', () => {
    const screens = [
      { x: 0, y: 0, width: 1920, height: 1080 },
      { x: 1920, y: 0, width: 1280, height: 1024 },
    ];
    expect(isVisibleOn({ x: 100, y: 100, width: 800, height: 600 }, screens)).toBe(true);
    expect(isVisibleOn({ x: 2500, y: 300, width: 800, height: 600 }, screens)).toBe(true);
    expect(isVisibleOn({ x: 3180, y: 300, width: 800, height: 600 }, screens)).toBe(false);
    expect(isVisibleOn({ x: -790, y: 10, width: 800, height: 600 }, screens)).toBe(false);
  });
});
