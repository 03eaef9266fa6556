import { CliError } from './cli-error.js';

/** Where a secret value can come from. */
export interface ValueSources {
  stdin: NodeJS.ReadStream;
  /** Where the hidden prompt is written (stderr, so stdout stays clean for scripts). */
  promptOutput: NodeJS.WriteStream;
}

/**
 * The value for `secret set NAME [VALUE]`: the argument when given, else
 * standard input when it is piped (one trailing newline removed, as `echo`
 * adds one), else a hidden prompt on the terminal.
 */
export async function readSecretValue(name: string, argument: string | undefined, sources: ValueSources): Promise<string> {
  if (argument !== undefined) return argument;
  if (!sources.stdin.isTTY) return stripOneNewline(await readAll(sources.stdin));
  const { read } = await import('read');
  try {
    return await read({ prompt: `Value for ${name} (input hidden): `, silent: true, replace: '', input: sources.stdin, output: sources.promptOutput });
  } catch (err) {
    throw new CliError('usage', `No value entered for ${name}.`, { cause: err });
  }
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}
