/** True for a Node system error (it has `code`), optionally with the given code. */
export function isErrno(err: unknown, code?: string): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err && (code === undefined || err.code === code);
}
