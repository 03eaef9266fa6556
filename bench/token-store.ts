/**
 * Benchmark 2: `FileTokenStore.save` / `load` against plain
 * `fs.promises.writeFile` / `readFile` of the same JSON, same size, same
 * directory.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileTokenStore, type StoredTokens } from '@opperator/oauth';
import { alternate, type Comparison } from './stats.js';

/** Settings of {@link benchTokenStore}. */
export interface TokenStoreBenchOptions {
  /** Scratch directory (a temp dir, never the repository). */
  dir: string;
  /** Measured operations per side and per operation. */
  iterations: number;
  /** Operations per block; blocks alternate between the sides. */
  blockSize: number;
  /** Unmeasured operations per side first. */
  warmup: number;
}

/** Token values shaped like real ones: opaque access and refresh tokens, a JWT-sized ID token. */
function sampleTokens(): StoredTokens {
  const now = Date.now();
  return {
    issuer: 'http://127.0.0.1:43210',
    clientId: 'opperator-demo',
    tokenType: 'bearer',
    accessToken: randomBytes(32).toString('base64url'),
    refreshToken: randomBytes(32).toString('base64url'),
    idToken: [randomBytes(60), randomBytes(400), randomBytes(256)].map((part) => part.toString('base64url')).join('.'),
    scopes: ['openid', 'email', 'offline_access'],
    obtainedAt: now,
    expiresAt: now + 3_600_000,
    account: 'alice@sandbox.test',
  };
}

/** Times each call of `op` separately (microseconds) into `into`, or just runs it when `into` is absent. */
async function timeEach(count: number, op: () => Promise<unknown>, into?: number[]): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await op();
    into?.push((performance.now() - start) * 1000);
  }
}

/**
 * Measures per-operation latency of the store and of the plain fs calls, in
 * alternating blocks, and returns two comparisons (save, load) in µs.
 */
export async function benchTokenStore(options: TokenStoreBenchOptions): Promise<Comparison[]> {
  const store = new FileTokenStore(join(options.dir, 'token.json'));
  const plainPath = join(options.dir, 'plain.json');
  const tokens = sampleTokens();

  // The baseline writes exactly the bytes the store writes, so size is not a variable.
  await store.save(tokens);
  const onDisk = await readFile(store.path, 'utf8');
  const document: unknown = JSON.parse(onDisk);
  const plainWrite = () => writeFile(plainPath, `${JSON.stringify(document, null, 2)}\n`);
  const plainRead = async () => JSON.parse(await readFile(plainPath, 'utf8')) as unknown;
  await plainWrite();
  if ((await readFile(plainPath, 'utf8')) !== onDisk) throw new Error('baseline file differs from the token file');

  const blocks = Math.ceil(options.iterations / options.blockSize);
  const save: number[] = [];
  const write: number[] = [];
  const load: number[] = [];
  const read: number[] = [];

  await timeEach(options.warmup, () => store.save(tokens));
  await timeEach(options.warmup, plainWrite);
  await alternate(blocks, () => timeEach(options.blockSize, () => store.save(tokens), save), () => timeEach(options.blockSize, plainWrite, write));

  await timeEach(options.warmup, () => store.load());
  await timeEach(options.warmup, plainRead);
  await alternate(blocks, () => timeEach(options.blockSize, () => store.load(), load), () => timeEach(options.blockSize, plainRead, read));

  const bytes = Buffer.byteLength(onDisk);
  return [
    {
      name: `token file save (${bytes} B)`,
      subject: { label: 'FileTokenStore.save', values: save },
      baseline: { label: 'fs.writeFile(JSON.stringify)', values: write },
      unit: 'µs',
      note: 'save is durable: temp file, fsync, rename (plus mkdir -p and mode 0600); plain writeFile neither syncs nor renames, so a crash can leave a torn file.',
    },
    {
      name: `token file load (${bytes} B)`,
      subject: { label: 'FileTokenStore.load', values: load },
      baseline: { label: 'JSON.parse(fs.readFile)', values: read },
      unit: 'µs',
      note: 'load also validates the schema (zod) and converts ISO times to epoch ms; the baseline only parses.',
    },
  ];
}
