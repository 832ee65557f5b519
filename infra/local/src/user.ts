// Postgres refuses to run as root: as root, pick an unprivileged account to run it as.
import fs from 'node:fs';
import path from 'node:path';
import type { RunAs } from './process';

/** uid/gid of `name` from /etc/passwd text. */
export function lookupUser(passwd: string, name: string): RunAs | undefined {
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** undefined when not root (run as ourselves); otherwise `nobody` (or 65534). */
export function unprivilegedUser(euid = process.geteuid?.() ?? 0): RunAs | undefined {
  if (euid !== 0) return undefined;
  let passwd = '';
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    // fall through to the conventional id
  }
  return lookupUser(passwd, 'nobody') ?? { uid: 65534, gid: 65534 };
}

/** Every ancestor of `dir` that lacks the others-execute bit (so another user could not reach `dir`). */
export function untraversableAncestors(dir: string, modeOf: (p: string) => number): string[] {
  const result: string[] = [];
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    if ((modeOf(current) & 0o001) === 0) result.push(current);
    const parent = path.dirname(current);
    if (parent === current) return result;
    current = parent;
  }
}

/** Gives `runAs` ownership of `dir` (recursively) and makes the path to it traversable. */
export function handOver(dir: string, runAs: RunAs | undefined): void {
  if (!runAs) return;
  for (const ancestor of untraversableAncestors(dir, (p) => fs.statSync(p).mode)) {
    fs.chmodSync(ancestor, fs.statSync(ancestor).mode | 0o001);
  }
  const chownTree = (p: string) => {
    fs.chownSync(p, runAs.uid, runAs.gid);
    if (fs.lstatSync(p).isDirectory()) for (const entry of fs.readdirSync(p)) chownTree(path.join(p, entry));
  };
  chownTree(dir);
}
