/**
 * One temporary folder per `jest` run: every test's mkdtemp (and the app's own, via os.tmpdir())
 * lands under it, and global-teardown.ts removes it, so a run leaves nothing in /tmp.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function globalSetup(): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-grafana-analytics-jest-'));
  process.env.GRAFANA_ANALYTICS_TEST_TMP = root;
  // Workers start after this and inherit the environment; os.tmpdir() reads TMPDIR.
  process.env.TMPDIR = root;
}
