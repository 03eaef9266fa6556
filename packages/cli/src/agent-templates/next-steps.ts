import { join } from 'node:path';
import type { OAuthTemplateProvider } from './oauth-provider-choice.js';
import { oauthSecretNames } from './oauth.js';

/**
 * What `agent bootstrap --template minimal` prints after creating the agent:
 * the commands to run it and to change it.
 *
 * @example
 * ```ts
 * process.stdout.write(minimalNextSteps('hello-agent', dir));
 * ```
 */
export function minimalNextSteps(name: string, dir: string): string {
  return lines([
    `Created agent ${name} in ${dir}`,
    '',
    'Next steps:',
    `  opperator daemon start            # if it is not running`,
    `  opperator agent start ${name}`,
    `  opperator agent invoke ${name} hello --args '{"name":"you"}'`,
    `  edit ${join(dir, 'agent.ts')}, then: opperator agent restart ${name}`,
  ]);
}

/**
 * What `agent bootstrap --template oauth` prints: where to get the OAuth
 * client (or the sandbox that has one), the exact commands to store its
 * credentials, start the agent, sign in and call the API. The client secret
 * line has no value: `secret set` then asks for it without echo, so it stays
 * out of the shell history.
 *
 * @example
 * ```ts
 * process.stdout.write(oauthNextSteps('mail-watch', dir, provider));
 * ```
 */
export function oauthNextSteps(name: string, dir: string, provider: OAuthTemplateProvider): string {
  const secrets = oauthSecretNames(name, provider.oauthName);
  const hidden = 'asked for without echo, so it stays out of your shell history';
  const setup: Step[] = provider.clientSetup === undefined
    ? [
        ['opperator sandbox start', 'a local authorization server; prints the client id (opperator-demo) and its secret'],
        [`opperator secret set ${secrets.clientId} opperator-demo`],
        [`opperator secret set ${secrets.clientSecret}`, `paste the secret \`sandbox start\` printed; ${hidden}`],
      ]
    : [
        [`# ${provider.clientSetup}`],
        [`opperator secret set ${secrets.clientId} <your client id>`],
        [`opperator secret set ${secrets.clientSecret}`, `paste your client secret; ${hidden}`],
      ];
  const signIn = provider.clientSetup === undefined ? 'opens your browser; any user name and password sign in' : 'opens your browser to sign in';
  return lines([
    `Created agent ${name} in ${dir}: it signs in to ${provider.label} with this.useOAuth({ name: '${provider.oauthName}' }).`,
    `Its client credentials are read from the secrets ${secrets.clientId} and ${secrets.clientSecret} (listed in agents.yaml).`,
    '',
    'Next steps:',
    ...alignComments([
      ...setup,
      [`opperator agent start ${name}`],
      [`opperator auth login ${name}`, signIn],
      [`opperator agent invoke ${name} whoami`, provider.api ? `calls ${provider.api.url}` : 'the sign-in state'],
      [`opperator auth status ${name}`, 'the sign-in: account, expiry, scopes and the next step'],
      [`edit ${join(dir, 'agent.ts')}, then: opperator agent restart ${name}`],
    ]),
  ]);
}

/** A command and, optionally, what it does (printed as a `#` comment). */
type Step = [command: string, comment?: string];

/** Indents the commands and lines their comments up in one column. */
function alignComments(steps: Step[]): string[] {
  const width = Math.max(...steps.filter(([, comment]) => comment).map(([command]) => command.length));
  return steps.map(([command, comment]) => `  ${comment ? `${command.padEnd(width)}   # ${comment}` : command}`);
}

function lines(text: string[]): string {
  return `${text.join('\n')}\n`;
}
