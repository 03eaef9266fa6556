import { runCli, type RunCliOptions } from './run-cli.js';

/** The content of one section of an agent, as `opperator agent sections NAME --json` gives it ('' when absent). */
export async function sectionContent(agent: string, sectionId: string, options: RunCliOptions = {}): Promise<string> {
  const { stdout } = await runCli(['agent', 'sections', agent, '--json'], options);
  const sections = JSON.parse(stdout) as Array<{ id: string; content: string }>;
  return sections.find((section) => section.id === sectionId)?.content ?? '';
}

/**
 * Sections update themselves a moment after each change: polls until the
 * section contains `text`, and returns its content then (or the last one
 * after `timeoutMs`, for the test's assertion to show).
 *
 * @example
 * ```ts
 * expect(await waitForSection('invoice-monitor', 'oauth_gmail', '✓ Authenticated', { env })).toContain('demo@sandbox.test');
 * ```
 */
export async function waitForSection(agent: string, sectionId: string, text: string, options: RunCliOptions & { timeoutMs?: number } = {}): Promise<string> {
  const { timeoutMs = 15_000, ...cliOptions } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const content = await sectionContent(agent, sectionId, cliOptions);
    if (content.includes(text) || Date.now() > deadline) return content;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
