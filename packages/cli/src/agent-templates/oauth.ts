import { agentClassName, tsString } from './class-name.js';
import type { OAuthTemplateProvider } from './oauth-provider-choice.js';

/** The secrets an oauth agent reads its client credentials from (listed in its agents.yaml entry). */
export interface OAuthSecretNames {
  clientId: string;
  clientSecret: string;
}

/**
 * The secret names for one `useOAuth` sign-in of an agent:
 * `<agent name, - as _>_<oauth name>_client_id|secret`, as in the guide's
 * `invoice_monitor_gmail_client_id`.
 *
 * @example
 * ```ts
 * oauthSecretNames('invoice-monitor', 'google'); // { clientId: 'invoice_monitor_google_client_id', clientSecret: 'invoice_monitor_google_client_secret' }
 * ```
 */
export function oauthSecretNames(agentName: string, oauthName: string): OAuthSecretNames {
  const prefix = `${agentName.replace(/-/g, '_')}_${oauthName}`;
  return { clientId: `${prefix}_client_id`, clientSecret: `${prefix}_client_secret` };
}

/**
 * The `oauth` template's agent.ts: one `this.useOAuth()` call, a `whoami`
 * command that calls the provider's API with the handle's `fetch()`, and a
 * background loop that logs when a sign-in is needed. It is meant to be read
 * as the example of useOAuth, so it stays short.
 *
 * @example
 * ```ts
 * const provider = await resolveOAuthProvider('google', { providersDoc });
 * await writeFile(join(dir, 'agent.ts'), oauthAgentSource('mail-watch', provider));
 * ```
 */
export function oauthAgentSource(agentName: string, provider: OAuthTemplateProvider): string {
  const handle = provider.oauthName;
  const secrets = oauthSecretNames(agentName, handle);
  const authorize = `opperator agent invoke ${agentName} authorize_${handle}`;
  return `import { Agent } from '@opperator/sdk';

/**
 * ${agentName}: signs in to ${provider.label} with this.useOAuth() and calls its API.
 *
 * useOAuth registers the commands authorize_${handle} (browser sign-in; {"device": true}
 * for a code to type on another device) and sign_out_${handle}, and the sidebar section
 * oauth_${handle} with the sign-in state and the next step. The client id and secret are
 * read from the secrets below when needed, never written to disk; tokens go to
 * token.json in this folder and are refreshed in the background.
 */
export default class ${agentClassName(agentName)} extends Agent {
  async initialize() {
    const ${handle} = this.useOAuth({
      name: '${handle}',
      provider: ${tsString(provider.provider)},
      scopes: [${provider.scopes.map(tsString).join(', ')}],
      clientIdSecret: '${secrets.clientId}',
      clientSecretSecret: '${secrets.clientSecret}',
    });

    this.registerCommand(
      'whoami',
${whoamiHandler(handle, provider)}
      { description: ${tsString(provider.api ? `Ask ${provider.label} who is signed in` : 'Who is signed in, and the state of the tokens')} },
    );

    // At start and every 5 minutes: say in the log what the sign-in needs.
    this.every(
      5 * 60_000,
      async () => {
        const status = await ${handle}.status();
        if (status.credentials === 'missing') {
          this.logWarning(\`Client credentials missing: \${status.missingSecrets.map((s) => \`opperator secret set \${s.name}\`).join('; ')}\`);
        } else if (!status.authenticated) {
          this.logWarning(\`Not signed in (\${status.state}): ${authorize}\`);
        }
      },
      { immediate: true },
    );
  }
}
`;
}

function whoamiHandler(handle: string, provider: OAuthTemplateProvider): string {
  if (!provider.api) {
    return `      async () => {
        // No userinfo endpoint is known for this server: report what useOAuth knows.
        const { authenticated, state, account } = await ${handle}.status();
        return { authenticated, state, account };
      },`;
  }
  const init = provider.api.headers ? `, { headers: { ${Object.entries(provider.api.headers).map(([key, value]) => `${key}: ${tsString(value)}`).join(', ')} } }` : '';
  return `      async () => {
        // fetch() sends the access token, refreshed first when due (and once more after a 401).
        const response = await ${handle}.fetch(${tsString(provider.api.url)}${init});
        if (!response.ok) throw new Error(\`${sentenceStart(provider.label)} answered \${response.status}: \${await response.text()}\`);
        return response.json();
      },`;
}

/** The label at the start of a sentence, inside a template literal of the generated code (so no `, \\ or $). */
function sentenceStart(label: string): string {
  const text = label.replace(/[`\\$]/g, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
