/**
 * The sandbox as its own process, started in the background by
 * `opperator sandbox start` (bundled to packages/cli/dist/sandbox.js).
 *
 * Its settings come in one environment variable, {@link SANDBOX_CONFIG_ENV},
 * because the client secrets are in them: arguments would show in `ps`,
 * while a process's environment is readable only by its own user.
 *
 * @packageDocumentation
 */
import { SANDBOX_DEFAULT_PORT, startAuthorizationServer, type SandboxClient } from './authorization-server.js';
import { parseEmulatedProviders } from './emulators/emulators.js';

/** Environment variable carrying {@link SandboxProcessConfig} as JSON. */
export const SANDBOX_CONFIG_ENV = 'OPPERATOR_SANDBOX_CONFIG';

/** Exit code of the sandbox process when its port is taken, so the CLI can say so. */
export const SANDBOX_EXIT_PORT_IN_USE = 3;

/** What the CLI hands the sandbox process. */
export interface SandboxProcessConfig {
  port?: number;
  accessTokenTtlSeconds?: number;
  clients?: SandboxClient[];
  /** State file (sessions, grants, tokens, keys) so a restart keeps users signed in. */
  stateFile?: string;
  /** Bearer token of the admin API, recorded by the CLI in state/sandbox.json. */
  adminToken?: string;
  /** Providers to emulate (`sandbox start --emulate`). */
  emulate?: string[];
  /** The GitHub App client of the GitHub emulator, recorded by the CLI so its secret survives restarts. */
  githubAppClient?: SandboxClient;
}

const config = JSON.parse(process.env[SANDBOX_CONFIG_ENV] ?? '{}') as SandboxProcessConfig;
// Agents started later must not inherit the secrets.
delete process.env[SANDBOX_CONFIG_ENV];
const port = config.port ?? SANDBOX_DEFAULT_PORT;

try {
  const server = await startAuthorizationServer({
    port,
    ...(config.clients ? { clients: config.clients } : {}),
    ...(config.accessTokenTtlSeconds ? { accessTokenTtlSeconds: config.accessTokenTtlSeconds } : {}),
    ...(config.stateFile ? { stateFile: config.stateFile } : {}),
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
    ...(config.emulate?.length ? { emulate: parseEmulatedProviders(config.emulate) } : {}),
    ...(config.githubAppClient ? { githubAppClient: config.githubAppClient } : {}),
    onWarning: (message) => console.error(`${new Date().toISOString()} warning: ${message}`),
  });
  console.log(
    `${new Date().toISOString()} sandbox listening: issuer ${server.issuer}, demo APIs ${server.demoApiUrl} and ${server.githubApiUrl}, state ${config.stateFile ?? 'in memory'} (pid ${process.pid})`,
  );
  const emulated = Object.keys(server.emulators);
  if (emulated.length) console.log(`${new Date().toISOString()} emulating ${emulated.join(', ')} under ${server.issuer}/emulate/<host>/ (their state is in memory only)`);
  const stop = (signal: string) => {
    console.log(`${new Date().toISOString()} ${signal}: stopping`);
    // close() writes pending state, so a restart finds every token issued up to now.
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (err) {
  const code = err && typeof err === 'object' && 'code' in err ? err.code : undefined;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    console.error(`${new Date().toISOString()} port ${port} on 127.0.0.1 is not available (${String(code)})`);
    process.exit(SANDBOX_EXIT_PORT_IN_USE);
  }
  console.error(err);
  process.exit(1);
}
