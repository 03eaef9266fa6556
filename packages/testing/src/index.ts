/**
 * `@opperator/testing`: private helpers for the project's tests and
 * benchmarks. Never imported by package sources.
 *
 * @packageDocumentation
 */
export {
  TestBrowser,
  headlessBrowserCommand,
  CHROMIUM_PATH,
  CHROMIUM_ARGS,
  type ConsentDecision,
  type DeviceVerificationOptions,
  type DeviceVerificationResult,
  type SignInOptions,
  type SignInResult,
} from './browser.js';
export { makeTempDir, type TempDir } from './temp-dir.js';
export { startSecretService, type TestSecretService, type SecretServiceOptions } from './secret-service.js';
export { runCli, CLI_PATH, type CliResult, type RunCliOptions } from './run-cli.js';
export { makeAgentHome, SDK_PACKAGE_DIR, type TestAgent } from './agent-home.js';
export { installExampleAgent, EXAMPLES_DIR, type InstallExampleOptions } from './example-agent.js';
export { TmuxSession, type TmuxStartOptions } from './tmux.js';
export { TextBrowser, W3M_PATH, type TextBrowserOptions } from './text-browser.js';
export { RecordingProxy, type RecordedResponse } from './recording-proxy.js';
export { sectionContent, waitForSection } from './sections.js';
export { redeemRefreshToken } from './token-endpoint.js';
export { invokeWithDeviceCode, type DeviceSignInResult } from './device-sign-in.js';
export { describeTokenStoreContract, fullRecord, CONTRACT_TEST_TIMEOUT_MS, type ContractStoreHandle, type TokenStoreContractFactory } from './token-store-contract.js';
export { RotatingTokenEndpoint, type RotatingTokenEndpointOptions, type TokenEndpointRequest } from './rotating-token-endpoint.js';
export { startPostgresServer, findPostgresBinDir, type TestPostgresServer } from './postgres-server.js';
export { startRedisServer, redisServerMissing, REDIS_SERVER_PATH, type TestRedisServer, type RedisServerOptions } from './redis-server.js';
export { runSharedGrantChaos, type SharedGrantChaosOptions, type SharedGrantChaosResult } from './shared-grant-chaos.js';
export type { ChaosWorkerReport } from './shared-grant-worker.js';
