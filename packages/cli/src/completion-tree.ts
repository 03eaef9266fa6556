import { RootCommand, ShellCompDirective, type Command as TabCommand } from '@bomb.sh/tab';
import type { Argument, Command, Option } from 'commander';
import { RESERVED_AGENT_NAMES } from '@opperator/protocol';

// Shell completion answers come from @bomb.sh/tab (cobra's protocol: the
// shell script runs `opperator complete -- WORDS` and reads one candidate a
// line, then `:DIRECTIVE`). Its tree is built here from the commander
// program itself, so a new command, option or argument completes without
// anyone listing it. Only values that are not in the tree come from outside:
// see CompletionValues.

/** Values that are not in the command tree, known before the answer is computed (the library's handlers are synchronous). */
export interface CompletionValues {
  /** The agents of agents.yaml. */
  agents: readonly string[];
  /** The commands of the agent named on the line (`agent invoke NAME <TAB>`), when its daemon answered. */
  agentCommands: ReadonlyArray<{ name: string; description?: string }>;
  /** Task ids (`task get|cancel <TAB>`), when the daemon answered. */
  tasks: ReadonlyArray<{ id: string; description: string }>;
}

/**
 * Which values an argument takes, by convention rather than a list, so new
 * commands follow it: an argument called `agent` anywhere, or `name` under
 * `agent` (but `agent bootstrap`, which names a new one), is an agent of
 * agents.yaml (and a reserved name its description offers, as `all` in
 * "an agent, or all"); `agent invoke`'s `command` is one of that agent's commands;
 * an `id` under `task` is a task; a `folder` or `dir` is a directory.
 */
function argumentKind(path: readonly string[], argument: Argument): 'agent' | 'agentCommand' | 'task' | 'directory' | 'command' | undefined {
  const name = argument.name();
  const [group, command] = path;
  if (name === 'agent' || (group === 'agent' && name === 'name' && command !== 'bootstrap')) return 'agent';
  if (group === 'agent' && command === 'invoke' && name === 'command') return 'agentCommand';
  if (group === 'task' && name === 'id') return 'task';
  if (name === 'folder' || name === 'dir') return 'directory';
  if (group === 'help' && name === 'command') return 'command';
  return undefined;
}

/** The same convention for option values: `--agent NAME` is an agent, `--home DIR` (any `<dir>`/`<folder>` value) a directory. */
function optionKind(option: Option): 'agent' | 'directory' | undefined {
  if (option.long === '--agent') return 'agent';
  if (/<(?:dir|folder)>/.test(option.flags)) return 'directory';
  return undefined;
}

/**
 * A completion tree for `program` with `values` for what is not in it.
 * `answer(words)` prints the candidates for the last word, as the shell
 * scripts of `opperator completion SHELL` expect.
 *
 * @example
 * ```ts
 * completionTree(program, { agents: ['mail'], agentCommands: [], tasks: [] }).answer(['agent', 'start', '']); // prints "mail\t\n:4"
 * ```
 */
export function completionTree(program: Command, values: CompletionValues): { answer: (words: string[]) => void } {
  const root = new RootCommand();
  // Options of a command's parents are valid after it (commander's default), so `--home` completes anywhere.
  root.optionLookupMode = 'parent-first';
  let wantsDirectory = false;
  const handlerFor = (kind: ReturnType<typeof argumentKind>, program: Command) => {
    switch (kind) {
      case 'agent':
        return (complete: (value: string, description: string) => void) => values.agents.forEach((agent) => complete(agent, ''));
      case 'agentCommand':
        return (complete: (value: string, description: string) => void) => values.agentCommands.forEach((command) => complete(command.name, command.description ?? ''));
      case 'task':
        return (complete: (value: string, description: string) => void) => values.tasks.forEach((task) => complete(task.id, task.description));
      case 'command':
        return (complete: (value: string, description: string) => void) => visibleCommands(program).forEach((command) => complete(command.name(), command.description()));
      case 'directory':
        return () => {
          wantsDirectory = true;
        };
      case undefined:
        return undefined;
    }
  };

  const addOptions = (target: TabCommand, command: Command) => {
    for (const option of command.createHelp().visibleOptions(command)) {
      const long = option.long?.replace(/^--/, '');
      const short = option.short?.replace(/^-/, '');
      if (!long) continue;
      const takesValue = option.required || option.optional;
      if (!takesValue) {
        if (short) target.option(long, option.description, short);
        else target.option(long, option.description);
        continue;
      }
      const kind = optionKind(option);
      const choices = option.argChoices ?? [];
      // A value-taking option needs a handler (the library reads "no handler" as a flag that takes none).
      const handler =
        choices.length > 0 ? (complete: (value: string, description: string) => void) => choices.forEach((choice) => complete(choice, '')) : (kind === 'agent' ? handlerFor('agent', program) : kind === 'directory' ? handlerFor('directory', program) : undefined) ?? (() => undefined);
      target.option(long, option.description, handler, short);
    }
  };

  const addCommand = (command: Command, path: string[]) => {
    for (const sub of visibleCommands(command)) {
      const subPath = [...path, sub.name()];
      for (const name of [sub.name(), ...sub.aliases()]) {
        const target = root.command([...path, name].join(' '), sub.description());
        addOptions(target, sub);
        for (const argument of sub.registeredArguments) {
          const choices = argument.argChoices ?? [];
          const kind = argumentKind(subPath, argument);
          const reserved = kind === 'agent' ? RESERVED_AGENT_NAMES.filter((word) => new RegExp(`\\b${word}\\b`).test(argument.description)) : [];
          const handler =
            choices.length > 0 || reserved.length > 0
              ? (complete: (value: string, description: string) => void) => [...choices, ...reserved, ...(reserved.length > 0 ? values.agents : [])].forEach((choice) => complete(choice, ''))
              : handlerFor(kind, program);
          target.argument(argument.name(), handler, argument.variadic);
        }
      }
      addCommand(sub, subPath);
    }
  };

  addOptions(root, program);
  addCommand(program, []);
  // The library always answers "no file completion"; where a directory is wanted, the shell's own directory completion is.
  Object.defineProperty(root, 'directive', {
    get: () => (wantsDirectory ? ShellCompDirective.ShellCompDirectiveFilterDirs : ShellCompDirective.ShellCompDirectiveNoFileComp),
    set: () => undefined,
  });
  return { answer: (words) => root.parse(words) };
}

/** The subcommands `--help` shows (hidden ones, like `complete`, stay out). */
function visibleCommands(command: Command): Command[] {
  return command.createHelp().visibleCommands(command);
}
