/** The workbench's buttons: one look per intent, and icon buttons whose tooltip names the action and its shortcut. */
import * as Tooltip from '@radix-ui/react-tooltip';
import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  icon?: ReactNode;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'secondary', icon, className, children, type = 'button', ...rest },
  ref,
) {
  return (
    <button ref={ref} type={type} className={['btn', `btn-${variant}`, className ?? ''].join(' ')} {...rest}>
      {icon}
      {children}
    </button>
  );
});

interface IconButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** The accessible name, also shown in the tooltip. */
  label: string;
  /** As the user types it, e.g. "Ctrl+N"; shown in the tooltip and announced through aria-keyshortcuts. */
  shortcut?: string;
  icon: ReactNode;
  variant?: ButtonVariant;
}

/** aria-keyshortcuts spells keys the way the platform names them: "Ctrl+N" becomes "Control+N". */
const ariaShortcut = (shortcut: string): string => shortcut.replace(/\bCtrl\b/g, 'Control');

export const IconButton = forwardRef<HTMLButtonElement, IconButtonProps>(function IconButton(
  { label, shortcut, icon, variant = 'ghost', className, type = 'button', ...rest },
  ref,
) {
  return (
    <Tooltip.Root>
      <Tooltip.Trigger asChild>
        <button
          ref={ref}
          type={type}
          aria-label={label}
          aria-keyshortcuts={shortcut ? ariaShortcut(shortcut) : undefined}
          className={['btn', 'btn-icon', `btn-${variant}`, className ?? ''].join(' ')}
          {...rest}
        >
          {icon}
        </button>
      </Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content className="tooltip" sideOffset={4}>
          {label}
          {shortcut ? <kbd>{shortcut}</kbd> : null}
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
});

/** Tooltips open after a short pause, and at once when moving from one to the next. */
export function TooltipProvider({ children }: { children: ReactNode }) {
  return (
    <Tooltip.Provider delayDuration={400} skipDelayDuration={200}>
      {children}
    </Tooltip.Provider>
  );
}
