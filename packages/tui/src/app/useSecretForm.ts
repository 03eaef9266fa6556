import type { Key } from 'ink';
import { useRef } from 'react';
import { messageOf } from '../state/client.js';
import type { SecretFormStatus } from '../views/SecretForm.js';
import { typeInto } from './text-input.js';
import { useSyncState } from './useSyncState.js';

/**
 * How the TUI reads and writes secrets: supplied by the CLI (its secret
 * store, the same as `opperator secret set`), never through the daemon.
 */
export interface SecretAccess {
  /** Which of `names` have no value yet. */
  missing(names: readonly string[]): Promise<string[]>;
  /** Stores a value; `note` says where when it matters (the unencrypted file store). */
  set(name: string, value: string): Promise<{ note?: string }>;
}

/** The form while open. Values are not here: only their lengths. */
export interface SecretFormState {
  agent: string;
  names: readonly string[];
  focusedIndex: number;
  typedLengths: Readonly<Record<string, number>>;
  saved: readonly string[];
  status?: SecretFormStatus;
}

/** What {@link useSecretForm} gives the app. */
export interface SecretFormControl {
  form: SecretFormState | undefined;
  /** Whether the form is open now (not as of the last render). */
  isOpen(): boolean;
  /** Opens the form for the agent's missing secrets (says so when none is missing). */
  open(agent: string, declared: readonly string[]): void;
  /** Handles a key while open; false when closed. */
  handleKey(input: string, key: Key): boolean;
}

/**
 * The masked secret form: one field per missing secret; Enter saves the
 * focused one and moves on, ↑↓ move, Esc closes. Typed values live in a ref,
 * never in React state or props, so no render can show them; each is
 * dropped once saved.
 *
 * @example
 * ```ts
 * const secrets = useSecretForm(access, { onDone: (n) => setNotice(`${n} secrets saved`) });
 * ```
 */
export function useSecretForm(access: SecretAccess | undefined, events: { onDone: (saved: readonly string[], note?: string) => void; onError: (message: string) => void }): SecretFormControl {
  const [form, setForm, currentForm] = useSyncState<SecretFormState | undefined>(undefined);
  const values = useRef(new Map<string, string>());

  const open = (agent: string, declared: readonly string[]) => {
    if (!access) return events.onError('Secrets cannot be set from here; use: opperator secret set NAME');
    access.missing(declared).then(
      (names) => {
        if (names.length === 0) return events.onError(`${agent} has all its secrets (${declared.join(', ') || 'none declared'}).`);
        values.current.clear();
        setForm({ agent, names, focusedIndex: 0, typedLengths: {}, saved: [] });
      },
      (err: unknown) => events.onError(messageOf(err)),
    );
  };

  const close = () => {
    values.current.clear();
    setForm(undefined);
  };

  const save = (state: SecretFormState) => {
    const name = state.names[state.focusedIndex]!;
    const value = values.current.get(name) ?? '';
    if (value === '') return setForm({ ...state, status: { kind: 'error', text: `Type a value for ${name} first.` } });
    setForm({ ...state, status: { kind: 'saving', text: `Saving ${name}...` } });
    access!.set(name, value).then(
      ({ note }) => {
        values.current.delete(name);
        const saved = [...state.saved, name];
        const next = state.names.findIndex((n) => !saved.includes(n));
        if (next < 0) {
          close();
          events.onDone(saved, note);
          return;
        }
        setForm({ ...state, saved, focusedIndex: next, typedLengths: { ...state.typedLengths, [name]: 0 }, status: { kind: 'saved', text: `Saved ${name}.${note ? ` ${note}` : ''}` } });
      },
      (err: unknown) => setForm({ ...state, status: { kind: 'error', text: messageOf(err) } }),
    );
  };

  const handleKey = (input: string, key: Key): boolean => {
    const form = currentForm();
    if (!form) return false;
    const name = form.names[form.focusedIndex]!;
    // While a value is being stored, keys would go into the field being saved (and be saved with it): ignored.
    if (form.status?.kind === 'saving' && !key.escape) return true;
    if (key.escape) close();
    else if (key.return) save(form);
    else if (key.upArrow || key.downArrow) {
      const delta = key.upArrow ? -1 : 1;
      setForm({ ...form, focusedIndex: Math.min(form.names.length - 1, Math.max(0, form.focusedIndex + delta)) });
    } else {
      const { text: value, submit } = typeInto(values.current.get(name) ?? '', input, key);
      values.current.set(name, value);
      const next = { ...form, typedLengths: { ...form.typedLengths, [name]: value.length }, status: undefined };
      if (submit) save(next);
      else setForm(next);
    }
    return true;
  };

  return { form, isOpen: () => currentForm() !== undefined, open, handleKey };
}
