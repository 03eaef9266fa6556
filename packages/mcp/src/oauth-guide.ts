// The example's first line, kept out of the guide's own lines: a line of source that starts with `import`
// is an import of this package as far as the boundary check (test/boundaries.test.ts) can tell.
const SDK_IMPORT_LINE = "import { Agent } from '@opperator/sdk';";

/** The URI of {@link OAUTH_AGENT_GUIDE} among the server's resources. */
export const OAUTH_GUIDE_URI = 'opperator://guide/oauth-agent';

/**
 * How to write, run and sign in an OAuth agent with Opperator, as an MCP
 * client's assistant does it with this server's tools: written for this
 * project (its TypeScript SDK, its tools and commands). Served as the
 * resource {@link OAUTH_GUIDE_URI} and inside the `build_oauth_agent` prompt.
 */
export const OAUTH_AGENT_GUIDE = `# Writing an OAuth agent for Opperator

An agent is a TypeScript file, \`agent.ts\`, that default-exports a class
extending \`Agent\` from \`@opperator/sdk\`. The daemon runs it in the
background; its commands become MCP tools named \`<agent>__<command>\`.

## 1. Create it

Call \`bootstrap_agent\` with \`template: "oauth"\` and a provider: \`google\`,
\`github\`, \`microsoft\`, \`sandbox\` (a local authorization server for trying
things: \`opperator sandbox start\`), or an issuer URL (read by OpenID
discovery). It writes \`agents/<name>/agent.ts\` and registers the agent in
\`agents.yaml\` with the two secrets it may read: \`<name>_<signin>_client_id\`
and \`<name>_<signin>_client_secret\`. Without the tool:
\`opperator agent bootstrap NAME --template oauth --provider P\`.

## 2. What the file holds

\`\`\`ts
${SDK_IMPORT_LINE}

export default class MailWatch extends Agent {
  async initialize() {
    // One sign-in: registers authorize_google, sign_out_google and the section oauth_google.
    const google = this.useOAuth({
      name: 'google',
      provider: 'google',
      scopes: ['openid', 'email'],
      clientIdSecret: 'mail_watch_google_client_id',
      clientSecretSecret: 'mail_watch_google_client_secret',
    });
    this.registerSection('summary', 'Summary', '<b>Checked:</b> never');
    this.registerCommand(
      'whoami',
      async () => (await google.fetch('https://openidconnect.googleapis.com/v1/userinfo')).json(),
      { description: 'Ask Google who is signed in' },
    );
    this.registerCommand(
      'check',
      async (args, ctx) => {
        ctx.reportProgress({ text: 'Checking...', progress: 0.5 });
        if (ctx.signal.aborted) throw new Error('cancelled');
        this.updateSection('summary', \`<b>Checked:</b> \${new Date().toISOString()} (\${String(args.folder)})\`);
        return { ok: true };
      },
      { description: 'Check a folder', async: true, arguments: [{ name: 'folder', type: 'string', required: true, enum: ['INBOX', 'SENT'] }] },
    );
  }
}
\`\`\`

- \`useOAuth\` reads the client id and secret from the secrets when it needs
  them, keeps the tokens in the agent's token store, and refreshes them;
  \`fetch\` sends the access token (refreshed first when due). Never log or
  return a token.
- Declared \`arguments\` become the tool's input schema and are checked
  before the command runs; \`async: true\` commands run as tasks that report
  progress (\`ctx.reportProgress\`) and stop when \`ctx.signal\` aborts.
- Sections use a small markup: \`<b>\`, \`<i>\`, \`<c fg="green">\`.

## 3. The secrets: the user sets them

Secrets never go through the chat. Tell the user to run, in their own
terminal, \`opperator secret set <name>_<signin>_client_id\` and
\`opperator secret set <name>_<signin>_client_secret\` (it asks for the value
without echo), with the client they registered at the provider.
\`secret_status\` shows which are still missing.

## 4. Run it

\`start_agent\`; if it crashes, \`agent_logs\` says why. After editing
\`agent.ts\`, \`restart_agent\`.

## 5. Sign in

Call \`<agent>__authorize_<signin>\`. Its progress carries the page to open
and, for a sign-in with a code, the code to enter: show both to the user.
The result comes once they have signed in and names the account.

## 6. Check it

\`agent_sections\` (or the resource \`opperator://agents/<agent>/sections\`)
shows the sign-in as \`✓ Authenticated\` with the account; then call a
command that uses the API, such as \`<agent>__whoami\`.
`;

/**
 * The text of the `build_oauth_agent` prompt: the steps for one provider,
 * then the guide.
 *
 * @example
 * ```ts
 * buildOAuthAgentPrompt({ provider: 'github', name: 'gh-notify' });
 * ```
 */
export function buildOAuthAgentPrompt(options: { provider: string; name?: string; purpose?: string }): string {
  const name = options.name ?? 'a name the user chooses (lowercase letters, digits, _ and -)';
  return [
    `Build an Opperator agent that signs in to ${options.provider} with OAuth${options.purpose ? ` and ${options.purpose}` : ''}.`,
    '',
    `1. bootstrap_agent with name ${name}, template "oauth", provider ${JSON.stringify(options.provider)}.`,
    '2. Edit its agent.ts for the job (commands with declared arguments, a section with what it found); keep the useOAuth call.',
    '3. Ask the user to set the two secrets bootstrap_agent named, in their own terminal; never ask for their values here. secret_status confirms.',
    '4. start_agent, then the <agent>__authorize_<signin> tool: show the user the page and code from its progress.',
    '5. Check agent_sections shows ✓ Authenticated, then call one of its commands.',
    '',
    OAUTH_AGENT_GUIDE,
  ].join('\n');
}
