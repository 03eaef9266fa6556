import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileTokenStore, openTokenStore, redactStoreLocation, type TokenStore } from '@opperator/oauth';
import type { UseOAuthOptions } from './use-oauth-options.js';

/** What the store choice needs of the agent. */
export interface StoreHost {
  readonly agentName: string;
  readonly agentDir: string;
  /** `token_store` from agents.yaml (`Agent.tokenStoreLocation`). */
  readonly tokenStoreLocation?: string | undefined;
}

/** Where one sign-in's tokens live: the store (opened on first use) and how to name it before it is open. */
export interface SignInStore {
  /** The store, opened once; a failure (a store package not installed) is retried at the next use. */
  open(): Promise<TokenStore>;
  /** The token file's path for a file store, else undefined. */
  readonly filePath: string | undefined;
  /** Shown before the store is open: the path, or the location without credentials. */
  readonly label: string;
}

/**
 * Chooses where a `useOAuth` sign-in keeps its tokens, most specific first:
 * the agent's `store` (a `TokenStore`, or a location for `openTokenStore`),
 * its `tokenFile`, then `token_store` from agents.yaml, else `token.json` in
 * the agent folder. A location in agents.yaml is shared by every sign-in of
 * the agent (and often every agent): a path there is a folder holding one
 * `<agent>.<name>.json` per sign-in, and a shared store's record key is
 * `opperator/<agent>/<name>` unless `storeKey` says otherwise, so copies of an
 * agent on several hosts meet on the same record.
 */
export function chooseSignInStore(host: StoreHost, options: Pick<UseOAuthOptions, 'name' | 'store' | 'storeKey' | 'tokenFile'>): SignInStore {
  const key = options.storeKey ?? `opperator/${host.agentName}/${options.name}`;
  if (options.store !== undefined && typeof options.store !== 'string') {
    const store = options.store;
    return { open: async () => store, filePath: store instanceof FileTokenStore ? store.description : undefined, label: store.description };
  }
  const fromYaml = options.store === undefined && options.tokenFile === undefined ? host.tokenStoreLocation : undefined;
  const location = options.store ?? options.tokenFile ?? (fromYaml && isPath(fromYaml) ? join(inAgentDir(host, fromYaml), `${host.agentName}.${options.name}.json`) : fromYaml) ?? 'token.json';
  if (isPath(location)) {
    const path = inAgentDir(host, location);
    const store = new FileTokenStore(path);
    return { open: async () => store, filePath: path, label: path };
  }
  let opening: Promise<TokenStore> | undefined;
  return {
    open: () => {
      opening ??= openTokenStore(location, { key, resolveFrom: host.agentDir }).catch((err: unknown) => {
        opening = undefined;
        throw err;
      });
      return opening;
    },
    filePath: undefined,
    label: `${redactStoreLocation(location)} key ${key}`,
  };
}

function isPath(location: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(location.trim()) || /^file:/i.test(location.trim());
}

function inAgentDir(host: StoreHost, path: string): string {
  const plain = /^file:/i.test(path.trim()) ? fileURLToPath(path.trim()) : path;
  return isAbsolute(plain) ? plain : join(host.agentDir, plain);
}
