/**
 * Upstream data the tests read from ../shared/ beside the checkout (CRDs, the ingress-nginx
 * annotation rules): it is not copied into the project, so a checkout without it cannot run them.
 */
import * as fs from 'fs';
import * as path from 'path';

export const SHARED_DIR = path.resolve(__dirname, '..', '..', '..', 'shared');

/** Absolute path of a file under ../shared/; throws, naming what is missing, when it is not there. */
export function sharedPath(...parts: string[]): string {
  const file = path.join(SHARED_DIR, ...parts);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: the tests read upstream data from ../shared/ beside the checkout (CI lays it there); put a copy of shared/ `
      + `next to the project folder`);
  }
  return file;
}
