import { useEffect, useState } from 'react';
import type { SecretAccess } from './useSecretForm.js';

/** How often the missing secrets are checked again, so values set elsewhere (`opperator secret set`) show up. */
export const MISSING_SECRETS_CHECK_MS = 3_000;

/**
 * The selected agent's declared secrets that have no value, checked when the
 * selection changes and every {@link MISSING_SECRETS_CHECK_MS}.
 *
 * @example
 * ```ts
 * const missing = useMissingSecrets(secrets, 'invoice-monitor', ['invoice_monitor_gmail_client_id']);
 * ```
 */
export function useMissingSecrets(access: SecretAccess | undefined, agent: string | undefined, declared: readonly string[] | undefined): readonly string[] {
  const [missing, setMissing] = useState<readonly string[]>([]);
  const key = `${agent}:${(declared ?? []).join(',')}`;
  useEffect(() => {
    setMissing([]);
    if (!access || !agent || !declared?.length) return;
    let current = true;
    const check = () => void access.missing(declared).then((names) => current && setMissing(names), () => undefined);
    check();
    // Secrets set elsewhere (opperator secret set) show up within a few seconds.
    const timer = setInterval(check, MISSING_SECRETS_CHECK_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
    // `key` stands for agent and declared.
  }, [access, key]);
  return missing;
}
