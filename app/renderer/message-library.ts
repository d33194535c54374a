/**
 * The message library in the renderer: named messages the user keeps, kept
 * across reloads and restarts with zustand's `persist` in its own
 * localStorage entry. What is stored is exactly the shared `MessageLibrary`
 * (no ids), checked by its schema when read back, so a workspace can carry
 * the same value; the ids here only tell the rows apart while the app runs.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { LIBRARY_MAX_MESSAGES, MESSAGE_LIBRARY, type LibraryMessage, type MessageLibrary } from '../shared/message-library.js';

export const LIBRARY_STORAGE_KEY = 'netproc.messages';

export interface StoredMessage extends LibraryMessage {
  id: string;
}

export interface MessageLibraryState {
  messages: StoredMessage[];
  /** Adds a message (named uniquely from `name`) and answers its id. */
  add(message: LibraryMessage): string;
  update(id: string, patch: Partial<LibraryMessage>): void;
  remove(id: string): void;
  /** A copy just after the original, named "NAME copy"; answers its id. */
  duplicate(id: string): string | null;
  /** The library as a workspace saves it. */
  library(): MessageLibrary;
  /** Replaces the library (a workspace opened); refused unless it passes the schema. */
  load(library: unknown): boolean;
}

let nextId = 0;
const withId = (message: LibraryMessage): StoredMessage => ({ ...message, id: `m${++nextId}` });

/** NAME, or "NAME 2", "NAME 3"… whichever is not taken: messages are picked and labelled by name. */
export function uniqueName(name: string, taken: readonly string[], except?: string): string {
  const others = new Set(taken.filter((n) => n !== except));
  if (!others.has(name)) return name;
  for (let i = 2; ; i++) if (!others.has(`${name} ${i}`)) return `${name} ${i}`;
}

function strip(messages: StoredMessage[]): MessageLibrary {
  return { messages: messages.map(({ id: _id, ...message }) => message) };
}

export function createMessageLibraryStore(storage: () => Storage = () => localStorage) {
  return create<MessageLibraryState>()(
    persist(
      (set, get) => ({
        messages: [],
        add: (message) => {
          const { messages } = get();
          if (messages.length >= LIBRARY_MAX_MESSAGES) throw new Error(`The library holds at most ${LIBRARY_MAX_MESSAGES} messages`);
          const added = withId({
            ...message,
            name: uniqueName(
              message.name,
              messages.map((m) => m.name),
            ),
          });
          set({ messages: [...messages, added] });
          return added.id;
        },
        update: (id, patch) =>
          set(({ messages }) => ({
            messages: messages.map((m) =>
              m.id !== id
                ? m
                : {
                    ...m,
                    ...patch,
                    name:
                      patch.name !== undefined
                        ? uniqueName(
                            patch.name,
                            messages.map((o) => o.name),
                            m.name,
                          )
                        : m.name,
                  },
            ),
          })),
        remove: (id) => set(({ messages }) => ({ messages: messages.filter((m) => m.id !== id) })),
        duplicate: (id) => {
          const { messages } = get();
          const at = messages.findIndex((m) => m.id === id);
          const original = messages[at];
          if (!original || messages.length >= LIBRARY_MAX_MESSAGES) return null;
          const { id: _id, ...message } = original;
          const copy = withId({
            ...message,
            name: uniqueName(
              `${original.name} copy`,
              messages.map((m) => m.name),
            ),
          });
          set({ messages: [...messages.slice(0, at + 1), copy, ...messages.slice(at + 1)] });
          return copy.id;
        },
        library: () => strip(get().messages),
        load: (library) => {
          const parsed = MESSAGE_LIBRARY.safeParse(library);
          if (!parsed.success) return false;
          set({ messages: parsed.data.messages.map(withId) });
          return true;
        },
      }),
      {
        name: LIBRARY_STORAGE_KEY,
        storage: createJSONStorage(storage),
        partialize: (state) => strip(state.messages),
        // What storage holds is checked like any library from outside: a damaged entry starts an empty library.
        merge: (stored, current) => {
          const parsed = MESSAGE_LIBRARY.safeParse(stored);
          return parsed.success ? { ...current, messages: parsed.data.messages.map(withId) } : current;
        },
      },
    ),
  );
}

export type MessageLibraryStore = ReturnType<typeof createMessageLibraryStore>;
