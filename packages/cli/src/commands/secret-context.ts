import { SecretStore, type FileFallbackNotice } from '@opperator/secrets';
import { readConfig } from '../config.js';

/** The secret store as the CLI configures it, warning on stderr before anything goes into the unencrypted file. */
export function openSecretStore(options: { onFileFallback?: (notice: FileFallbackNotice) => void } = {}): SecretStore {
  const config = readConfig();
  return new SecretStore({
    dir: config.paths.secretsDir,
    mode: config.secretStoreMode,
    dbusSessionBusAddress: config.dbusSessionBusAddress,
    onFileFallback: options.onFileFallback ?? ((notice) => void process.stderr.write(describeFileFallback(notice))),
  });
}

/** The warning printed before a value is written to the file store. */
export function describeFileFallback(notice: FileFallbackNotice): string {
  if (notice.chosen) {
    return notice.firstValue ? `opperator: note: storing secrets in ${notice.path}, NOT encrypted (mode 0600), as OPPERATOR_SECRET_STORE=file asks.\n` : '';
  }
  if (!notice.firstValue) return `opperator: warning: storing in ${notice.path} (NOT encrypted), because ${notice.reason}.\n`;
  return [
    `opperator: warning: secrets will be stored NOT ENCRYPTED in ${notice.path}`,
    '  (mode 0600: readable by your user account and by root, and by anything running as you).',
    `  Why: ${notice.reason}.`,
    ...(notice.fix ? [`  To use the keyring: ${notice.fix}; then set the secret again to move it there.`] : []),
    '  To choose the file store on purpose (and silence this warning): export OPPERATOR_SECRET_STORE=file',
    '',
  ].join('\n');
}
