#!/usr/bin/env node
/** The `grafana-analytics-usage` command (package.json `bin`; `npm run usage` in this repository). */
import { runUsageCli } from './usage-cli';

void runUsageCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
  .then(code => { process.exitCode = code; }, (e: Error) => {
    // Every expected failure has its exit code and line; this is a bug, and its stack is the report.
    process.stderr.write(`internal error, please report it: ${e.stack ?? e}\n`);
    process.exitCode = 1;
  });
