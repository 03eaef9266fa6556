import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { ESC, hasColor } from '../ansi.js';
import { AgentList, NO_AGENTS_TEXT } from '../../src/views/AgentList.js';
import { agentStateColor } from '../../src/views/agent-state.js';
import type { AgentRow } from '../../src/state/types.js';
import { frameOf, linesOf, textOf } from './render-frame.js';

afterAll(restoreEnv);

const agent = (name: string, state: string, extra: Partial<AgentRow> = {}): AgentRow => ({
  name,
  description: `${name} does things`,
  state,
  pid: state === 'running' ? 42 : null,
  restarts: 0,
  ...extra,
});

const agents: AgentRow[] = [
  agent('invoice-monitor', 'running', { description: 'Watches Gmail for unread invoices' }),
  agent('github-watch', 'crashed', { restarts: 3 }),
  agent('syncer', 'starting'),
  agent('old', 'stopped'),
];

describe('AgentList', () => {
  it('shows each agent with state, restarts and description, the selected one marked', () => {
    expect(textOf(frameOf(<AgentList agents={agents} selectedName="github-watch" width={60} />))).toBe(
      [
        '  invoice-monitor running  Watches Gmail for unread invoices',
        '› github-watch crashed ↻3  github-watch does things',
        '  syncer starting  syncer does things',
        '  old stopped  old does things',
      ].join('\n'),
    );
  });

  it('draws the selected row inverse', () => {
    const frame = frameOf(<AgentList agents={agents} selectedName="syncer" width={60} />);
    const line = frame.split('\n')[2] ?? '';
    expect(line).toContain(`${ESC}[7m`);
    expect(frame.split('\n')[0]).not.toContain(`${ESC}[7m`);
  });

  it('colours states: running green, starting yellow, crashed red, stopped gray', () => {
    const frame = frameOf(<AgentList agents={agents} width={60} />);
    expect(frame).toContain(`${ESC}[32mrunning`);
    expect(frame).toContain(`${ESC}[31mcrashed`);
    expect(frame).toContain(`${ESC}[33mstarting`);
    expect(frame).toContain(`${ESC}[90mstopped`);
  });

  it('draws no colour with colour off (NO_COLOR), same text', () => {
    const plain = frameOf(<AgentList agents={agents} selectedName="old" width={60} />, { color: false });
    expect(hasColor(plain)).toBe(false);
    expect(textOf(plain)).toBe(textOf(frameOf(<AgentList agents={agents} selectedName="old" width={60} />)));
  });

  it('truncates to the width, keeping the state and cutting the name first', () => {
    const lines = linesOf(frameOf(<AgentList agents={[agent('a-very-long-agent-name-indeed', 'restarting', { restarts: 12 })]} width={24} />));
    expect(lines).toEqual(['  a-very… restarting ↻12']);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(24);
  });

  it('scrolls to keep the selected agent in view', () => {
    const many = Array.from({ length: 10 }, (_, i) => agent(`agent-${i}`, 'running', { description: '' }));
    expect(linesOf(frameOf(<AgentList agents={many} selectedName="agent-7" width={30} height={4} />))).toEqual([
      '↑ 6 more',
      '  agent-6 running',
      '› agent-7 running',
      '↓ 2 more',
    ]);
  });

  it('says how to create an agent when there is none', () => {
    expect(textOf(frameOf(<AgentList agents={[]} width={80} />))).toBe(NO_AGENTS_TEXT);
  });

  it('agentStateColor knows every lifecycle state', () => {
    expect(['running', 'starting', 'stopping', 'restarting', 'crashed', 'stopped', 'weird'].map(agentStateColor)).toEqual([
      'green',
      'yellow',
      'yellow',
      'yellow',
      'red',
      'gray',
      undefined,
    ]);
  });
});
