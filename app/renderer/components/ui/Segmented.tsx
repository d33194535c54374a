/** A segmented control: one of a few choices, all in view, moved through with the arrow keys (Radix ToggleGroup). */
import * as ToggleGroup from '@radix-ui/react-toggle-group';
import type { ReactNode } from 'react';

interface Props<T extends string> {
  label: string;
  value: T;
  options: Array<{ value: T; label: string; icon?: ReactNode }>;
  onChange(value: T): void;
}

export function Segmented<T extends string>({ label, value, options, onChange }: Props<T>) {
  return (
    <ToggleGroup.Root
      type="single"
      className="segmented"
      aria-label={label}
      value={value}
      // Radix reports '' when the pressed item is pressed again; a segmented control always keeps one choice.
      onValueChange={(next) => next && onChange(next as T)}
    >
      {options.map((o) => (
        <ToggleGroup.Item key={o.value} value={o.value} className="segment" aria-label={o.icon ? o.label : undefined} title={o.label}>
          {o.icon ?? o.label}
        </ToggleGroup.Item>
      ))}
    </ToggleGroup.Root>
  );
}
