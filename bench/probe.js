/**
 * Preloaded into every node process the benchmark starts (NODE_OPTIONS=--require): at exit it
 * appends the process' peak RSS and CPU time to $BENCH_PROBE_FILE, one JSON line per process.
 * Works wherever node does, unlike /usr/bin/time, and sees each process of `npx cdk8s synth`.
 */
'use strict';
const fs = require('fs');
const { isMainThread } = require('worker_threads');

const file = process.env.BENCH_PROBE_FILE;
// Worker threads inherit the preload, but the figures are per process: count them once.
if (file && isMainThread) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    fs.appendFileSync(file, `${JSON.stringify({
      pid: process.pid,
      argv: process.argv.slice(1).join(' '),
      maxRssKiB: usage.maxRSS,
      cpuMicros: usage.userCPUTime + usage.systemCPUTime,
    })}\n`);
  });
}
