/**
 * `@opperator/mcp`: the MCP server of `opperator mcp`. The user's agents,
 * their commands, sections, logs and tasks as MCP tools, through the daemon's
 * typed control client (`@opperator/protocol`). The CLI injects how to reach
 * the daemon; this package reads no environment.
 *
 * @packageDocumentation
 */
export { createOpperatorMcpServer, BUILT_IN_TOOLS, type OpperatorMcpDeps, type OpperatorMcpServer } from './server.js';
export { runStdioServer } from './stdio.js';
export { runHttpServer, type HttpServerOptions, type RunningHttpServer } from './http.js';
export { type AddAgent, type AddOutcome, type AddRequest } from './add-tool.js';
export { type BootstrapAgent, type BootstrapOutcome, type BootstrapRequest } from './bootstrap-tool.js';
export { type ConnectDaemon, type McpDaemonClient } from './daemon-link.js';
export { isExposedCommand } from './command-catalog.js';
export { commandToolName, MAX_TOOL_NAME_LENGTH } from './tool-names.js';
export { markupToMarkdown, markupToText } from './markup-markdown.js';
