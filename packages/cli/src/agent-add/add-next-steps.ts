import { SIGN_IN_COMMAND_PREFIXES } from '@opperator/protocol';
import { RUNTIME_PROVIDED } from './agent-dependencies.js';
import type { LeftOut } from './copy-agent-folder.js';

/** What `agent add` did, as `--json` prints it and the next steps are made from. */
export interface AgentAddResult {
  name: string;
  /** The folder it was copied from. */
  source: string;
  /** Its folder in the home. */
  dir: string;
  agentsFile: string;
  /** Whether the agents.yaml entry was new or an existing one updated (`--force`). */
  entry: 'added' | 'updated';
  description: string;
  secrets: string[];
  env: Record<string, string>;
  /** The command that signs it in (package.json `opperator.authorize`), if it names one. */
  authorize: string | null;
  /** Paths of the source folder not copied, and why. */
  leftOut: LeftOut[];
  /** The dependencies npm installed, or, with `--no-install`, would install. */
  dependencies: string[];
  installed: boolean;
  /** `@opperator/*` dependencies taken out of the copy's package.json (the runtime provides the SDK), as it asked for them. */
  provided: Array<{ name: string; spec: string }>;
  /** `--force`: where the folder it replaced went, and the sign-ins and local state kept from it. */
  replaced: { movedTo: string; keptState: string[] } | null;
  /** The commands to run next, in order. */
  nextSteps: string[];
}

/**
 * The commands to run after `agent add`: install (with `--no-install`), one
 * `secret set` per secret (without a value: it is asked for without echo,
 * or read from stdin), start (restart after `--force`), and sign in.
 *
 * @example
 * ```ts
 * addNextSteps({ name: 'invoice-monitor', secrets: ['a'], authorize: 'authorize_gmail', installed: true, dependencies: [], replaced: null });
 * // ['opperator secret set a', 'opperator agent start invoice-monitor', 'opperator auth login invoice-monitor gmail']
 * ```
 */
export function addNextSteps(result: NextStepsInput): string[] {
  return steps(result).map(([command]) => command);
}

type NextStepsInput = Pick<AgentAddResult, 'name' | 'secrets' | 'authorize' | 'installed' | 'dependencies' | 'replaced'>;

/** A command and, optionally, what it does (printed as a `#` comment). */
type Step = [command: string, comment?: string];

function steps(result: NextStepsInput): Step[] {
  const { name } = result;
  return [
    ...(!result.installed && result.dependencies.length > 0 ? [[`opperator agent install ${name}`, 'npm install in its folder'] as Step] : []),
    ...result.secrets.map((secret, index): Step => (index === 0 ? [`opperator secret set ${secret}`, 'asked for without echo, or read from stdin'] : [`opperator secret set ${secret}`])),
    result.replaced ? [`opperator agent restart ${name}`, 'runs the new copy (starts it if it is stopped)'] : [`opperator agent start ${name}`],
    result.authorize ? [signInCommand(name, result.authorize), 'signs it in'] : [`opperator agent commands ${name}`, 'what you can invoke'],
  ];
}

/**
 * The text `agent add` prints: what was copied, left out, installed and
 * registered, then the next steps with what each does.
 *
 * @example
 * ```ts
 * process.stdout.write(describeAdd(result));
 * ```
 */
export function describeAdd(result: AgentAddResult): string {
  const state = result.leftOut.filter((item) => item.kind === 'state').map((item) => item.path);
  const lines = [
    `Added agent ${result.name} to ${result.dir} (copied from ${result.source}).`,
    ...(state.length > 0 ? [`Not copied: ${state.join(', ')} (sign-ins, credentials and local state stay with the folder they belong to).`] : []),
    ...(result.replaced ? [`Replaced the previous copy, moved to ${result.replaced.movedTo}${result.replaced.keptState.length > 0 ? `; kept its ${result.replaced.keptState.join(', ')}` : ''}.`] : []),
    ...(result.dependencies.length === 0 ? [] : [result.installed ? `Installed its dependencies: ${result.dependencies.join(', ')}.` : `Its dependencies are not installed yet (--no-install): ${result.dependencies.join(', ')}.`]),
    ...providedLines(result),
    `${result.entry === 'added' ? 'Registered in' : 'Updated its entry in'} ${result.agentsFile}${result.secrets.length > 0 ? `; it may read the secret${result.secrets.length === 1 ? '' : 's'} ${result.secrets.join(', ')}` : ''}.`,
    '',
    'Next steps:',
    ...alignComments(steps(result)),
  ];
  return `${lines.join('\n')}\n`;
}

/** What became of the `@opperator/*` dependencies taken out of the copy's package.json. */
function providedLines(result: AgentAddResult): string[] {
  const names = [...new Set(result.provided.map((dependency) => dependency.name))];
  return names.map((name) =>
    name === RUNTIME_PROVIDED
      ? `${name}: the runtime provides it, in the daemon's version (taken out of the copy's package.json).`
      : `${name}: taken out of the copy's package.json; the runtime provides only ${RUNTIME_PROVIDED}. If the agent imports it, install it: cd ${JSON.stringify(result.dir)} && npm install ${name}`,
  );
}

/** Indents the commands and lines their comments up in one column. */
function alignComments(list: Step[]): string[] {
  const width = Math.max(0, ...list.filter(([, comment]) => comment).map(([command]) => command.length));
  return list.map(([command, comment]) => `  ${comment ? `${command.padEnd(width)}   # ${comment}` : command}`);
}

/** `auth login` for a useOAuth sign-in's `authorize_<name>`; any other command the folder names, as an invoke. */
function signInCommand(agent: string, command: string): string {
  const prefix = SIGN_IN_COMMAND_PREFIXES.authorize;
  return command.startsWith(prefix) && command.length > prefix.length ? `opperator auth login ${agent} ${command.slice(prefix.length)}` : `opperator agent invoke ${agent} ${command}`;
}
