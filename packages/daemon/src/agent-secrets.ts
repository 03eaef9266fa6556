import type { DaemonToAgent } from '@opperator/protocol';
import type { SecretStore } from '@opperator/secrets';
import type { AgentDefinition } from './agents-config.js';

/**
 * Answers an agent's `secret_request`: only secrets listed for that agent in
 * agents.yaml are served, only over that agent's own stdin, and refusals say
 * what to change. Values never go to logs or to the control socket.
 */
export async function answerSecretRequest(store: Pick<SecretStore, 'get'>, agent: AgentDefinition, agentsFile: string, request: { requestId: string; name: string }): Promise<DaemonToAgent> {
  const { requestId, name } = request;
  if (!agent.secrets.includes(name)) {
    return {
      type: 'secret_response',
      requestId,
      ok: false,
      error: {
        code: 'SECRET_ACCESS_DENIED',
        message: `Agent ${agent.name} may not read secret ${name}: add ${name} to its "secrets:" list in ${agentsFile}, then run \`opperator agent restart ${agent.name}\`.`,
      },
    };
  }
  try {
    return { type: 'secret_response', requestId, ok: true, value: await store.get(name) };
  } catch (err) {
    const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'SECRET_UNAVAILABLE';
    return { type: 'secret_response', requestId, ok: false, error: { code, message: err instanceof Error ? err.message : `Secret ${name} could not be read. Set it: opperator secret set ${name}` } };
  }
}
