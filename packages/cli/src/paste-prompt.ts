import { createInterface, type Interface } from 'node:readline/promises';
import { deliverPastedAddress, type PasteOutcome } from '@opperator/oauth/paste-back';
import type { CliConfig } from './config.js';
import { toTerminalText } from './terminal-text.js';

/** A sign-in waiting for the address its browser ended on (a progress message's `pasteBack`). */
export interface PasteBackRequest {
  url: string;
  redirectUri: string;
}

/** Options of {@link PastePrompt}. */
export interface PastePromptOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Where the terminal runs: over SSH, the `ssh -L` alternative is shown. */
  config: Pick<CliConfig, 'ssh' | 'sshServer' | 'user'>;
  /** Delivers a pasted address; default {@link deliverPastedAddress}. */
  deliver?: (pasted: string, redirectUri: string, signal: AbortSignal) => Promise<PasteOutcome>;
}

/**
 * The CLI's side of paste-back: asks for the address the browser ended on,
 * delivers it to the agent's loopback receiver (which checks it like any
 * callback), and asks again after a mistyped or foreign address. Closed when
 * the command ends, whichever way it ends (the user may also finish through
 * an `ssh -L` tunnel, with nothing to paste).
 *
 * @example
 * ```ts
 * const prompt = new PastePrompt({ input: process.stdin, output: process.stderr, config });
 * prompt.ask({ url, redirectUri });
 * // ... when the command's result arrives:
 * prompt.close();
 * ```
 */
export class PastePrompt {
  readonly #options: PastePromptOptions;
  readonly #stop = new AbortController();
  #asked: string | undefined;
  #readline: Interface | undefined;
  /** An address being delivered: its answer is still worth showing when the command ends meanwhile. */
  #delivering: Promise<void> | undefined;

  constructor(options: PastePromptOptions) {
    this.#options = options;
  }

  /** Starts asking for the address of `request`; once per sign-in (the same receiver asks only once). */
  ask(request: PasteBackRequest): void {
    if (this.#asked === request.redirectUri || this.#stop.signal.aborted) return;
    this.#asked = request.redirectUri;
    const hint = tunnelHint(request.redirectUri, this.#options.config);
    if (hint) this.#options.output.write(`${hint}\n`);
    void this.#loop(request.redirectUri);
  }

  /**
   * Stops asking, after letting an address already on its way be answered
   * (the command's result can arrive before the receiver's reply); safe to
   * call more than once.
   */
  async close(): Promise<void> {
    this.#stopReading();
    await this.#delivering;
  }

  #stopReading(): void {
    this.#stop.abort();
    this.#readline?.close();
    this.#readline = undefined;
  }

  async #loop(redirectUri: string): Promise<void> {
    const deliver = this.#options.deliver ?? ((pasted, uri, signal) => deliverPastedAddress(pasted, uri, { signal }));
    this.#readline ??= createInterface({ input: this.#options.input, output: this.#options.output });
    const readline = this.#readline;
    // Readline takes Ctrl-C from the terminal; it must still end the command as it does everywhere else.
    readline.once('SIGINT', () => {
      this.#stopReading();
      process.kill(process.pid, 'SIGINT');
    });
    // The input ending (Ctrl-D, a closed pipe) ends the asking, not the sign-in.
    readline.once('close', () => this.#stop.abort());
    const write = (text: string) => this.#options.output.write(`${text}\n`);
    while (!this.#stop.signal.aborted) {
      let line: string;
      try {
        line = await readline.question('Paste the address here and press Enter: ', { signal: this.#stop.signal });
      } catch {
        return; // Closed or aborted: the command has ended, or the input has.
      }
      if (!line.trim()) continue;
      // Not aborted by close(): the receiver answers once the code exchange is done, which bounds the wait.
      const delivery = deliver(line, redirectUri, new AbortController().signal).then((outcome) => {
        write(outcome.accepted ? '✓ Address accepted; the sign-in goes on.' : `✗ ${toTerminalText(outcome.message)}`);
        return !outcome.accepted && outcome.retry;
      });
      this.#delivering = delivery.then(() => undefined);
      const retry = await delivery;
      this.#delivering = undefined;
      if (!retry) {
        this.#stopReading();
        return;
      }
    }
  }
}

/**
 * Over SSH, the command that makes the agent's loopback receiver reachable
 * from the user's own computer, so a browser there completes the sign-in
 * with nothing to paste.
 *
 * @example
 * ```ts
 * tunnelHint('http://127.0.0.1:8765/callback', { ssh: true, sshServer: { address: '10.0.0.5', port: 22 }, user: 'ana' });
 * // "Or finish without pasting: on your own computer run  ssh -N -L 8765:127.0.0.1:8765 ana@10.0.0.5  and open the page there, while this sign-in waits."
 * ```
 */
export function tunnelHint(redirectUri: string, config: Pick<CliConfig, 'ssh' | 'sshServer' | 'user'>): string | undefined {
  if (!config.ssh) return undefined;
  const port = new URL(redirectUri).port;
  const host = config.sshServer?.address ?? '<this-host>';
  const target = config.user ? `${config.user}@${host}` : host;
  const sshPort = config.sshServer && config.sshServer.port !== 22 ? ` -p ${config.sshServer.port}` : '';
  return `Or finish without pasting: on your own computer run  ssh -N -L ${port}:127.0.0.1:${port}${sshPort} ${target}  and open the page there, while this sign-in waits.`;
}
