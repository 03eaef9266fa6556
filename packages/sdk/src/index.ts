/**
 * `@opperator/sdk`: what an agent imports. The entry file's default export
 * extends {@link Agent}; the runner (`@opperator/sdk/runner`) constructs it and
 * connects it to the daemon over stdio.
 *
 * @example
 * ```ts
 * import { Agent } from '@opperator/sdk';
 *
 * export default class Hello extends Agent {
 *   async initialize() {
 *     this.registerCommand('hello', ({ name = 'world' }) => ({ greeting: `hello ${String(name)}` }));
 *   }
 * }
 * ```
 *
 * @packageDocumentation
 */
export { Agent } from './agent.js';
export { AgentRuntime } from './runtime.js';
export { STOP_TIMEOUT_MS, FLUSH_TIMEOUT_MS, type AgentRuntimeOptions, type RuntimePhase } from './runtime-options.js';
export { SdkError, SecretError, type SdkErrorCode, type SecretErrorCode } from './errors.js';
export { SECRET_TIMEOUT_MS } from './secrets.js';
export { COMMAND_ERROR_CODES } from './commands.js';
export { validateArguments } from '@opperator/protocol';
export { createLinkedTransport, type LinkedTransport, type LinkEnd } from './transport.js';
export { loadAgentClass, type AgentClass } from './load-agent.js';
export { runAgentProcess, type AgentProcessOptions } from './agent-process.js';
export { SDK_VERSION } from './version.js';
export { OAUTH_SECTION_RECHECK_MS } from './use-oauth.js';
export { authSectionContent, authorizeCommandLine, escapeMarkup, nextStep, type MissingSecret, type SectionLabels, type UseOAuthStatus } from './use-oauth-section.js';
export { hasUsableBrowser } from './use-oauth-authorize.js';
export { chooseSignInPath, type SignInChoice, type SignInPath, type SignInPathOptions, type SignInUnderWay } from './sign-in-path.js';
export type { UseOAuthAuthorizeOptions, UseOAuthAuthorizeResult, UseOAuthHandle, UseOAuthOptions } from './use-oauth-options.js';
export type {
  AgentLifecycle,
  BackgroundTask,
  CommandArgs,
  CommandContext,
  CommandHandler,
  CommandOptions,
  EveryOptions,
  LogFields,
  ProgressUpdate,
  SectionOptions,
} from './types.js';
export type { CommandArgument, LogLevel, Progress } from '@opperator/protocol';
