import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's main job, run as the README runs it (`npm run demo` with
// BROWSER="$PWD/scripts/headless-browser"), only with shorter token lifetimes
// and fewer API calls to keep CI quick.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function runDemo(args: string[]): Promise<{ code: number | null; output: string }> {
  const { DBUS_SESSION_BUS_ADDRESS: _desktopBus, OPPERATOR_HOME: _home, ...base } = process.env;
  const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], { cwd: ROOT, env: { ...base, BROWSER: `${ROOT}scripts/headless-browser` }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

describe('npm run demo (the main job)', () => {
  it('signs invoice-monitor in against the sandbox, turns the section green, and keeps API calls working across refreshes', async () => {
    const { code, output } = await runDemo(['--token-ttl', '4', '--checks', '3']);
    expect(code, output).toBe(0);
    // Before the credentials exist, the section says so and names the command.
    expect(output).toMatch(/⚠ Not Authenticated[\s\S]*opperator secret set invoice_monitor_gmail_client_id/);
    expect(output).toMatch(/Verified as demo@sandbox\.test/);
    expect(output).toMatch(/✓ Authenticated\s[\s\S]*demo@sandbox\.test/);
    expect(output).toMatch(/✓ Authenticated [\d.]+ s after the demo started/);
    const calls = [...output.matchAll(/call (\d): (\d+) unread messages; token refreshes so far: (\d+)/g)];
    expect(calls.map((m) => Number(m[2]))).toEqual([3, 3, 3]);
    // Calls one token lifetime apart: the later ones ran on refreshed tokens.
    expect(Number(calls.at(-1)![3])).toBeGreaterThanOrEqual(2);
    expect(output).not.toMatch(/The demo failed/);
    // Piped, as in `npm run demo > log`: plain text, no escape sequences (colour only on a terminal).
    expect(output).not.toContain('\u001b');
  }, 120_000);
});
