import { binarySpecs, findBinary, missingBinariesMessage, resolveBinaries, type FsLike } from './binaries';

const fakeFs = (files: string[], dirs: Record<string, string[]> = {}): FsLike => ({
  isExecutable: (file) => files.includes(file),
  listDir: (dir) => dirs[dir] ?? [],
});

describe('binary lookup', () => {
  const initdb = binarySpecs.find((b) => b.name === 'initdb')!;

  it('prefers PATH, in PATH order', () => {
    const fsx = fakeFs(['/a/initdb', '/b/initdb']);
    expect(findBinary(initdb, '/x:/b:/a', fsx)).toBe('/b/initdb');
  });

  it('falls back to the newest /usr/lib/postgresql/<major>/bin', () => {
    const fsx = fakeFs(['/usr/lib/postgresql/14/bin/initdb', '/usr/lib/postgresql/16/bin/initdb'], {
      '/usr/lib/postgresql': ['14', '16', 'README'],
    });
    expect(findBinary(initdb, '/usr/bin', fsx)).toBe('/usr/lib/postgresql/16/bin/initdb');
  });

  it('reports every missing binary with the command that installs it, once per package', () => {
    const { found, missing } = resolveBinaries(binarySpecs, '/usr/bin', fakeFs(['/usr/bin/java']));
    expect(found).toEqual({ java: '/usr/bin/java' });
    const message = missingBinariesMessage(missing);
    expect(message).toContain('initdb, postgres, pg_isready, psql, redis-server');
    expect(message.match(/apt-get install -y postgresql/g)).toHaveLength(1);
    expect(message).toContain('apt-get install -y redis-server');
    expect(message).not.toContain('openjdk');
  });
});
