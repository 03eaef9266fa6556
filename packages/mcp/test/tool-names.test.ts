import { describe, expect, it } from 'vitest';
import { isExposedCommand } from '../src/command-catalog.js';
import { parseSince } from '../src/log-since.js';
import { commandToolName, MAX_TOOL_NAME_LENGTH } from '../src/tool-names.js';

describe('commandToolName', () => {
  it('is <agent>__<command> when that is a valid MCP tool name', () => {
    expect(commandToolName('mail', 'check_now', new Set())).toBe('mail__check_now');
  });

  it('replaces characters MCP does not allow, and stays within the length limit with a stable suffix', () => {
    expect(commandToolName('mail', 'check now!', new Set())).toBe('mail__check_now_');
    const long = commandToolName('a'.repeat(60), 'b'.repeat(60), new Set());
    expect(long).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(long).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(commandToolName('a'.repeat(60), 'b'.repeat(60), new Set())).toBe(long);
  });

  it('gives a different name when the plain one is taken (two pairs joining alike, a built-in tool)', () => {
    const first = commandToolName('a__b', 'c', new Set());
    const second = commandToolName('a', 'b__c', new Set([first]));
    expect(first).toBe('a__b__c');
    expect(second).not.toBe(first);
    expect(second).toMatch(/^a__b__c_[0-9a-f]{8}$/);
  });
});

describe('isExposedCommand', () => {
  it('keeps hidden commands and every oauth_token_* command away from MCP', () => {
    expect(isExposedCommand({ name: 'check_now' })).toBe(true);
    expect(isExposedCommand({ name: 'authorize_gmail' })).toBe(true);
    expect(isExposedCommand({ name: 'oauth_status_gmail', hidden: true })).toBe(false);
    expect(isExposedCommand({ name: 'oauth_token_gmail' })).toBe(false);
  });
});

describe('parseSince', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('reads durations back from now and ISO dates, and nothing else', () => {
    expect(parseSince('10m', now)).toBe(Date.parse('2026-01-01T11:50:00Z'));
    expect(parseSince('1d', now)).toBe(Date.parse('2025-12-31T12:00:00Z'));
    expect(parseSince('2026-01-01T09:00:00Z', now)).toBe(Date.parse('2026-01-01T09:00:00Z'));
    expect(parseSince('yesterday', now)).toBeUndefined();
    expect(parseSince('1', now)).toBeUndefined();
  });
});
