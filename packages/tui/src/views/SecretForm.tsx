import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';
import { padText, textColumns } from './text-fit.js';

/** The one character a typed secret is drawn with, once per character typed. */
export const MASK_CHAR = '•';

/** Columns the mask keeps however long the secret names are. */
const MIN_MASK_COLUMNS = 8;

/** Where saving stands, for the form's status line. */
export interface SecretFormStatus {
  /** `saving` while the request runs, then `saved` or `error`. */
  kind: 'saving' | 'saved' | 'error';
  /** What to say, such as `Saved invoice_monitor_gmail_client_id`. Never a value. */
  text: string;
}

/** Props of {@link SecretForm}. */
export interface SecretFormProps {
  /** The agent whose secrets are missing. */
  agent: string;
  /** The missing secret names, one field each. */
  names: readonly string[];
  /** Index of the field being typed into. */
  focusedIndex: number;
  /**
   * How many characters have been typed into each field, by name. Only the
   * count: the value itself never reaches the view, so no render, test
   * snapshot or crash report can contain it.
   */
  typedLengths: Readonly<Record<string, number>>;
  /** Names already saved in this form (drawn with a ✓). */
  saved?: readonly string[];
  /** Columns the box takes, border included. */
  width: number;
  /** The result of the last save, if any. */
  status?: SecretFormStatus;
}

/**
 * The secret entry form: one row per missing secret, the focused one marked
 * and followed by a cursor, typed characters drawn as `•` (cut with a count
 * when longer than the row), a hint "Enter to save, Esc to cancel", and a
 * status line for saved/error.
 *
 * @example
 * ```tsx
 * <SecretForm agent="invoice-monitor" names={['gmail_client_id', 'gmail_client_secret']} focusedIndex={0} typedLengths={{ gmail_client_id: 12 }} width={60} />
 * ```
 */
export function SecretForm({ agent, names, focusedIndex, typedLengths, saved = [], width, status }: SecretFormProps): ReactNode {
  const { color } = useDisplaySettings();
  // Inside the border and padding: marker (2), name, gap (2), mask, cursor (1).
  // The names say what to paste where, so they get all but MIN_MASK_COLUMNS.
  const inner = width - 4;
  const nameWidth = Math.max(1, Math.min(Math.max(0, ...names.map((name) => textColumns(toDisplayText(name)))), inner - 5 - MIN_MASK_COLUMNS));
  const maskRoom = Math.max(1, inner - 5 - nameWidth);
  const statusColor = status?.kind === 'error' ? 'red' : status?.kind === 'saved' ? 'green' : 'yellow';
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={color ? 'magenta' : undefined} paddingX={1}>
      <Text bold wrap="truncate-end">
        Secrets for {toDisplayText(agent)}
      </Text>
      {names.map((name, index) => {
        const focused = index === focusedIndex;
        const done = saved.includes(name);
        return (
          <Text key={name} wrap="truncate-end">
            <Text bold={focused}>{focused ? '›' : ' '} </Text>
            <Text bold={focused}>{padText(toDisplayText(name), nameWidth)}</Text>
            {'  '}
            {done && !focused ? <Text color={color ? 'green' : undefined}>✓ saved</Text> : mask(typedLengths[name] ?? 0, maskRoom)}
            {focused && <Text inverse> </Text>}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate-end">
        Enter to save, Esc to cancel
      </Text>
      {status !== undefined && (
        <Text color={color ? statusColor : undefined} wrap="truncate-end">
          {toDisplayText(status.text)}
        </Text>
      )}
    </Box>
  );
}

/**
 * The mask for `length` typed characters within `room` columns: one `•` per
 * character, or, when that would not fit, as many as fit after a count.
 *
 * @example
 * ```ts
 * mask(4, 20);   // '••••'
 * mask(500, 20); // '(500) ' and 14 '•'
 * ```
 */
export function mask(length: number, room: number): string {
  const count = Math.max(0, Math.floor(length));
  if (count <= room) return MASK_CHAR.repeat(count);
  const prefix = `(${count}) `;
  return prefix + MASK_CHAR.repeat(Math.max(0, room - prefix.length));
}
