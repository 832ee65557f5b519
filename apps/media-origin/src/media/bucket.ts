// The object store stand-in: a directory. `masters/<key>.<hash>.svg` are the uploads (immutable,
// named by content), `masters/<key>.current` names the hash the mutable alias points at, and
// `renditions/<key>.<hash>.<width>.<format>` are what the origin made from a master, once.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MediaMaster } from '@sdp/media';

export class MediaBucket {
  constructor(readonly dir: string) {}

  private master(key: string, hash: string) {
    return path.join(this.dir, 'masters', `${key}.${hash}.svg`);
  }
  private pointer(key: string) {
    return path.join(this.dir, 'masters', `${key}.current`);
  }
  rendition(key: string, hash: string, width: number, format: string): string {
    return path.join(this.dir, 'renditions', `${key}.${hash}.${width}.${format}`);
  }

  /** Uploads masters that are not there yet and points each key's alias at it; returns how many were new. */
  async upload(masters: readonly MediaMaster[]): Promise<number> {
    let added = 0;
    for (const m of masters) {
      const file = this.master(m.key, m.hash);
      if (!(await exists(file))) {
        await writeAtomically(file, m.svg);
        added++;
      }
      if ((await readOrUndefined(this.pointer(m.key)))?.toString() !== m.hash)
        await writeAtomically(this.pointer(m.key), m.hash);
    }
    return added;
  }

  /** The hash the alias of `key` points at, if the key exists. */
  async currentHash(key: string): Promise<string | undefined> {
    return (await readOrUndefined(this.pointer(key)))?.toString().trim();
  }

  async readMaster(key: string, hash: string): Promise<Buffer | undefined> {
    return readOrUndefined(this.master(key, hash));
  }

  async readRendition(file: string): Promise<Buffer | undefined> {
    return readOrUndefined(file);
  }

  async writeRendition(file: string, body: Buffer): Promise<void> {
    await writeAtomically(file, body);
  }
}

export const etagOf = (body: Buffer): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;

async function exists(file: string): Promise<boolean> {
  return (await readOrUndefined(file)) !== undefined;
}

async function readOrUndefined(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Write to a temp file, then rename: a reader sees the whole object or none (as with object storage). */
async function writeAtomically(file: string, content: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(tmp, content);
  await fs.rename(tmp, file);
}
