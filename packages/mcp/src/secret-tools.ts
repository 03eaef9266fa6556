import { CONTROL_ERROR, ControlClientError, signInCommandNames, signInNames, signInStatusSchema, type AgentRow, type SignInStatus } from '@opperator/protocol';
import type { McpDaemonClient } from './daemon-link.js';
import { commandToolName } from './tool-names.js';
import { isHiddenAgent } from './visibility.js';
import { failureResult, textResult } from './tool-results.js';
import { READ_ONLY, type BuiltInTool } from './tool-definition.js';

/** One agent's secrets and sign-ins, as secret_status reports them: names and states, never values. */
interface AgentSecrets {
  agent: string;
  /** Secret names agents.yaml lets the agent read. */
  secrets: string[];
  signIns: Array<Pick<SignInStatus, 'name' | 'provider' | 'state' | 'authenticated' | 'credentials'> & { account?: string; missingSecrets: Array<{ name: string; reason: string; fix: string }>; problem?: string }>;
  /** Why sign-ins could not be read (the agent is stopped, its status command failed). */
  note?: string;
}

/** `secret_status`: which secrets agents need and where their sign-ins stand, with the command the user runs. */
export const secretStatusTool: BuiltInTool = {
  name: 'secret_status',
  title: 'Secrets and sign-ins',
  description:
    "Which secrets each agent may read (names from agents.yaml) and where its sign-ins stand (provider, state, account, client credentials configured or missing), with the exact `opperator secret set NAME` command for each missing secret. Never returns a secret value or a token: the user sets secrets in their own terminal, and no tool can set one.",
  arguments: [{ name: 'agent', type: 'string', description: 'Only this agent.' }],
  annotations: READ_ONLY,
  outputSchema: { type: 'object', properties: { agents: { type: 'array', items: { type: 'object', properties: { agent: { type: 'string' }, secrets: { type: 'array', items: { type: 'string' } }, signIns: { type: 'array' } }, required: ['agent', 'secrets', 'signIns'] } } }, required: ['agents'] },
  async run(args, context) {
    const only = typeof args.agent === 'string' ? args.agent : undefined;
    try {
      const report = await context.link.run(async (client) => {
        const rows = (await client.request('agent.list')).filter((row) => !isHiddenAgent(row) && (only === undefined || row.name === only));
        if (only !== undefined && rows.length === 0) throw new ControlClientError(CONTROL_ERROR.AGENT_NOT_FOUND, `No agent named ${JSON.stringify(only)}.`);
        return Promise.all(rows.map((row) => agentSecrets(client, row)));
      });
      return textResult(report.map(describe).join('\n') || 'No agents.', { agents: report });
    } catch (err) {
      return failureResult(err, { ...(only === undefined ? {} : { agent: only }), knownAgents: context.knownAgents });
    }
  },
};

async function agentSecrets(client: McpDaemonClient, row: AgentRow): Promise<AgentSecrets> {
  const base = { agent: row.name, secrets: [...(row.secrets ?? [])].sort() };
  if (row.state !== 'running') return { ...base, signIns: [], note: `${row.state}: start it to see its sign-ins` };
  const names = signInNames(await client.request('agent.commands', { name: row.name }));
  const signIns: AgentSecrets['signIns'] = [];
  for (const name of names) {
    // The hidden status command: names, states and times only (signInStatusSchema), never a token.
    const outcome = await client.request('agent.invoke', { name: row.name, command: signInCommandNames(name).status });
    const parsed = 'ok' in outcome && outcome.ok ? signInStatusSchema.safeParse(outcome.result) : undefined;
    if (!parsed?.success) {
      signIns.push({ name, provider: '?', state: 'not-authorized', authenticated: false, credentials: 'missing', missingSecrets: [], problem: 'its status could not be read' });
      continue;
    }
    const status = parsed.data;
    signIns.push({
      name,
      provider: status.provider,
      state: status.state,
      authenticated: status.authenticated,
      credentials: status.credentials,
      ...(status.account === undefined ? {} : { account: status.account }),
      missingSecrets: status.missingSecrets.map((secret) => ({ ...secret, fix: `opperator secret set ${secret.name}` })),
      ...(status.problem === undefined ? {} : { problem: status.problem }),
    });
  }
  return { ...base, signIns };
}

function describe(report: AgentSecrets): string {
  const lines = [`- ${report.agent}: secrets ${report.secrets.length ? report.secrets.join(', ') : '(none declared)'}${report.note ? ` (${report.note})` : ''}`];
  for (const signIn of report.signIns) {
    lines.push(`  sign-in ${signIn.name} (${signIn.provider}): ${signIn.state}${signIn.account ? ` as ${signIn.account}` : ''}; client credentials ${signIn.credentials}${signIn.problem ? `; ${signIn.problem}` : ''}`);
    for (const missing of signIn.missingSecrets) lines.push(`    missing ${missing.name} (${missing.reason}): the user runs \`${missing.fix}\` in a terminal`);
    if (signIn.authenticated === false && signIn.credentials === 'configured') lines.push(`    sign in: the tool ${commandToolName(report.agent, signInCommandNames(signIn.name).authorize, new Set())}`);
  }
  if (report.secrets.length) lines.push(`  set or change one: opperator secret set NAME (the user types the value; list them: opperator secret list)`);
  return lines.join('\n');
}
