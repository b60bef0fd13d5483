/** Staging folders named after the run that made them, so a later run can tell a dead run's from a live one's. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { lstatOrUndefined } from './output-folder';

/**
 * Who made a staging folder: pid, the process' start time and the boot, so a pid the system has
 * reused since is not taken for the owner. Linux /proc; elsewhere the pid alone.
 */
function ownerTag(pid: number): string {
  return `${pid}-${processStart(pid) ?? 0}-${bootId() ?? 0}`;
}

function processStart(pid: number): string | undefined {
  try {
    // The command name (field 2) may hold spaces and ')': the fields after the last ')' are fixed.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.substring(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let boot: string | undefined | null = null;
function bootId(): string | undefined {
  if (boot === null) {
    try {
      boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/[^0-9a-f]/g, '').substring(0, 12);
    } catch {
      boot = undefined;
    }
  }
  return boot;
}

function ownerAlive(pid: number, start: string, bootOfOwner: string): boolean {
  if (bootOfOwner !== String(bootId() ?? 0)) return false;
  if (start !== '0') return processStart(pid) === start;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cleans up after runs that are over (killed by SIGKILL, SIGINT, SIGTERM, a power cut; a run
 * leaves nothing behind when it ends by itself): removes their staging folders, and puts back a
 * previous output one of them had moved aside when it was killed between its two renames. A live
 * run's folders stay. Returns the names of the folders removed or put back.
 */
export function removeStaleStagingFolders(target: string): string[] {
  const dir = path.dirname(target);
  const base = path.basename(target);
  const done: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return done;
  }
  for (const entry of entries) {
    if (!entry.startsWith(`${base}.`)) continue;
    const owner = /^\.(staging|previous)-([0-9]+)-([0-9]+)-([0-9a-f]+)-[0-9a-f]{8}$/.exec(entry.substring(base.length));
    if (!owner || ownerAlive(Number(owner[2]), owner[3], owner[4])) continue;
    if (owner[1] === 'previous' && !lstatOrUndefined(target)) fs.renameSync(path.join(dir, entry), target);
    else fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    done.push(entry);
  }
  return done;
}

/** A fresh name `<target>.<kind>-<owner>-<random>` beside `target` (see `ownerTag`). */
export function stagingName(target: string, kind: 'staging' | 'previous'): string {
  return `${target}.${kind}-${ownerTag(process.pid)}-${crypto.randomBytes(4).toString('hex')}`;
}
