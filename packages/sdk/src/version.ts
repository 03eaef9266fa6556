/**
 * This SDK's version, as announced in the `ready` message (`@opperator/sdk@<version>`).
 * Kept equal to package.json's by a test.
 *
 * @example
 * ```ts
 * console.log(`built on @opperator/sdk ${SDK_VERSION}`);
 * ```
 */
export const SDK_VERSION = '0.1.0';
