import { scopesRefusedByDeviceFlow, type OAuthClient } from '@opperator/oauth';
import type { InvokingClient } from '@opperator/protocol';
import { SdkError } from './errors.js';

/**
 * How a sign-in reaches the user:
 * - `browser`: the sign-in page opens in a browser on this machine (through the
 *   invoking client, or from the agent's own environment when nobody is attached);
 * - `paste`: the page is opened in a browser anywhere, and the user pastes the
 *   address it ends on into the client (SSH sessions, headless machines);
 * - `device`: a code typed on another device (RFC 8628).
 */
export type SignInPath = 'browser' | 'paste' | 'device';

/**
 * A sign-in waiting for the user, as the auth-status section shows it: the
 * page to open, and for the device flow the code to type there.
 *
 * @example
 * ```ts
 * const waiting: SignInUnderWay = { path: 'device', url: 'https://github.com/login/device', userCode: 'WDJB-MJHT', expiresAt: Date.now() + 900_000 };
 * ```
 */
export interface SignInUnderWay {
  path: SignInPath;
  url: string;
  userCode?: string;
  /** When the device code stops working (epoch ms). */
  expiresAt?: number;
}

/** The path a sign-in takes, and the one line that says why when it is not the obvious one. */
export interface SignInChoice {
  path: SignInPath;
  /** Where the browser opens: through the invoking client, or from the agent's environment. */
  opener: 'client' | 'agent';
  /** Said before the sign-in starts; absent when the page simply opens where the user is. */
  why?: string;
}

/** What decides the path besides the client. */
export interface SignInPathOptions {
  /** The path the user asked for (`{ "device": true }`, `{ "paste": true }`), else chosen here. */
  requested?: SignInPath | undefined;
  /** The interactive client waiting on the sign-in, when there is one. */
  waiting?: InvokingClient | undefined;
  /** Whether the agent's own environment can open a browser (`hasUsableBrowser()`); only asked when nobody is attached. */
  agentHasBrowser?: boolean;
}

/**
 * Chooses browser, paste-back or device flow: the browser where the user is
 * when one opens there; else a device code when the provider's device flow
 * takes these scopes (Google's refuses Gmail's); else paste-back when the
 * client can take an address; else the page's URL to open on this machine.
 * An explicit request wins, and is refused with the reason when it cannot work.
 *
 * @example
 * ```ts
 * const choice = await chooseSignInPath(client, { waiting: ctx.client });
 * if (choice.why) ctx.reportProgress(choice.why);
 * ```
 */
export async function chooseSignInPath(client: OAuthClient, options: SignInPathOptions = {}): Promise<SignInChoice> {
  const { waiting } = options;
  const opener = waiting ? 'client' : 'agent';
  const browserHere = waiting ? waiting.browser : options.agentHasBrowser === true;
  const label = client.provider.label ?? client.provider.name;
  const device = await deviceFlowProblem(client, label);
  switch (options.requested) {
    case 'device':
      if (device) throw new SdkError('SDK_INVALID_ARGUMENT', `${device}; sign in with the browser instead (without "device"), or with { "paste": true } from a terminal.`);
      return { path: 'device', opener };
    case 'paste':
      if (!waiting?.paste) {
        throw new SdkError('SDK_INVALID_ARGUMENT', 'Paste-back needs someone to paste the address: run the sign-in attached, in a terminal (opperator agent invoke … without --detach) or from the TUI.');
      }
      return { path: 'paste', opener };
    case 'browser':
      return { path: 'browser', opener };
    case undefined:
      break;
  }
  if (browserHere) {
    return waiting ? { path: 'browser', opener } : { path: 'browser', opener, why: "No interactive client is attached (a detached or scheduled run): opening the browser from the agent's own environment." };
  }
  const noBrowser = waiting ? 'No browser can be opened where you ran the command (no BROWSER, no display)' : "No interactive client is attached and the agent's environment has no browser (no BROWSER, no display)";
  if (!device) return { path: 'device', opener, why: `${noBrowser}; sign in with a code instead.` };
  if (waiting?.paste) return { path: 'paste', opener, why: `${noBrowser}, and ${device}: open the sign-in page in a browser on any machine, then paste the address it ends on.` };
  return { path: 'browser', opener, why: `${noBrowser}, and ${device}: open the sign-in page below in a browser on this machine.` };
}

/** Why the device flow cannot serve this sign-in, or `undefined` when it can. */
async function deviceFlowProblem(client: OAuthClient, label: string): Promise<string | undefined> {
  let endpoint: unknown;
  try {
    endpoint = (await client.getConfiguration()).serverMetadata().device_authorization_endpoint;
  } catch {
    // Discovery problems surface in the browser flow, with their own message.
    return `${label}'s device flow could not be checked`;
  }
  if (!endpoint) return `${label} offers no device flow`;
  const refused = scopesRefusedByDeviceFlow(client.provider, client.scopes);
  if (refused.length) return `${label}'s device flow does not allow ${refused.join(', ')}`;
  return undefined;
}
