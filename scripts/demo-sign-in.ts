/**
 * The main job until the agent runtime exists: starts a local authorization
 * server (oidc-provider on 127.0.0.1, no account anywhere), signs in through
 * the loopback flow, saves the tokens and prints their status.
 *
 * The browser is opened through `BROWSER` when set, else the platform opener;
 * when neither works, the URL is printed for you to open.
 *
 *   npm run demo [-- --port 8080] [-- --public]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FileTokenStore, OAuthClient, discoverProvider, isOAuthError, readPermissionBits, type AuthorizeProgressEvent } from '@opperator/oauth';
import { startAuthorizationServer, type SandboxClient } from '@opperator/sandbox';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    public: { type: 'boolean', default: false },
    'token-file': { type: 'string', default: join('.demo', 'token.json') },
  },
});

const server = await startAuthorizationServer();
const [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
const registration = values.public ? publicClient : confidential;
console.log(`Authorization server (oidc-provider) running at ${server.issuer}`);
console.log(`Client: ${registration.clientId} (${registration.clientSecret ? 'confidential' : 'public, PKCE only'})`);

const store = new FileTokenStore(resolve(values['token-file']));
const client = new OAuthClient({
  provider: await discoverProvider(server.issuer, { name: 'sandbox' }),
  clientId: registration.clientId,
  ...(registration.clientSecret ? { clientSecret: registration.clientSecret } : {}),
  scopes: ['openid', 'email', 'offline_access'],
  store,
});

let exitCode = 0;
try {
  const tokens = await client.authorize({ port: Number(values.port), onProgress: printProgress });
  const now = Date.now();
  console.log('\nToken status');
  console.log(`  account:        ${tokens.account ?? 'unknown'}`);
  console.log(`  scopes:         ${tokens.scopes.join(' ')}`);
  console.log(`  access token:   valid, expires ${tokens.expiresAt ? `in ${Math.round((tokens.expiresAt - now) / 60_000)} min (${new Date(tokens.expiresAt).toISOString()})` : 'never (no expiry given)'}`);
  console.log(`  refresh token:  ${tokens.refreshToken ? 'present' : 'none issued'}`);
  console.log(`  token file:     ${store.path} (mode ${(await readPermissionBits(store.path)).toString(8).padStart(4, '0')})`);
  const accessToken = await client.getAccessToken();
  console.log(`  getAccessToken: ok (${accessToken.length} characters, value not shown)`);
} catch (err) {
  exitCode = 1;
  console.error(`\nSign-in failed: ${err instanceof Error ? err.message : String(err)}`);
  if (isOAuthError(err)) console.error(`  code: ${err.code}`);
} finally {
  await server.close();
}
process.exit(exitCode);

function printProgress(event: AuthorizeProgressEvent): void {
  switch (event.type) {
    case 'listening':
      console.log(`Waiting for the browser on ${event.redirectUri}`);
      break;
    case 'browser-opened':
      console.log('Browser opened: sign in with any user name and password, then allow access.');
      break;
    case 'browser-failed':
      console.log(`${event.reason}\nOpen this URL to sign in:\n\n  ${event.authorizationUrl}\n`);
      break;
    case 'callback-rejected':
      console.log(`Ignored a callback that does not belong to this sign-in (${event.reason}).`);
      break;
    case 'callback-received':
      console.log('Callback received.');
      break;
    case 'exchanging':
      console.log('Exchanging the authorization code for tokens...');
      break;
    case 'saved':
      console.log(`Tokens saved to ${event.store}`);
      break;
  }
}
