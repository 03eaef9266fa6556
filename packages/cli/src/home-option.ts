import { resolve } from 'node:path';

/**
 * `--home DIR`, the global option: the same as running with
 * `OPPERATOR_HOME=DIR` (everything in that one folder). It is set in this
 * process's environment before any command reads its configuration
 * (`readConfig` runs inside actions), so the daemon, the sandbox and the
 * agents this command starts inherit it too. A relative folder is taken
 * from the current directory, as the shell user meant it, and made absolute
 * so a daemon started from elsewhere sees the same folder.
 *
 * @example
 * ```ts
 * applyHomeOption('work-home'); // OPPERATOR_HOME=/current/dir/work-home
 * ```
 */
export function applyHomeOption(dir: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const home = resolve(cwd, dir);
  env.OPPERATOR_HOME = home;
  return home;
}

/**
 * The `--home` value in words typed on a command line (`--home DIR` or
 * `--home=DIR`, the last one wins), for shell completion, which reads the
 * line without running it; undefined when there is none.
 *
 * @example
 * ```ts
 * homeOptionIn(['--home', '/tmp/x', 'agent', 'start', '']); // '/tmp/x'
 * ```
 */
export function homeOptionIn(words: readonly string[]): string | undefined {
  let home: string | undefined;
  words.forEach((word, index) => {
    if (word === '--home' && index + 1 < words.length - 1) home = words[index + 1];
    else if (word.startsWith('--home=')) home = word.slice('--home='.length);
  });
  return home || undefined;
}
