import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { PROC_TICKS_PER_SECOND, ProcessUsageSampler } from '../../src/supervisor/process-usage.js';

// A fake /proc: uptime, and per process a stat line (pgrp, CPU ticks, start time) and a status with VmRSS.
let proc: TempDir;
beforeEach(async () => {
  proc = await makeTempDir('opperator-proc-');
});
afterEach(async () => {
  await proc.remove();
});

async function writeProcess(pid: number, options: { pgrp: number; ticks: number; startTicks: number; rssKb: number; state?: string; command?: string }): Promise<void> {
  await mkdir(join(proc.path, String(pid)), { recursive: true });
  // Fields 3..22 of proc(5) after "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itreal starttime
  const utime = Math.floor(options.ticks / 2);
  const fields = [options.state ?? 'S', 1, options.pgrp, options.pgrp, 0, -1, 0, 0, 0, 0, 0, utime, options.ticks - utime, 0, 0, 20, 0, 1, 0, options.startTicks];
  await writeFile(join(proc.path, String(pid), 'stat'), `${pid} (${options.command ?? 'node'}) ${fields.join(' ')} 0 0\n`);
  await writeFile(join(proc.path, String(pid), 'status'), `Name:\tnode\nVmRSS:\t  ${options.rssKb} kB\n`);
}
const setUptime = (seconds: number) => writeFile(join(proc.path, 'uptime'), `${seconds} 123.0\n`);

describe('ProcessUsageSampler', () => {
  it('sums a group (leader and helpers, not zombies nor other groups); the first CPU figure covers the run, later ones the time since the last', async () => {
    let now = 1_000_000;
    const sampler = new ProcessUsageSampler({ procRoot: proc.path, now: () => now });
    // The leader started 100 s ago (at 900 s of uptime) and used 10 s of CPU with its helper: 10 %.
    await setUptime(1_000);
    await writeProcess(100, { pgrp: 100, ticks: 8 * PROC_TICKS_PER_SECOND, startTicks: 900 * PROC_TICKS_PER_SECOND, rssKb: 40_000, command: 'node (agent) x' });
    await writeProcess(101, { pgrp: 100, ticks: 2 * PROC_TICKS_PER_SECOND, startTicks: 950 * PROC_TICKS_PER_SECOND, rssKb: 10_000 });
    await writeProcess(102, { pgrp: 100, ticks: 50 * PROC_TICKS_PER_SECOND, startTicks: 950 * PROC_TICKS_PER_SECOND, rssKb: 0, state: 'Z' });
    await writeProcess(200, { pgrp: 200, ticks: 500, startTicks: 10, rssKb: 99_999 });
    expect(sampler.sample([100])).toEqual(new Map([[100, { cpuPercent: 10, memoryBytes: 50_000 * 1024 }]]));

    // 2 s later it used 1 s more: 50 %.
    now += 2_000;
    await writeProcess(100, { pgrp: 100, ticks: 9 * PROC_TICKS_PER_SECOND, startTicks: 900 * PROC_TICKS_PER_SECOND, rssKb: 40_000 });
    expect(sampler.sample([100]).get(100)?.cpuPercent).toBe(50);
    // Asked again within MIN_CPU_WINDOW_MS: the same figure, not a noisy one.
    now += 100;
    await writeProcess(100, { pgrp: 100, ticks: 9 * PROC_TICKS_PER_SECOND + 10, startTicks: 900 * PROC_TICKS_PER_SECOND, rssKb: 40_000 });
    expect(sampler.sample([100]).get(100)?.cpuPercent).toBe(50);
  });

  it('treats a reused pid as a new run, and leaves out groups without their leader or without /proc', async () => {
    let now = 1_000_000;
    const sampler = new ProcessUsageSampler({ procRoot: proc.path, now: () => now });
    await setUptime(1_000);
    await writeProcess(100, { pgrp: 100, ticks: 10 * PROC_TICKS_PER_SECOND, startTicks: 900 * PROC_TICKS_PER_SECOND, rssKb: 1 });
    sampler.sample([100]);
    now += 5_000;
    // Another process with the same pid, started 4 s ago, used 1 s: 25 % over its own life.
    await writeProcess(100, { pgrp: 100, ticks: 1 * PROC_TICKS_PER_SECOND, startTicks: 996 * PROC_TICKS_PER_SECOND, rssKb: 1 });
    expect(sampler.sample([100]).get(100)?.cpuPercent).toBe(25);
    // Only a helper of group 300 is left: nothing to report for it.
    await writeProcess(301, { pgrp: 300, ticks: 1, startTicks: 1, rssKb: 1 });
    expect(sampler.sample([300]).has(300)).toBe(false);
    expect(new ProcessUsageSampler({ procRoot: join(proc.path, 'missing') }).sample([100]).size).toBe(0);
  });
});
