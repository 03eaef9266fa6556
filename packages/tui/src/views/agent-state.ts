/**
 * The colour an agent's lifecycle state is drawn in: green when it runs,
 * yellow while it changes, red when it crashed, gray when stopped. Unknown
 * states (a newer daemon) get no colour rather than a wrong one.
 *
 * @example
 * ```ts
 * agentStateColor('running');    // 'green'
 * agentStateColor('restarting'); // 'yellow'
 * ```
 */
export function agentStateColor(state: string): 'green' | 'yellow' | 'red' | 'gray' | undefined {
  switch (state) {
    case 'running':
      return 'green';
    case 'starting':
    case 'stopping':
    case 'restarting':
      return 'yellow';
    case 'crashed':
      return 'red';
    case 'stopped':
      return 'gray';
    default:
      return undefined;
  }
}
