import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { TestBrowser } from '@opperator/testing';
import { MemoryTokenStore, OAuthClient, emulateProvider, type DeviceUserCode, type OAuthClientOptions, type OAuthProvider } from '../src/index.js';

// The product against the sandbox's emulators of the real providers: the
// presets as shipped, made to talk to the emulator by emulateProvider() only.
// Nothing is faked: real HTTP, real Chromium on the emulators' pages.

/** A sandbox emulating one provider, a Chromium, and clients against it. */
export interface EmulatorRig {
  server: RunningAuthorizationServer;
  browser: TestBrowser;
  /** The preset, routed to the emulator. */
  provider: OAuthProvider;
  confidential: SandboxClient;
  publicClient: SandboxClient;
  /** A client with a memory store; `clock.offsetMs` moves its time forward. */
  client(options: Partial<OAuthClientOptions> & { clientId: string }): { client: OAuthClient; store: MemoryTokenStore; clock: { offsetMs: number } };
  /** Signs in through the loopback flow, Chromium typing `login` on the emulator's pages. */
  signIn(client: OAuthClient, login: string): Promise<void>;
  /** Signs in through the device flow, Chromium entering the code on the emulator's page. */
  signInWithDevice(client: OAuthClient, login: string, decision?: 'approve' | 'deny'): Promise<{ shown: DeviceUserCode }>;
  close(): Promise<void>;
}

/** Starts a sandbox emulating `name`, with `preset` routed to it. */
export async function startEmulatorRig(name: 'github' | 'google' | 'microsoft', preset: OAuthProvider): Promise<EmulatorRig> {
  const [server, browser] = await Promise.all([startAuthorizationServer({ emulate: [name], devicePollIntervalSeconds: 1 }), TestBrowser.launch()]);
  const [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
  const provider = emulateProvider(preset, server.issuer);
  return {
    server,
    browser,
    provider,
    confidential,
    publicClient,
    client(options) {
      const store = new MemoryTokenStore();
      const clock = { offsetMs: 0 };
      const client = new OAuthClient({ provider, store, now: () => Date.now() + clock.offsetMs, retry: { baseDelayMs: 10, maxDelayMs: 50 }, ...options });
      return { client, store, clock };
    },
    async signIn(client, login) {
      let landed: Promise<unknown> = Promise.resolve();
      await client.authorize({
        timeoutMs: 30_000,
        openBrowser: (url) => {
          landed = browser.signIn(url, { login });
        },
      });
      await landed;
    },
    async signInWithDevice(client, login, decision = 'approve') {
      let shown: DeviceUserCode | undefined;
      let typed: Promise<unknown> = Promise.resolve();
      try {
        await client.authorizeWithDevice({
          onUserCode: (code) => {
            shown = code;
            typed = browser.completeDeviceFlow(code.verificationUri, code.userCode, { login, decision });
          },
        });
      } finally {
        await typed;
      }
      return { shown: shown! };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
