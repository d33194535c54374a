/** A separator that resizes the panes beside it, by mouse or arrow keys; the size is remembered. */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

interface Props {
  label: string;
  /** Percentage of the container the first pane takes. */
  value: number;
  orientation: 'vertical' | 'horizontal';
  onChange(value: number): void;
}

export const clampPercent = (v: number): number => Math.min(85, Math.max(15, Math.round(v)));

export function Splitter({ label, value, orientation, onChange }: Props) {
  const dragging = useRef(false);
  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (!dragging.current) return;
    const box = (e.currentTarget.parentElement as HTMLElement).getBoundingClientRect();
    const fraction = orientation === 'vertical' ? (e.clientX - box.left) / box.width : (e.clientY - box.top) / box.height;
    onChange(clampPercent(fraction * 100));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = e.shiftKey ? 10 : 2;
    const less = orientation === 'vertical' ? 'ArrowLeft' : 'ArrowUp';
    const more = orientation === 'vertical' ? 'ArrowRight' : 'ArrowDown';
    if (e.key === less) onChange(clampPercent(value - step));
    else if (e.key === more) onChange(clampPercent(value + step));
    else return;
    e.preventDefault();
  };
  return (
    <div
      role="separator"
      aria-label={label}
      aria-orientation={orientation}
      aria-valuenow={value}
      aria-valuemin={15}
      aria-valuemax={85}
      tabIndex={0}
      className={`splitter splitter-${orientation}`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => (dragging.current = false)}
      onKeyDown={onKeyDown}
    />
  );
}
