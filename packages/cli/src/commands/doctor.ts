import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { keyringFix } from '@opperator/secrets';
import { AgentsFile } from '../agents-file.js';
import { CliError } from '../cli-error.js';
import { readConfig } from '../config.js';
import { openSecretStore } from './secret-context.js';

/** `opperator doctor`: checks what the product depends on and says how to fix each problem. */
export async function doctor(): Promise<void> {
  const config = readConfig();
  const store = openSecretStore();
  const status = await store.backendStatus();
  const lines = ['Secrets', `  mode:      ${status.mode}${status.mode === 'auto' ? ' (keyring when it answers, else the file)' : ' (OPPERATOR_SECRET_STORE)'}`];
  if (status.keyring.available) {
    lines.push('  keyring:   ok (service "opperator")');
  } else {
    lines.push(`  keyring:   unavailable: ${status.keyring.detail}`, `  fix:       ${keyringFix(status.keyring.reason)}`);
  }
  lines.push(
    status.selected === 'keyring'
      ? '  new secrets go to the keyring'
      : status.selected === 'file'
        ? `  new secrets go to ${status.filePath} (NOT encrypted)`
        : '  new secrets cannot be stored: OPPERATOR_SECRET_STORE=keyring and the keyring is unavailable',
  );

  lines.push('', 'Browser');
  if (config.browser) lines.push(`  BROWSER:   ${config.browser}`);
  else {
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'rundll32' : 'xdg-open';
    const found = await onPath(opener, config.searchPath);
    lines.push(found ? `  opener:    ${found}` : `  opener:    ${opener} not found: sign-in URLs will be printed for you to open (set BROWSER to a browser command to open them)`);
  }
  lines.push('', 'Providers');
  const emulated = await new AgentsFile(join(config.home, 'agents.yaml')).emulated();
  if (emulated.length === 0) lines.push('  real:      every agent signs in to the real Google, GitHub and Microsoft');
  for (const { name, emulator } of emulated) {
    lines.push(`  emulated:  ${name} → ${emulator} (OPPERATOR_EMULATE in its env in agents.yaml; remove it for the real providers)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (status.selected === 'none') throw new CliError('unavailable', 'The required keyring is unavailable (see above).');
}

async function onPath(program: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, program);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}
