/** Menus on Radix DropdownMenu: keyboard, focus return and typeahead come with it. */
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Check, ChevronRight } from 'lucide-react';
import type { ReactNode } from 'react';

export interface MenuAction {
  key: string;
  label: string;
  icon?: ReactNode;
  disabled?: boolean;
  onSelect(): void;
}

/** A submenu of actions (Recent ▸), opened by hover, → or Enter. */
export interface MenuSubmenu {
  key: string;
  label: string;
  disabled?: boolean;
  actions: MenuAction[];
}

const isSubmenu = (item: MenuAction | MenuSubmenu): item is MenuSubmenu => 'actions' in item;

export function ActionMenu({ trigger, actions, label }: { trigger: ReactNode; actions: Array<MenuAction | MenuSubmenu>; label: string }) {
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger asChild>{trigger}</DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" aria-label={label} align="end" sideOffset={4}>
          {actions.map((a) =>
            isSubmenu(a) ? (
              <DropdownMenu.Sub key={a.key}>
                <DropdownMenu.SubTrigger className="menu-item" disabled={a.disabled}>
                  {a.label}
                  <ChevronRight size={14} aria-hidden className="menu-sub-arrow" />
                </DropdownMenu.SubTrigger>
                <DropdownMenu.Portal>
                  <DropdownMenu.SubContent className="menu" aria-label={a.label} sideOffset={2}>
                    {a.actions.map((item) => (
                      <DropdownMenu.Item key={item.key} className="menu-item" disabled={item.disabled} onSelect={item.onSelect}>
                        {item.icon}
                        {item.label}
                      </DropdownMenu.Item>
                    ))}
                  </DropdownMenu.SubContent>
                </DropdownMenu.Portal>
              </DropdownMenu.Sub>
            ) : (
              <DropdownMenu.Item key={a.key} className="menu-item" disabled={a.disabled} onSelect={a.onSelect}>
                {a.icon}
                {a.label}
              </DropdownMenu.Item>
            ),
          )}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

/** A menu of on/off choices that stays open while they are toggled, as a column chooser should. */
export function CheckMenu({
  trigger,
  label,
  choices,
  onToggle,
}: {
  trigger: ReactNode;
  label: string;
  choices: Array<{ key: string; label: string; checked: boolean; disabled?: boolean }>;
  onToggle(key: string, checked: boolean): void;
}) {
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger asChild>{trigger}</DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" aria-label={label} align="end" sideOffset={4}>
          {choices.map((c) => (
            <DropdownMenu.CheckboxItem
              key={c.key}
              className="menu-item"
              checked={c.checked}
              disabled={c.disabled}
              onCheckedChange={(checked) => onToggle(c.key, checked)}
              onSelect={(event) => event.preventDefault()}
            >
              <span className="menu-check" aria-hidden>
                <DropdownMenu.ItemIndicator>
                  <Check size={14} />
                </DropdownMenu.ItemIndicator>
              </span>
              {c.label}
            </DropdownMenu.CheckboxItem>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
