/**
 * Form fields: a label, the control, a one-line help saying what it means
 * and, when there is one, the error next to it. The control is described by
 * the help and the error, so a screen reader reads them with it.
 */
import type { ReactNode } from 'react';

/** What a field's control needs to be labelled, described and marked invalid. */
export interface ControlProps {
  id: string;
  'aria-describedby': string;
  'aria-invalid'?: true;
}

function controlProps(id: string, error: string | undefined): ControlProps {
  return error ? { id, 'aria-describedby': `${id}-help ${id}-error`, 'aria-invalid': true } : { id, 'aria-describedby': `${id}-help` };
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p id={`${id}-error`} role="alert" className="field-error">
      {error}
    </p>
  ) : null;
}

interface FieldProps {
  id: string;
  label: string;
  help: ReactNode;
  error?: string | undefined;
  /** Spans the whole row of the grid. */
  wide?: boolean;
  control(props: ControlProps): ReactNode;
}

/** A labelled control (text input or select) with its help under it. */
export function Field({ id, label, help, error, wide, control }: FieldProps) {
  return (
    <div className={['field', wide ? 'field-wide' : ''].join(' ')}>
      <label htmlFor={id}>{label}</label>
      {control(controlProps(id, error))}
      <p id={`${id}-help`} className="field-help">
        {help}
      </p>
      <FieldError id={id} error={error} />
    </div>
  );
}

interface CheckFieldProps {
  id: string;
  label: string;
  help: ReactNode;
  checked: boolean;
  /** The label is a Lisp keyword (`:nowait`), set in the code face. */
  keyword?: boolean;
  disabled?: boolean;
  error?: string | undefined;
  onChange(checked: boolean): void;
}

/** A checkbox with its help on the same line: `:nowait — return at once; …`. */
export function CheckField({ id, label, help, checked, keyword, disabled, error, onChange }: CheckFieldProps) {
  return (
    <div className="check-field">
      <label className={['check', keyword ? 'keyword' : ''].join(' ')}>
        <input
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
          {...controlProps(id, error)}
        />
        {label}
      </label>
      <span aria-hidden className="field-help">
        —
      </span>
      <span id={`${id}-help`} className="field-help">
        {help}
      </span>
      <FieldError id={id} error={error} />
    </div>
  );
}

/** A request's failure as a form keeps it: the field it names (null for none) and why. */
export interface FormError {
  field: string | null;
  message: string;
}

export function formErrorOf(err: unknown): FormError {
  return { field: (err as { field?: string | null }).field ?? null, message: err instanceof Error ? err.message : String(err) };
}

/**
 * Where a form shows ERROR: under the field it names when the form has that
 * field (OWN_FIELDS), else at the foot beside the buttons. TEXT words the
 * message for the form (by default, as the engine said it).
 */
export function placeFormError(
  error: FormError | null,
  ownFields: readonly string[],
  text: (field: string | null, message: string) => string = (_field, message) => message,
): { errorFor(field: string): string | undefined; otherError: string | null } {
  return {
    errorFor: (field) => (error?.field === field ? text(error.field, error.message) : undefined),
    otherError: error && !ownFields.includes(error.field ?? '') ? text(error.field, error.message) : null,
  };
}
