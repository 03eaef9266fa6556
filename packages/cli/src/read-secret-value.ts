import { SECRET_VALUE_RULE } from '@opperator/secrets';
import { CliError } from './cli-error.js';

/** Where a secret value can come from. */
export interface ValueSources {
  stdin: NodeJS.ReadStream;
  /** Where the hidden prompt is written (stderr, so stdout stays clean for scripts). */
  promptOutput: NodeJS.WriteStream;
}

/**
 * The value for `secret set NAME [VALUE]`: the argument when given, else
 * standard input when it is piped (one trailing line break, LF or CR LF,
 * removed, as `echo` adds one; everything else kept), else a hidden prompt
 * on the terminal. Piped bytes that are not UTF-8 are refused (exit 2)
 * rather than replaced; the store refuses NUL and U+FFFD for all three
 * sources (`assertSecretValue` in @opperator/secrets).
 */
export async function readSecretValue(name: string, argument: string | undefined, sources: ValueSources): Promise<string> {
  if (argument !== undefined) return argument;
  if (!sources.stdin.isTTY) return stripOneNewline(decodeUtf8(name, await readAll(sources.stdin)));
  const { read } = await import('read');
  try {
    return await read({ prompt: `Value for ${name} (input hidden): `, silent: true, replace: '', input: sources.stdin, output: sources.promptOutput });
  } catch (err) {
    throw new CliError('usage', `No value entered for ${name}.`, { cause: err });
  }
}

async function readAll(stream: NodeJS.ReadStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The bytes as text, exactly (a leading BOM kept); a usage error when they are not UTF-8. */
function decodeUtf8(name: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    throw new CliError('usage', `The value for ${name} on standard input is not UTF-8 text, so it was not stored. ${SECRET_VALUE_RULE}.`, { cause: err });
  }
}

function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}
