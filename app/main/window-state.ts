/**
 * The window's size and position, remembered across restarts in a small
 * JSON file. A saved position is used only if it is still on a display.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** The saved state, or null when there is none or it is not sane. */
export function loadWindowState(file: string): WindowState | null {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { bounds?: Partial<Rectangle>; maximized?: unknown };
    const b = raw.bounds ?? {};
    if (!isInt(b.x, -100_000, 100_000) || !isInt(b.y, -100_000, 100_000) || !isInt(b.width, 200, 20_000) || !isInt(b.height, 150, 20_000))
      return null;
    return { bounds: { x: b.x, y: b.y, width: b.width, height: b.height }, maximized: raw.maximized === true };
  } catch {
    return null;
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, file);
}

/** True when at least a 100×50 corner of `bounds` lies inside one of the displays' work areas. */
export function isVisibleOn(bounds: Rectangle, workAreas: Rectangle[]): boolean {
  return workAreas.some((area) => {
    const width = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
    const height = Math.min(bounds.y + bounds.height, area.y + area.height) - Math.max(bounds.y, area.y);
    return width >= 100 && height >= 50;
  });
}
