import { createConnection, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';

/** A response of the daemon, as read raw off the control socket. */
export type RawResponse = { type: 'response'; id: string | number; ok: true; result: unknown } | { type: 'response'; id: string | number; ok: false; error: { code?: string; message: string } };

/** How long a test waits for one answer before calling it hung. */
export const ANSWER_TIMEOUT_MS = 10_000;

/**
 * A raw client of the control socket for tests: requests by hand, lines
 * exactly as sent (hostile ones too), and every event and response kept.
 */
export class RawControlClient {
  readonly socket: Socket;
  readonly events: Array<{ id: string | number; event: Record<string, unknown> }> = [];
  readonly #waiting = new Map<string | number, (response: RawResponse) => void>();
  #buffer = '';
  #next = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (let newline = this.#buffer.indexOf('\n'); newline !== -1; newline = this.#buffer.indexOf('\n')) {
        const message = JSON.parse(this.#buffer.slice(0, newline)) as RawResponse | { type: 'event'; id: string | number; event: Record<string, unknown> };
        this.#buffer = this.#buffer.slice(newline + 1);
        if (message.type === 'event') this.events.push(message);
        else {
          this.#waiting.get(message.id)?.(message);
          this.#waiting.delete(message.id);
        }
      }
    });
    socket.on('error', () => undefined); // the test sees a closed socket through its pending requests timing out
  }

  static connect(socketPath: string): Promise<RawControlClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(socketPath, () => resolve(new RawControlClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Waits for the response to `id` (sent before or after). */
  answer(id: string | number, timeoutMs = ANSWER_TIMEOUT_MS): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(id)} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiting.set(id, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  /** Sends a raw line (a newline is added) and waits for the response to `id`. */
  async sendRaw(line: string, id: string | number, timeoutMs?: number): Promise<RawResponse> {
    const answered = this.answer(id, timeoutMs);
    this.socket.write(`${line}\n`);
    return answered;
  }

  request(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<RawResponse> {
    const id = `r${this.#next++}`;
    return this.sendRaw(JSON.stringify({ id, method, ...(params ? { params } : {}) }), id, timeoutMs);
  }

  /** Sends a request whose response comes later (watch, follow); returns its id. */
  start(method: string, params?: Record<string, unknown>): string {
    const id = `s${this.#next++}`;
    this.socket.write(`${JSON.stringify({ id, method, ...(params ? { params } : {}) })}\n`);
    return id;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Whether a process is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A process's resident memory, in MiB (Linux). */
export async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** `[[[...]]]`, `depth` levels, as raw JSON text. */
export const nestedJson = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
