import { EXIT_CODES } from './cli-error.js';

/** Examples shown at the end of `opperator --help`. */
export const ROOT_EXAMPLES = `
Examples:
  $ opperator                                   open the terminal UI
  $ opperator agent bootstrap mail --template oauth --provider google
  $ opperator daemon start && opperator agent start mail
  $ opperator agent invoke mail check_invoices --args '{"folder":"INBOX"}'
  $ opperator agent logs mail -f
  $ opperator help agent                        the help of a command`;

/** Examples shown at the end of `opperator agent invoke --help`. */
export const INVOKE_EXAMPLES = `
Examples:
  $ opperator agent commands mail               the commands and their arguments
  $ opperator agent invoke mail check_invoices
  $ opperator agent invoke mail search --args '{"query":"from:billing","limit":5}' --json
  $ opperator agent invoke mail sync --detach   prints the task id; then: opperator task get ID`;

/** Examples shown at the end of `opperator auth --help`. */
export const AUTH_EXAMPLES = `
Examples:
  $ opperator auth status                       which sign-ins need attention (exit 5 when one does)
  $ opperator auth login mail                   sign in (the agent's only sign-in; else name it: auth login mail gmail)
  $ opperator auth refresh mail --scopes "https://www.googleapis.com/auth/gmail.send"
  $ curl -H "Authorization: Bearer $(opperator auth token mail)" https://gmail.googleapis.com/gmail/v1/users/me/profile
  $ opperator auth logout mail`;

/** What `agent start|stop|restart` do, with one name or `all`. */
export const LIFECYCLE_DESCRIPTIONS = {
  start: 'start an agent; all: every agent not running',
  stop: 'stop an agent; all: every agent not stopped',
  restart: 'restart an agent; all: every running agent, and crashed ones you left running',
} as const;

/** Examples shown at the end of `opperator agent start|stop|restart --help`. */
export function lifecycleExamples(action: 'start' | 'stop' | 'restart'): string {
  return `
Examples:
  $ opperator agent ${action} mail
  $ opperator agent ${action} all             one line per agent; exit 1 naming any that failed`;
}

/** Examples shown at the end of `opperator agent list --help`. */
export const AGENT_LIST_EXAMPLES = `
Examples:
  $ opperator agent list                        CPU (% of one core since the last list), memory, uptime
  $ opperator agent list --json                 startedAt in ISO 8601, uptimeSeconds, cpuPercent, memoryBytes`;

/** Examples shown at the end of `opperator daemon restart --help`. */
export const DAEMON_RESTART_EXAMPLES = `
Examples:
  $ opperator daemon restart                    after an upgrade: the agents that ran run again`;

/** Examples shown at the end of `opperator agent logs --help`. */
export const LOGS_EXAMPLES = `
Examples:
  $ opperator agent logs mail -n 20
  $ opperator agent logs mail --since 10m -f    the last ten minutes, then every new line
  $ opperator agent logs mail --since 2026-12-06T14:30   local time unless it ends in Z or an offset`;

/** The variables config.ts reads, for `opperator --help`. */
export const ENVIRONMENT = `
Environment:
  OPPERATOR_HOME           one folder for everything (agents.yaml, agents, logs, cache, socket); unset: the XDG places below
  OPPERATOR_SECRET_STORE   keyring or file; unset chooses automatically (the keyring when it works)
  XDG_CONFIG_HOME          agents.yaml and agents in $XDG_CONFIG_HOME/opperator (default ~/.config); daemon install writes its unit there
  XDG_STATE_HOME           logs, tasks, sections, daemon.log in $XDG_STATE_HOME/opperator (default ~/.local/state)
  XDG_CACHE_HOME           agent builds in $XDG_CACHE_HOME/opperator (default ~/.cache)
  XDG_DATA_HOME            the unencrypted secrets file (when no keyring) in $XDG_DATA_HOME/opperator (default ~/.local/share)
  XDG_RUNTIME_DIR          the control socket and pid file in $XDG_RUNTIME_DIR/opperator (else in the state directory)
  BROWSER                  the command that opens sign-in pages
  DISPLAY, WAYLAND_DISPLAY whether a browser can open here
  NO_COLOR                 no colour in the output
  SSH_CONNECTION           signing in over SSH: sign-in hints name the ssh -L forward to use`;

/** What each exit code means, for `opperator --help` (the map is EXIT_CODES in cli-error.ts). */
export const EXIT_CODE_TEXT = `
Exit codes:
  ${EXIT_CODES.ok}    success
  ${EXIT_CODES.failure}    unexpected failure (I/O, a keyring that failed mid-operation)
  ${EXIT_CODES.usage}    usage: bad arguments, names, values or environment variables; arguments an agent refused
  ${EXIT_CODES.notFound}    not found: the agent, command, task or secret does not exist
  ${EXIT_CODES.conflict}    conflict: it already exists
  ${EXIT_CODES.unavailable}    unavailable: the daemon, the agent or the keyring is not running or usable; auth status: a sign-in needs attention
  ${EXIT_CODES.commandFailed}    the agent ran the command and it failed
  130  interrupted (SIGINT); 143 terminated (SIGTERM)`;

/** How to install what `opperator completion SHELL` prints, for its --help. */
export const COMPLETION_HELP = `
Install (then open a new shell):
  bash  $ mkdir -p ~/.local/share/bash-completion/completions
        $ opperator completion bash > ~/.local/share/bash-completion/completions/opperator
        (needs the bash-completion package; or add to ~/.bashrc: source <(opperator completion bash))
  zsh   $ mkdir -p ~/.zfunc && opperator completion zsh > ~/.zfunc/_opperator
        and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath); autoload -U compinit && compinit
  fish  $ opperator completion fish > ~/.config/fish/completions/opperator.fish

Completes commands, options, agent names (from agents.yaml, without starting the daemon)
and, while the daemon runs, an agent's commands after \`agent invoke NAME\` and task ids.`;
