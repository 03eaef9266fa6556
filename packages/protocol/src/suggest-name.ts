/** The largest edit distance a suggestion may be from what was typed (commander uses the same bound). */
export const MAX_SUGGESTION_DISTANCE = 2;

/**
 * The candidate closest to `typed` (case-insensitive edit distance, a swap of
 * two neighbouring letters counting as one edit), or undefined when none is
 * within {@link MAX_SUGGESTION_DISTANCE} or `typed` is itself a candidate.
 *
 * @example
 * ```ts
 * suggestName('agnet', ['agent', 'secret']); // 'agent'
 * suggestName('invoice-monitr', ['invoice-monitor']); // 'invoice-monitor'
 * ```
 */
export function suggestName(typed: string, candidates: readonly string[]): string | undefined {
  if (candidates.includes(typed)) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (distance <= MAX_SUGGESTION_DISTANCE && distance < name.length && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
