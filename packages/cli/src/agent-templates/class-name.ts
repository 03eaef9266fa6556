/**
 * The class name a template gives an agent: its name in PascalCase with an
 * `Agent` suffix (`mail-watch` → `MailWatchAgent`), always a valid identifier
 * even when the name starts with a digit.
 *
 * @example
 * ```ts
 * agentClassName('invoice-monitor'); // 'InvoiceMonitorAgent'
 * agentClassName('2fa');             // 'Agent2fa'
 * ```
 */
export function agentClassName(name: string): string {
  const words = name.split(/[-_]/).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1));
  const joined = words.join('') || 'My';
  return /^[A-Za-z]/.test(joined) ? `${joined}Agent` : `Agent${joined}`;
}

/**
 * A TypeScript single-quoted string literal for `text`. Template values that
 * come from the user or a remote server (issuer and userinfo URLs) go through
 * it, so they can never end the string or inject code into the agent.
 *
 * @example
 * ```ts
 * tsString("it's"); // "'it\\'s'"
 * ```
 */
export function tsString(text: string): string {
  // JSON escapes backslashes, control characters and double quotes; swap the quoting style.
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}
