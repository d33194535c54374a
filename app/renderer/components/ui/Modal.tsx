/**
 * A modal dialog on Radix Dialog: focus moves in and is trapped there, Escape
 * closes it, the rest of the page is hidden from assistive technology, and
 * focus goes back where it was when the dialog opened.
 */
import * as Dialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';

interface Props {
  open: boolean;
  onOpenChange(open: boolean): void;
  /** The dialog's name: shown as its heading, or only announced when `hideTitle`. */
  title: string;
  hideTitle?: boolean;
  /** Shown under the title and announced as the dialog's description. */
  description?: ReactNode;
  className?: string;
  /** Where focus lands on opening; without it, the first control. */
  initialFocus?(): HTMLElement | null | undefined;
  /** Radix would focus a trigger button; these dialogs open from many places, so the owner says where focus returns. */
  returnFocus(): void;
  /** A click outside closes the dialog unless this is set (a form whose values would be lost). */
  keepOnOutsideClick?: boolean;
  /** `alertdialog`: a question that interrupts (a confirmation before something that cannot be undone). */
  role?: 'dialog' | 'alertdialog';
  children: ReactNode;
}

export function Modal({
  open,
  onOpenChange,
  title,
  hideTitle,
  description,
  className,
  initialFocus,
  returnFocus,
  keepOnOutsideClick,
  role = 'dialog',
  children,
}: Props) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="modal-overlay" />
        <Dialog.Content
          className={['modal', className ?? ''].join(' ')}
          role={role}
          aria-modal="true"
          // Radix names the description by id when one is rendered; none otherwise.
          aria-describedby={undefined}
          onOpenAutoFocus={(event) => {
            const target = initialFocus?.();
            if (!target) return;
            event.preventDefault();
            target.focus();
          }}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            returnFocus();
          }}
          onPointerDownOutside={(event) => {
            if (keepOnOutsideClick) event.preventDefault();
          }}
        >
          <Dialog.Title className={hideTitle ? 'visually-hidden' : 'modal-title'}>{title}</Dialog.Title>
          {description ? <Dialog.Description className="modal-description">{description}</Dialog.Description> : null}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
