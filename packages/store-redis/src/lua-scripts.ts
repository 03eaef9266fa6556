/**
 * The compare-and-act steps of the lease and the record, each one Lua
 * script so Redis runs the comparison and the action atomically (no other
 * command runs in between). Sent with EVAL: a few hundred bytes per call,
 * and nothing to reload when a restarted Redis has forgotten its script
 * cache.
 */

/** KEYS[1] lock, ARGV[1] holder, ARGV[2] lease ms. Extends the lease when we still hold it: 1, else 0. */
export const RENEW_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** KEYS[1] lock, ARGV[1] holder. Deletes the lock when we still hold it: 1, else 0 (it expired, maybe taken since). */
export const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * KEYS[1] lock, KEYS[2] record, ARGV[1] holder, ARGV[2] record text.
 * Writes the record only while we hold the lease: 1, else 0 and nothing
 * written. This is the fence (see redis-token-store.ts).
 */
export const SET_IF_HOLDER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0`;

/** KEYS[1] lock, KEYS[2] record, ARGV[1] holder. Deletes the record only while we hold the lease: 1, else 0. */
export const DELETE_IF_HOLDER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  return 1
end
return 0`;

/**
 * KEYS[1] record, KEYS[2] where to move it, ARGV[1] the text we read. Moves
 * an unreadable record aside only if it is still that text, so a good record
 * another process saved meanwhile is never moved: 1 moved, 0 changed.
 */
export const MOVE_ASIDE_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('RENAME', KEYS[1], KEYS[2])
  return 1
end
return 0`;

/** KEYS[1] record, KEYS[2] where to move it. Moves a key that is not a string (a hash, a list) aside: 1, else 0. */
export const MOVE_ASIDE_IF_NOT_STRING = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'string' and kind ~= 'none' then
  redis.call('RENAME', KEYS[1], KEYS[2])
  return 1
end
return 0`;
