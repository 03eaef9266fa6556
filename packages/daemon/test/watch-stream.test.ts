import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SectionChange } from '../src/stores/section-store.js';
import { WATCH_WINDOW_MS, WatchStream, type WatchEvent } from '../src/watch-stream.js';

const upsert = (agent: string, id: string, content: string): WatchEvent => ({ section: { agent, section: { id, title: id, content, collapsed: false, updatedAt: 0 } } });
const removed = (agent: string, id: string): WatchEvent => ({ section: { agent, removed: id } });
const cleared = (agent: string): WatchEvent => ({ section: { agent, cleared: true } });
const task = (id: string, text: string): WatchEvent => ({ task: { id, agent: 'a', command: 'run', args: {}, state: 'running', progress: { text }, createdAt: 0, updatedAt: 0 } });

/** A stream whose batches land in `batches`. */
function collect(windowMs?: number, signal?: AbortSignal) {
  const batches: WatchEvent[][] = [];
  const stream = new WatchStream((events) => batches.push(events), { ...(windowMs === undefined ? {} : { windowMs }), ...(signal ? { signal } : {}) });
  return { stream, batches };
}

describe('WatchStream timing', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a lone change one window after it was queued', () => {
    const { stream, batches } = collect();
    stream.push(upsert('a', 'x', '1'));
    vi.advanceTimersByTime(WATCH_WINDOW_MS - 1);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([[upsert('a', 'x', '1')]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends a burst as one batch per window, counted from the first change of each', () => {
    const { stream, batches } = collect(10);
    for (let i = 1; i <= 25; i++) {
      stream.push(upsert('a', 'x', String(i)));
      vi.advanceTimersByTime(1);
    }
    vi.runOnlyPendingTimers();
    // Windows open at t=0, 10 and 20: one batch each, holding the latest content of that window.
    expect(batches).toEqual([[upsert('a', 'x', '10')], [upsert('a', 'x', '20')], [upsert('a', 'x', '25')]]);
  });

  it('cancels its timer and drops what is pending when the client goes away', () => {
    const disconnected = new AbortController();
    const { stream, batches } = collect(undefined, disconnected.signal);
    stream.push(upsert('a', 'x', '1'));
    expect(vi.getTimerCount()).toBe(1);
    disconnected.abort();
    expect(vi.getTimerCount()).toBe(0);
    expect(stream.pendingCount).toBe(0);
    stream.push(upsert('a', 'x', '2'));
    vi.runAllTimers();
    expect(batches).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('WatchStream coalescing', () => {
  it('keeps the latest upsert of a section in the place of its first one', () => {
    const { stream, batches } = collect();
    stream.push(upsert('a', 'x', '1'));
    stream.push(upsert('a', 'y', '1'));
    stream.push(upsert('b', 'x', '1'));
    stream.push(upsert('a', 'x', '2'));
    stream.flush();
    expect(batches).toEqual([[upsert('a', 'x', '2'), upsert('a', 'y', '1'), upsert('b', 'x', '1')]]);
  });

  it('drops pending upserts of a removed section and sends the removal', () => {
    const { stream, batches } = collect();
    stream.push(upsert('a', 'x', '1'));
    stream.push(upsert('a', 'y', '1'));
    stream.push(removed('a', 'x'));
    stream.push(upsert('a', 'x', '2'));
    stream.flush();
    expect(batches).toEqual([[upsert('a', 'y', '1'), removed('a', 'x'), upsert('a', 'x', '2')]]);
  });

  it('drops every pending section event of a cleared agent, not those of others', () => {
    const { stream, batches } = collect();
    stream.push(upsert('a', 'x', '1'));
    stream.push(upsert('b', 'x', '1'));
    stream.push(removed('a', 'y'));
    stream.push(task('t', 'kept'));
    stream.push(cleared('a'));
    stream.flush();
    expect(batches).toEqual([[upsert('b', 'x', '1'), task('t', 'kept'), cleared('a')]]);
  });

  it('keeps the latest record per task and the latest agent rows', () => {
    const { stream, batches } = collect();
    stream.push({ agents: [{ name: 'a', state: 'starting' }] });
    stream.push(task('t1', '1'));
    stream.push(task('t2', '1'));
    stream.push(task('t1', '2'));
    stream.push({ agents: [{ name: 'a', state: 'running' }] });
    stream.flush();
    expect(batches).toEqual([[{ agents: [{ name: 'a', state: 'running' }] }, task('t1', '2'), task('t2', '1')]]);
  });

  it('never sends an empty batch', () => {
    const { stream, batches } = collect();
    stream.flush();
    expect(batches).toEqual([]);
  });
});

// What a client keeps, reduced the way the TUI does it: sections listed in the
// order they first appeared, tasks by id, the latest agent rows.
interface ClientState {
  agents: readonly unknown[] | undefined;
  sections: Record<string, Array<{ id: string; content: string }>>;
  tasks: Record<string, unknown>;
}

function apply(state: ClientState, event: WatchEvent): ClientState {
  if ('agents' in event) return { ...state, agents: event.agents };
  if ('task' in event) return { ...state, tasks: { ...state.tasks, [event.task.id]: event.task.progress } };
  const change: SectionChange = event.section;
  const current = state.sections[change.agent] ?? [];
  let next: Array<{ id: string; content: string }>;
  if ('section' in change) {
    const row = { id: change.section.id, content: change.section.content };
    const index = current.findIndex((s) => s.id === row.id);
    next = index < 0 ? [...current, row] : current.map((s, i) => (i === index ? row : s));
  } else if ('removed' in change) {
    next = current.filter((s) => s.id !== change.removed);
  } else {
    next = [];
  }
  return { ...state, sections: { ...state.sections, [change.agent]: next } };
}

// mulberry32: a tiny seeded generator, so a failure replays exactly.
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomEvent(random: () => number, serial: number): WatchEvent {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const agent = pick(['a', 'b']);
  const roll = random();
  if (roll < 0.55) return upsert(agent, pick(['x', 'y', 'z']), String(serial));
  if (roll < 0.7) return removed(agent, pick(['x', 'y', 'z']));
  if (roll < 0.75) return cleared(agent);
  if (roll < 0.9) return task(pick(['t1', 't2', 't3']), String(serial));
  return { agents: [{ name: agent, serial }] };
}

describe('WatchStream final state', () => {
  it('leads a client to the same state as every original event would, over random sequences', () => {
    const random = seeded(20_240_611);
    const empty: ClientState = { agents: undefined, sections: {}, tasks: {} };
    let originals = 0;
    let sent = 0;
    for (let run = 0; run < 500; run++) {
      // What the client already had before this stretch of events.
      let before = empty;
      for (let i = 0; i < Math.floor(random() * 10); i++) before = apply(before, randomEvent(random, -i));
      const { stream, batches } = collect();
      let expected = before;
      const length = 1 + Math.floor(random() * 60);
      for (let i = 0; i < length; i++) {
        const event = randomEvent(random, i);
        expected = apply(expected, event);
        stream.push(event);
        if (random() < 0.1) stream.flush(); // a window ends somewhere in the sequence
      }
      stream.flush();
      stream.close();
      const flushed = batches.flat();
      expect(flushed.reduce(apply, before), `run ${run}`).toEqual(expected);
      originals += length;
      sent += flushed.length;
    }
    expect(sent).toBeLessThan(originals);
  });
});
