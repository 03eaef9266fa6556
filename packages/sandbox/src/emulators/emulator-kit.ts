// What the provider emulators import while they are split into their parts: each name now has its own module.
export { DeviceBook } from './device-book.js';
export { basicCredentials, bearerToken, readParams, redirect, sendErrorPage, withQuery } from './emulator-http.js';
export { randomString, stableGuid, stableNumber } from './emulator-ids.js';
export type { EmulatedCall, EmulatorClient, EmulatorSettings, Route } from './emulator-types.js';
export type { AccountSelector, Grant, IssuedAccessToken } from './grant-book.js';
export { SigningKey, atHash } from './jwt-signing.js';
export { isLoopbackHost, pkceMatches } from './oauth-rules.js';
export { ProviderEmulator } from './provider-emulator.js';
export { SignInPages, type PendingSignIn } from './sign-in-pages.js';
