import type { Key } from 'ink';
import { useEffect, useRef } from 'react';
import { deliverPastedAddress, MAX_PASTED_ADDRESS_LENGTH, type PasteOutcome } from '@opperator/oauth/paste-back';
import { messageOf } from '../state/client.js';
import type { PasteBackRequest } from '../views/sign-in-prompt.js';
import type { PasteFieldView } from '../views/sign-in-strip.js';
import { typeInto } from './text-input.js';
import { useSyncState } from './useSyncState.js';

/**
 * Hands a pasted address to the sign-in waiting at `redirectUri` and says
 * what came of it: `deliverPastedAddress` of `@opperator/oauth/paste-back`,
 * or a stand-in in tests.
 */
export type DeliverPastedAddress = (pasted: string, redirectUri: string, options: { signal?: AbortSignal }) => Promise<PasteOutcome>;

/** A sign-in waiting for a pasted address, with who asks. */
export interface PasteFieldRequest extends PasteBackRequest {
  /** Who is signing in, such as `invoice-monitor authorize_gmail`. */
  label?: string;
  /** Its task, when known: the field closes when that task ends. */
  taskId?: string;
}

/** The field while open. */
export interface PasteFieldState extends PasteFieldView {
  taskId?: string;
}

/** What {@link usePasteField} gives the app. */
export interface PasteFieldControl {
  field: PasteFieldState | undefined;
  /**
   * Redirect URIs of sign-ins that wait for no address any more: one was
   * accepted, or finally refused, or the sign-in ended. Their tasks keep
   * their `pasteBack` until they end; the app no longer offers `p` for them.
   */
  settled: ReadonlySet<string>;
  /** Whether the field is open now (not as of the last render). */
  isOpen(): boolean;
  /** A sign-in asks for its address: opens the field, once per sign-in (after Esc it stays hidden). */
  offer(request: PasteFieldRequest): void;
  /** Opens the field for `request` (the user asked, with p); false when that sign-in is already answered or over. */
  open(request: PasteFieldRequest): boolean;
  /** The sign-in at `redirectUri` is over (its task ended): closes its field. */
  end(redirectUri: string): void;
  /** Handles a key while open; false when closed. */
  handleKey(input: string, key: Key): boolean;
}

/** Options of {@link usePasteField}. */
export interface PasteFieldOptions {
  /** Default `deliverPastedAddress` (one GET to the agent's loopback receiver, which checks the address like any callback). */
  deliver?: DeliverPastedAddress | undefined;
  /** What came of an address once the field is gone (accepted, finally refused), for the status line. */
  onOutcome: (message: string) => void;
  /**
   * Over SSH, the `ssh -L` command that finishes a sign-in without pasting,
   * in a sentence (see `PasteFieldView.tunnel`); `undefined` when none
   * applies. Given by the CLI, which knows where the terminal runs.
   */
  tunnelHint?: ((redirectUri: string) => string | undefined) | undefined;
}

/**
 * The paste field (paste-back, the TUI's side of it): a sign-in whose page
 * was opened in a browser elsewhere waits for the address that browser
 * ended on. Pasted or typed text is visible and may be long (it arrives as
 * one burst, or several); Enter delivers it; a refusal the sign-in survives
 * (a mistyped, foreign or forged address) keeps the field open with the
 * reason and an empty input; acceptance, a final refusal or the end of the
 * sign-in closes it. Esc only hides it: the sign-in keeps waiting, and
 * {@link PasteFieldControl.open} brings it back. Over SSH (`tunnelHint`),
 * it also shows the `ssh -L` command that finishes without pasting.
 *
 * @example
 * ```ts
 * const paste = usePasteField({ onOutcome: setNotice });
 * paste.offer({ url, redirectUri, label: 'mail authorize_gmail' });
 * ```
 */
export function usePasteField(options: PasteFieldOptions): PasteFieldControl {
  const deliver = options.deliver ?? deliverPastedAddress;
  const [field, setField, currentField] = useSyncState<PasteFieldState | undefined>(undefined);
  const offered = useRef(new Set<string>());
  const [settled, setSettled, currentSettled] = useSyncState<ReadonlySet<string>>(() => new Set());
  // Aborted when the app goes: an address on its way is not waited for.
  const unmounted = useRef<AbortController | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    unmounted.current = controller;
    return () => controller.abort();
  }, []);

  // Only a hint, from the CLI: should it fail (a redirect URI it cannot read), the field still takes the address.
  const tunnelOf = (redirectUri: string): string | undefined => {
    try {
      return options.tunnelHint?.(redirectUri);
    } catch {
      return undefined;
    }
  };

  const open = (request: PasteFieldRequest): boolean => {
    if (currentSettled().has(request.redirectUri)) return false;
    offered.current.add(request.redirectUri);
    const current = currentField();
    if (current?.redirectUri === request.redirectUri) return true;
    const { url, redirectUri, label, taskId } = request;
    const tunnel = tunnelOf(redirectUri);
    setField({ url, redirectUri, text: '', ...(label ? { label } : {}), ...(taskId ? { taskId } : {}), ...(tunnel ? { tunnel } : {}) });
    return true;
  };

  const offer = (request: PasteFieldRequest) => {
    if (!offered.current.has(request.redirectUri)) open(request);
  };

  const end = (redirectUri: string) => {
    if (!currentSettled().has(redirectUri)) setSettled((previous) => new Set(previous).add(redirectUri));
    if (currentField()?.redirectUri === redirectUri) setField(undefined);
  };

  const submit = (state: PasteFieldState) => {
    const { redirectUri, text } = state;
    setField({ ...state, status: { kind: 'delivering', text: 'Delivering the address to the waiting sign-in...' } });
    deliver(text, redirectUri, unmounted.current ? { signal: unmounted.current.signal } : {})
      .catch((err: unknown): PasteOutcome => ({ accepted: false, message: messageOf(err), retry: true }))
      .then((outcome) => {
        if (unmounted.current?.signal.aborted) return;
        const shown = currentField()?.redirectUri === redirectUri ? currentField() : undefined;
        if (!outcome.accepted && outcome.retry && !currentSettled().has(redirectUri)) {
          // The sign-in still waits: ask again, with the reason, in the field if it is still open.
          if (shown) setField({ ...shown, text: '', status: { kind: 'refused', text: outcome.message } });
          else options.onOutcome(`✗ ${outcome.message} Press p to paste again.`);
          return;
        }
        end(redirectUri);
        options.onOutcome(outcome.accepted ? '✓ Address accepted.' : `✗ ${outcome.message}`);
      });
  };

  const handleKey = (input: string, key: Key): boolean => {
    const field = currentField();
    if (!field) return false;
    if (key.escape) {
      setField(undefined);
      return true;
    }
    // While an address is on its way, keys would start another: ignored.
    if (field.status?.kind === 'delivering') return true;
    const typed = typeInto(field.text, input, key);
    // Longer than any sign-in address: kept just past the limit, so the delivery says so instead of the screen filling up.
    const text = typed.text.slice(0, MAX_PASTED_ADDRESS_LENGTH + 1);
    const next: PasteFieldState = text === field.text ? field : { ...field, text, status: undefined };
    if (typed.submit) submit(next);
    else setField(next);
    return true;
  };

  return { field, settled, isOpen: () => currentField() !== undefined, offer, open, end, handleKey };
}
