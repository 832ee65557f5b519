// Finds the native binaries the servers need, and says how to install any that are missing.
import fs from 'node:fs';
import path from 'node:path';

export interface BinarySpec {
  name: string;
  /** Extra directories searched after PATH (globs of the form /usr/lib/postgresql/<version>/bin). */
  extraDirs?: (fsx: FsLike) => string[];
  install: string;
}

export interface FsLike {
  isExecutable(file: string): boolean;
  listDir(dir: string): string[];
}

export const realFs: FsLike = {
  isExecutable(file) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  },
  listDir(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/** /usr/lib/postgresql/<major>/bin, newest major first. */
export const postgresBinDirs = (fsx: FsLike): string[] =>
  fsx
    .listDir('/usr/lib/postgresql')
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => `/usr/lib/postgresql/${v}/bin`);

const pgInstall = 'apt-get install -y postgresql';
export const binarySpecs: readonly BinarySpec[] = [
  { name: 'initdb', extraDirs: postgresBinDirs, install: pgInstall },
  { name: 'postgres', extraDirs: postgresBinDirs, install: pgInstall },
  { name: 'pg_isready', extraDirs: postgresBinDirs, install: pgInstall },
  { name: 'psql', extraDirs: postgresBinDirs, install: pgInstall },
  { name: 'redis-server', install: 'apt-get install -y redis-server' },
  { name: 'java', install: 'apt-get install -y openjdk-17-jre-headless' },
];

/** Needed only as root, to run Postgres as an unprivileged user. */
export const setprivSpec: BinarySpec = { name: 'setpriv', install: 'apt-get install -y util-linux' };

export const mavenSpec: BinarySpec = { name: 'mvn', install: 'apt-get install -y maven' };

/** The edge and the lb (`pnpm stack`, e2e tests); Debian puts it in /usr/sbin, often not on a user's PATH. */
export const nginxSpec: BinarySpec = {
  name: 'nginx',
  extraDirs: () => ['/usr/sbin'],
  install: 'apt-get install -y nginx',
};

export function findBinary(spec: BinarySpec, pathEnv: string, fsx: FsLike = realFs): string | undefined {
  const dirs = [...pathEnv.split(path.delimiter).filter(Boolean), ...(spec.extraDirs?.(fsx) ?? [])];
  return dirs.map((dir) => path.join(dir, spec.name)).find((file) => fsx.isExecutable(file));
}

export function resolveBinaries(
  specs: readonly BinarySpec[],
  pathEnv: string,
  fsx: FsLike = realFs,
): { found: Record<string, string>; missing: BinarySpec[] } {
  const found: Record<string, string> = {};
  const missing: BinarySpec[] = [];
  for (const spec of specs) {
    const file = findBinary(spec, pathEnv, fsx);
    if (file) found[spec.name] = file;
    else missing.push(spec);
  }
  return { found, missing };
}

export function missingBinariesMessage(missing: readonly BinarySpec[]): string {
  const installs = [...new Set(missing.map((m) => m.install))];
  return [
    `missing binaries: ${missing.map((m) => m.name).join(', ')}`,
    'install them with:',
    ...installs.map((cmd) => `  ${cmd}`),
  ].join('\n');
}
