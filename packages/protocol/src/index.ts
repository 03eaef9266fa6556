/**
 * `@opperator/protocol`: the wire contract between agents, the daemon and
 * its clients: zod schemas with inferred types, and NDJSON framing that
 * validates every inbound line. See docs/protocol.md.
 *
 * @packageDocumentation
 */
export * from './agent-messages.js';
export * from './control-messages.js';
export * from './control-methods.js';
export * from './control-errors.js';
export { ControlClient, ControlClientError, CONNECT_TIMEOUT_MS, MAX_RESPONSE_BYTES, type ConnectOptions, type RequestOptions } from './control-client.js';
export { readMessages, encodeMessage, type InvalidLine, type ReadMessagesOptions } from './ndjson.js';
export { MAX_MESSAGE_DEPTH, MAX_MESSAGE_ENTRIES, scanMessageLimits, type LimitOptions, type LimitScan, type MessageLimit } from './limits.js';
export { validateArguments, type CommandArgs as CommandArguments } from './arguments.js';
export { commandArgumentsJsonSchema, type ArgumentJsonSchema, type CommandArgumentsJsonSchema } from './arguments-schema.js';
export { controlSocketLocation, MAX_SOCKET_PATH_BYTES, type ControlSocketLocation, type ControlSocketLocationOptions } from './socket-path.js';
export { formatHumanTime, UNKNOWN_HUMAN_TIME, type HumanTimeOptions } from './human-time.js';
export { SIGN_IN_COMMAND_PREFIXES, SIGN_IN_SECTION_PREFIX, SIGN_IN_TOKEN_STATES, accessTokenResultSchema, signInCommandNames, signInNames, signInStatusSchema, type AccessTokenResult, type SignInStatus } from './sign-in-commands.js';
export { homeLayout, homePaths, xdgBaseDirectories, type HomeLayout, type HomeLayoutEnvironment, type HomePaths } from './home-layout.js';
export { migrateHome, legacyDaemonSocket, oldHomePending, HOME_MIGRATION_MARKER, LEGACY_DAEMON_PROBE_TIMEOUT_MS, type HomeMigrationOptions, type HomeMigrationResult, type HomeMove } from './home-migration.js';
export { parseMarkup, markupToPlainText, type StyledRun, type MarkupLine } from './section-markup.js';
export { parseMarkupColor, MARKUP_COLOR_NAMES, type MarkupColor, type MarkupColorName } from './section-markup-colors.js';
