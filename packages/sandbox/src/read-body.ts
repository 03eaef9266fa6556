import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body as UTF-8 text, refusing (and dropping the
 * connection) past `maxBytes`: the sandbox's forms and admin calls are tiny.
 *
 * @example
 * ```ts
 * const form = new URLSearchParams(await readBody(req, 16 * 1024));
 * ```
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Error(`the request body is larger than ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
