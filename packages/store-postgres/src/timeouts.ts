import { LOCK_WAIT_TIMEOUT_MS } from '@opperator/oauth';

/**
 * Every default duration of the Postgres store, in one place.
 */

/**
 * How long a refresh lease lasts unless renewed (default of
 * `PostgresTokenStoreOptions.leaseMs`). A holder that dies frees the lock
 * within this; a live one renews it every third of it while it works.
 */
export const DEFAULT_LEASE_MS = 15_000;

/** How long a sign-in lease lasts unless renewed: a sign-in waits minutes for the user, and renews it meanwhile. */
export const DEFAULT_SIGN_IN_LEASE_MS = 60_000;

/** The shortest lease accepted: below it ordinary query latency would eat the renewal margin. */
export const MIN_LEASE_MS = 300;

/** Renewals per lease: renewing every third leaves two missed renewals of slack before the lease is lost. */
export const RENEWALS_PER_LEASE = 3;

/** Pause between attempts while another holder has the refresh lease (jittered up to twice this). */
export const DEFAULT_POLL_MS = 50;

/** Pause between attempts while another sign-in is under way (jittered up to twice this). */
export const SIGN_IN_POLL_MS = 250;

/** How long a refresh waits for a lease that its holder keeps renewing; the same as the file store's lock. */
export const REFRESH_WAIT_TIMEOUT_MS = LOCK_WAIT_TIMEOUT_MS;

/** How long opening a connection may take before the store counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 2_000;

/**
 * How long one statement may take, enforced by the server (statement_timeout)
 * and by the client (query_timeout, for a server that stopped answering).
 */
export const QUERY_TIMEOUT_MS = 5_000;

/** An idle connection is closed after this, so a quiet agent holds none open. */
export const IDLE_CONNECTION_MS = 30_000;

/**
 * Pause between attempts of a save under a lease that met an unreachable
 * server: it is tried again until the lease would have expired, since it may
 * hold a rotated refresh token that exists nowhere else.
 */
export const LEASED_SAVE_RETRY_MS = 100;
