import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';
import type { AgentRow } from '../state/types.js';
import { agentStateColor } from './agent-state.js';
import { scrollWindow } from './scroll-window.js';
import { textColumns, toOneLine, truncateText } from './text-fit.js';

/** What the list says when there are no agents (SPEC §3 names the command). */
export const NO_AGENTS_TEXT = 'No agents. Create one: opperator agent bootstrap NAME';

/** Marker before the selected agent (also drawn inverse). */
export const SELECTED_MARKER = '›';

/** Props of {@link AgentList}. */
export interface AgentListProps {
  /** The agents, in the order to show them. */
  agents: readonly AgentRow[];
  /** Name of the selected agent, if any. */
  selectedName?: string;
  /** Columns the list may take. */
  width: number;
  /** Rows the list may take; with more agents it scrolls to keep the selected one visible. Default: all. */
  height?: number;
}

/**
 * The agents, one row each: marker, name, state in its colour, restart count
 * (`↻2`) when there were restarts, and the description dimmed, all cut to the
 * width. The selected row is inverse with a `›`, so it reads without colour.
 *
 * @example
 * ```tsx
 * <AgentList agents={[{ name: 'invoice-monitor', description: 'Watches Gmail', state: 'running', pid: 42, restarts: 0 }]} selectedName="invoice-monitor" width={30} />
 * ```
 */
export function AgentList({ agents, selectedName, width, height }: AgentListProps): ReactNode {
  if (agents.length === 0) {
    return (
      <Box width={width} height={height} overflow="hidden">
        <Text dimColor>{NO_AGENTS_TEXT}</Text>
      </Box>
    );
  }
  const selectedIndex = agents.findIndex((agent) => agent.name === selectedName);
  const rows = height ?? agents.length;
  const window = scrollWindow(agents.map(() => 1), Math.max(0, selectedIndex), rows);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {window.hiddenAbove > 0 && <Text dimColor>↑ {window.hiddenAbove} more</Text>}
      {agents.slice(window.start, window.end).map((agent) => (
        <AgentLine key={agent.name} agent={agent} selected={agent.name === selectedName} width={width} />
      ))}
      {window.hiddenBelow > 0 && <Text dimColor>↓ {window.hiddenBelow} more</Text>}
    </Box>
  );
}

function AgentLine({ agent, selected, width }: { agent: AgentRow; selected: boolean; width: number }): ReactNode {
  const { color } = useDisplaySettings();
  const stateColor = color ? agentStateColor(agent.state) : undefined;
  const restarts = agent.restarts > 0 ? ` ↻${agent.restarts}` : '';
  // The state is what the row is for: on a narrow column the name gives way
  // first, then the description gets whatever is left.
  const tail = ` ${agent.state}${restarts}`;
  const name = truncateText(toDisplayText(agent.name), Math.max(4, width - 2 - textColumns(tail)));
  const head = `${selected ? SELECTED_MARKER : ' '} ${name}${tail}`;
  const room = width - textColumns(head) - 2;
  const description = room >= 4 && agent.description !== '' ? truncateText(toDisplayText(toOneLine(agent.description)), room) : '';
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {selected ? SELECTED_MARKER : ' '} <Text bold>{name}</Text> <Text color={stateColor}>{agent.state}</Text>
      {restarts !== '' && <Text color={color ? 'yellow' : undefined}>{restarts}</Text>}
      {description !== '' && <Text dimColor>{`  ${description}`}</Text>}
    </Text>
  );
}
