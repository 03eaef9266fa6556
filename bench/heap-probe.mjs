// Preloaded (`node --import <this file>`) into a process a benchmark measures
// (bench/live-heap.ts starts it that way): answers one-line requests on the
// Unix socket <pid>.sock in the folder OPPERATOR_BENCH_HEAP_PROBE_DIR names
// (one per process: a node child that inherits the variable, like the CLI
// that spawns the daemon, gets a socket of its own), through an in-process
// inspector session, so the process prints nothing and its code is untouched.
//
//   heap          full GC, then { usedBytes, heapTotalBytes, externalBytes, timelineEntries }
//   sample-start  starts V8's sampling heap profiler (allocations still live when it stops)
//   sample-stop   stops it: { profile } (a HeapProfiler.SamplingHeapProfile)
//
// Plain JavaScript: the measured process runs without a TypeScript loader.
import { Session } from 'node:inspector/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** V8's default: one sample per 32 KiB allocated on average. */
const SAMPLING_INTERVAL_BYTES = 32 * 1024;

const dir = process.env.OPPERATOR_BENCH_HEAP_PROBE_DIR;
if (dir) {
  const session = new Session();
  session.connect();

  const handle = async (command) => {
    switch (command) {
      case 'heap': {
        // V8's "collect all available garbage": what is left is what is reachable.
        await session.post('HeapProfiler.collectGarbage');
        const stats = getHeapStatistics();
        // Marks and measures stay in the global performance timeline until cleared: a common way to hold memory forever.
        // By type: getEntries() spreads all of them into one call, which overflows the stack past ~120,000.
        const timelineEntries = ['mark', 'measure', 'resource'].reduce((sum, type) => sum + performance.getEntriesByType(type).length, 0);
        return { usedBytes: stats.used_heap_size, heapTotalBytes: stats.total_heap_size, externalBytes: stats.external_memory, timelineEntries };
      }
      case 'sample-start':
        await session.post('HeapProfiler.enable');
        await session.post('HeapProfiler.startSampling', { samplingInterval: SAMPLING_INTERVAL_BYTES });
        return {};
      case 'sample-stop':
        return { profile: (await session.post('HeapProfiler.stopSampling')).profile };
      default:
        return { error: `unknown request ${JSON.stringify(command)}` };
    }
  };

  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const command = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 1);
        handle(command).then(
          (reply) => socket.write(`${JSON.stringify(reply)}\n`),
          (err) => socket.write(`${JSON.stringify({ error: String(err) })}\n`),
        );
      }
    });
    // The bench went away mid-request: nothing to answer.
    socket.on('error', () => socket.destroy());
  });
  // The folder is gone (the bench is over): there is no one left to answer.
  server.on('error', () => server.close());
  server.listen(join(dir, `${process.pid}.sock`));
  // Never what keeps the measured process alive.
  server.unref();
}
