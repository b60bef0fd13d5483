import * as fs from 'fs';

/** Removes the run's temporary folder (global-setup.ts). */
export default function globalTeardown(): void {
  const root = process.env.GRAFANA_ANALYTICS_TEST_TMP;
  if (root) fs.rmSync(root, { recursive: true, force: true });
}
