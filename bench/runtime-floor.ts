/**
 * The floor of the invoke round trip: the same two transports as
 * client → daemon → agent → client (a unix socket, then a child's
 * stdin/stdout pipe) with no logic on either hop. A server in this process
 * forwards socket bytes to an echo child and the child's bytes back; the
 * client matches answers to requests by id. Nothing validates, routes or
 * records anything, so whatever the daemon and agent add shows as the ratio.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

/**
 * The echo child: a plain node script (no TypeScript loader) that writes each
 * complete line it reads back to stdout, in the order it arrived.
 */
const ECHO_SOURCE = `
let buffer = '';
process.stdin.setEncoding('utf8').on('data', (chunk) => {
  buffer += chunk;
  const end = buffer.lastIndexOf('\\n') + 1;
  if (end === 0) return;
  process.stdout.write(buffer.slice(0, end));
  buffer = buffer.slice(end);
});
`;

/** A running floor: an echo child behind a unix socket, and one bare client connected to it. */
export interface EchoFloor {
  /** The echo child's pid (for its CPU time). */
  childPid: number;
  /** Sends one request line and resolves when the same line comes back. */
  request(method: string, params: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Starts the echo child and the socket server at `socketPath`, and connects a client. */
export async function startEchoFloor(socketPath: string): Promise<EchoFloor> {
  const child = spawn(process.execPath, ['-e', ECHO_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
  let server: Server | undefined;
  let client: BareClient | undefined;
  try {
    await once(child, 'spawn');
    server = createServer((socket) => forward(socket, child.stdin, child.stdout));
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject).listen(socketPath, resolve);
    });
    client = await BareClient.connect(socketPath);
  } catch (err) {
    child.kill('SIGKILL');
    server?.close();
    throw err;
  }
  const [connected, listening] = [client, server];
  return {
    childPid: child.pid as number,
    request: (method, params) => connected.request(method, params),
    close: async () => {
      connected.close();
      await new Promise<void>((resolve) => listening.close(() => resolve()));
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.stdin.end();
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
        child.kill('SIGKILL');
      }
    },
  };
}

/** The server's whole job: bytes from the socket to the pipe, bytes from the pipe to the socket. */
function forward(socket: Socket, stdin: Writable, stdout: Readable): void {
  socket.pipe(stdin, { end: false });
  stdout.pipe(socket, { end: false });
  socket.on('error', () => socket.destroy());
  socket.once('close', () => {
    socket.unpipe(stdin);
    stdout.unpipe(socket);
  });
}

/**
 * An NDJSON client without schema validation: one `JSON.parse` per answer
 * line to read its id, which is the least any client must do.
 */
class BareClient {
  readonly #socket: Socket;
  readonly #pending = new Map<number, () => void>();
  #nextId = 1;
  #buffer = '';

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8').on('data', (chunk: string) => this.#receive(chunk));
  }

  static connect(socketPath: string): Promise<BareClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      socket.once('connect', () => resolve(new BareClient(socket)));
      socket.once('error', reject);
    });
  }

  request(method: string, params: Record<string, unknown>): Promise<void> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  close(): void {
    this.#socket.end();
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf('\n');
    while (newline !== -1) {
      const { id } = JSON.parse(this.#buffer.slice(0, newline)) as { id: number };
      this.#buffer = this.#buffer.slice(newline + 1);
      this.#pending.get(id)?.();
      this.#pending.delete(id);
      newline = this.#buffer.indexOf('\n');
    }
  }
}
