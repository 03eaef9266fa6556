import { NO_AGENTS_TEXT } from './AgentList.js';
import { wrappedRows } from './text-fit.js';

/** The narrowest the left column (agents and sections) gets. */
export const MIN_LEFT_COLUMNS = 20;
/** The share of the width the left column aims for. */
export const LEFT_SHARE = 0.3;
/** The narrowest the main pane is allowed to get before the left column gives way. */
export const MIN_MAIN_COLUMNS = 20;
/** The largest share of the left column's rows the agent list takes. */
export const AGENT_LIST_SHARE = 0.4;

/**
 * Where everything goes on a `width` × `height` screen, in rows and columns.
 *
 * @example
 * ```ts
 * const sizes: LayoutSizes = layoutSizes(80, 24, 3);
 * ```
 */
export interface LayoutSizes {
  /** Rows above the status line. */
  bodyRows: number;
  /** Columns of the left column. */
  leftColumns: number;
  /** Columns of the main pane (after the one-column separator). */
  mainColumns: number;
  /** Rows of the agent list (under its header row). */
  agentRows: number;
  /** Rows of the sidebar (under its header row); may be 0 on a short screen. */
  sidebarRows: number;
}

/**
 * Splits the screen: the last row is the status line; the left column is
 * about 30% of the width (at least {@link MIN_LEFT_COLUMNS}, unless the main
 * pane would drop under {@link MIN_MAIN_COLUMNS}) and holds a header and the
 * agent list (as many rows as agents, at most 40% of the body), then a
 * header and the sidebar; a one-column rule separates the main pane.
 *
 * @example
 * ```ts
 * layoutSizes(80, 24, 3); // { bodyRows: 23, leftColumns: 24, mainColumns: 55, agentRows: 3, sidebarRows: 18 }
 * ```
 */
export function layoutSizes(width: number, height: number, agentCount: number): LayoutSizes {
  const bodyRows = Math.max(0, height - 1);
  const leftColumns = Math.max(0, Math.min(Math.max(MIN_LEFT_COLUMNS, Math.round(width * LEFT_SHARE)), width - MIN_MAIN_COLUMNS - 1));
  const mainColumns = Math.max(0, width - leftColumns - 1);
  // Without agents, the list is the "how to create one" text, in the rows Ink wraps it into.
  const wanted = agentCount === 0 ? wrappedRows(NO_AGENTS_TEXT, leftColumns) : agentCount;
  const agentRows = Math.max(0, Math.min(wanted, Math.max(1, Math.floor(bodyRows * AGENT_LIST_SHARE)), bodyRows - 1));
  const sidebarRows = Math.max(0, bodyRows - 1 - agentRows - 1);
  return { bodyRows, leftColumns, mainColumns, agentRows, sidebarRows };
}
