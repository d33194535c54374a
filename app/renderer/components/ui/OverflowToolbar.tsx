/**
 * A toolbar that never wraps: the actions that do not fit its width move, last
 * first, into a "More" menu. Widths are measured, not guessed, so labels and
 * fonts may change freely.
 */
import { Ellipsis } from 'lucide-react';
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { IconButton } from './Button.js';
import { ActionMenu, type MenuAction } from './Menu.js';

export interface ToolbarAction extends MenuAction {
  /** How the action shows in the bar while it fits. */
  node: ReactNode;
}

/** The More button's width plus a gap, kept free whenever something overflows. */
const MORE_PX = 36;
const GAP_PX = 4;

interface Props {
  label: string;
  /** What always stays in the bar (an input, a checkbox); it gets at least `reservePx`. */
  children?: ReactNode;
  reservePx?: number;
  actions: ToolbarAction[];
  className?: string;
}

export function OverflowToolbar({ label, children, reservePx = 0, actions, className }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const itemRefs = useRef(new Map<string, HTMLElement>());
  const widths = useRef(new Map<string, number>());
  const [shown, setShown] = useState(actions.length);
  const keys = actions.map((a) => a.key).join('\n');

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = (): void => {
      // Not laid out (a hidden pane, or no layout engine at all): nothing to measure, so nothing moves.
      if (el.clientWidth === 0) return;
      for (const [key, item] of itemRefs.current) if (item.isConnected && item.offsetWidth > 0) widths.current.set(key, item.offsetWidth);
      const available = el.clientWidth - reservePx;
      const list = keys.split('\n');
      let used = 0;
      let fit = 0;
      for (let i = 0; i < list.length; i++) {
        const width = (widths.current.get(list[i] as string) ?? 80) + GAP_PX;
        const moreNeeded = i < list.length - 1 ? MORE_PX : 0;
        if (used + width + moreNeeded > available) break;
        used += width;
        fit++;
      }
      setShown(fit);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [keys, reservePx]);

  const hidden = actions.slice(shown);
  return (
    <div ref={box} role="toolbar" aria-label={label} className={['toolbar', className ?? ''].join(' ')}>
      {children ? (
        <div className="toolbar-fixed" style={{ minWidth: reservePx ? `${reservePx - (hidden.length ? MORE_PX : 0)}px` : undefined }}>
          {children}
        </div>
      ) : null}
      {actions.slice(0, shown).map((a) => (
        <span
          key={a.key}
          className="toolbar-item"
          ref={(node) => {
            if (node) itemRefs.current.set(a.key, node);
            else itemRefs.current.delete(a.key);
          }}
        >
          {a.node}
        </span>
      ))}
      {hidden.length ? (
        <ActionMenu label="More" actions={hidden} trigger={<IconButton label="More" icon={<Ellipsis size={16} />} />} />
      ) : null}
    </div>
  );
}
