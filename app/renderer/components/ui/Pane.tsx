/** A pane of the workbench: a header with its title and actions, F6 lands on it, and an empty state that says what to do next. */
import type { ReactNode } from 'react';

export function PaneHeader({ title, id, children }: { title: string; id?: string; children?: ReactNode }) {
  return (
    <div className="pane-header">
      <h2 id={id}>{title}</h2>
      <div className="pane-actions">{children}</div>
    </div>
  );
}

export function EmptyState({ title, children, icon }: { title: string; children: ReactNode; icon?: ReactNode }) {
  return (
    <div className="empty-state" role="note" aria-label={title}>
      {icon}
      <p className="empty-title">{title}</p>
      <div className="empty-body">{children}</div>
    </div>
  );
}
