/**
 * A collapsible section (Radix Collapsible): a heading whose button opens and
 * closes the body, announced as expanded or collapsed. The section is a
 * region named by its title. Closed, its body is not rendered at all, so
 * whatever it samples stops. Whoever holds `open` decides what is remembered.
 */
import * as Collapsible from '@radix-ui/react-collapsible';
import { ChevronRight } from 'lucide-react';
import { useId, type ReactNode } from 'react';

interface Props {
  title: string;
  open: boolean;
  onOpenChange(open: boolean): void;
  children: ReactNode;
}

export function Section({ title, open, onOpenChange, children }: Props) {
  const headingId = useId();
  return (
    <Collapsible.Root open={open} onOpenChange={onOpenChange} asChild>
      <section className="section" aria-labelledby={headingId}>
        <h4 className="section-title" id={headingId}>
          <Collapsible.Trigger className="section-trigger">
            <ChevronRight size={14} aria-hidden className="section-chevron" />
            {title}
          </Collapsible.Trigger>
        </h4>
        <Collapsible.Content className="section-body">{children}</Collapsible.Content>
      </section>
    </Collapsible.Root>
  );
}
