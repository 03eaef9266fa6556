import { formatHumanTime } from '@opperator/protocol';
import type { AgentRow, SectionRow } from '../state/types.js';
import { wrapWords } from './text-fit.js';

/** Agent states in which nothing updates its sections: what they show is what the agent last wrote. */
const STALE_STATES: ReadonlySet<string> = new Set(['stopped', 'crashed']);

/**
 * The note over an agent's sections when the agent is not running: the
 * daemon keeps what the agent last wrote (a "✓ Running" included), so the
 * sidebar says they are stale and since when, in the one human time format
 * (`formatHumanTime`: `HH:MM:SS` today, the date too on another day).
 * `undefined` when the agent runs, or has no sections.
 *
 * @example
 * ```ts
 * staleSectionsNote({ state: 'stopped' }, sections); // '(agent stopped; last shown 09:05:30)'
 * staleSectionsNote({ state: 'running' }, sections); // undefined
 * ```
 */
export function staleSectionsNote(agent: Pick<AgentRow, 'state'> | undefined, sections: readonly SectionRow[], now = Date.now()): string | undefined {
  if (agent === undefined || !STALE_STATES.has(agent.state) || sections.length === 0) return undefined;
  const latest = Math.max(...sections.map((section) => section.updatedAt));
  return `(agent ${agent.state}; last shown ${formatHumanTime(latest, { now })})`;
}

/**
 * {@link staleSectionsNote} as the rows it takes over the sidebar at a
 * width (wrapped between words); none when the sections are current. The
 * layout and the app's scroll limits both count them.
 *
 * @example
 * ```ts
 * staleNoteRows({ state: 'stopped' }, sections, 24); // ['(agent stopped; last', 'shown 09:05:30)']
 * ```
 */
export function staleNoteRows(agent: Pick<AgentRow, 'state'> | undefined, sections: readonly SectionRow[], width: number): string[] {
  const note = staleSectionsNote(agent, sections);
  return note === undefined ? [] : wrapWords(note, width);
}
