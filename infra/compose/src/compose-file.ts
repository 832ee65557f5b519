// Reads docker-compose.yml the way docker compose does for the parts the checks need: YAML with
// anchors and merge keys (`<<:`), and `${VAR}`, `${VAR:-default}`, `${VAR:?message}`, `$$` interpolation.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const repoRoot = path.resolve(__dirname, '../../..');
export const composeFile = path.join(repoRoot, 'docker-compose.yml');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean>;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  restart?: string;
  logging?: { driver?: string };
  profiles?: string[];
  ports?: unknown[];
  volumes?: (string | { type?: string; source?: string })[];
  networks?: string[];
  deploy?: { replicas?: number; resources?: { limits?: { memory?: string } } };
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }>;
  volumes?: Record<string, unknown>;
}

export const readComposeFile = (file = composeFile): ComposeFile =>
  parse(fs.readFileSync(file, 'utf8'), { merge: true, maxAliasCount: 1000 }) as ComposeFile;

/** Compose's variable interpolation; a `${VAR:?message}` whose variable is unset or empty throws the message. */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, name: string | undefined, op: string | undefined, arg: string | undefined) => {
      if (match === '$$') return '$';
      const current = vars[name!];
      const empty = current === undefined || (op?.startsWith(':') && current === '');
      if (op?.endsWith('?') && empty) throw new Error(`${name}: ${arg ?? 'required'}`);
      if (op?.endsWith('-') && empty) return arg ?? '';
      return current ?? '';
    },
  );
}

/** Memory like compose writes it (`120M`, `1g`, `512m`) in MiB. */
export function mebibytes(memory: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg])b?$/i.exec(memory.trim());
  if (!m) throw new Error(`not a memory size: ${memory}`);
  const n = Number(m[1]);
  return { k: n / 1024, m: n, g: n * 1024 }[m[2].toLowerCase() as 'k' | 'm' | 'g'];
}
