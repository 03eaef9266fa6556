import { pathToFileURL } from 'node:url';
import { Agent } from './agent.js';
import { SdkError, messageOf } from './errors.js';
import { AGENT_BRAND } from './internal.js';

/**
 * A concrete agent class, as an entry file's default export.
 *
 * @example
 * ```ts
 * const AgentClass: AgentClass = await loadAgentClass(entryFile);
 * ```
 */
export type AgentClass = new () => Agent;

/**
 * Imports an agent entry file and returns its default export, checked to be
 * a class extending `Agent`. Every failure is an `SdkError` with code
 * `SDK_INVALID_ENTRY` whose message says what to write instead.
 *
 * @example
 * ```ts
 * const AgentClass = await loadAgentClass('/home/me/.config/opperator/agents/demo/agent.ts');
 * const agent = new AgentClass();
 * ```
 */
export async function loadAgentClass(entryFile: string): Promise<AgentClass> {
  const where = JSON.stringify(entryFile);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(entryFile).href)) as { default?: unknown };
  } catch (err) {
    throw new SdkError('SDK_INVALID_ENTRY', `could not load the agent entry ${where}: ${messageOf(err)}`, { cause: err });
  }
  const candidate = module.default;
  const shape = 'export default class MyAgent extends Agent { async initialize() { ... } }';
  if (candidate === undefined) {
    throw new SdkError('SDK_INVALID_ENTRY', `the agent entry ${where} has no default export; write: ${shape}`);
  }
  if (typeof candidate === 'function' && candidate.prototype instanceof Agent) return candidate as AgentClass;
  if (typeof candidate === 'function' && (candidate as unknown as Record<symbol, unknown>)[AGENT_BRAND] === true && candidate !== Agent) {
    // Same class name, different module instance: instanceof cannot work across copies.
    throw new SdkError(
      'SDK_INVALID_ENTRY',
      `the agent in ${where} extends Agent from another copy of @opperator/sdk; its @opperator/sdk must resolve to the SDK that runs it (link it instead of installing a copy)`,
    );
  }
  throw new SdkError('SDK_INVALID_ENTRY', `the default export of ${where} is not a class extending Agent from @opperator/sdk; write: ${shape}`);
}
