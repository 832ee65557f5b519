import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { services } from '@sdp/topology';
import { readComposeFile, repoRoot } from './compose-file';

// What `docker build` would find: each COPY source exists, in the build context (and not excluded
// by .dockerignore) or in the output of `turbo prune <app> --docker` that the pruner stage makes.
// An integration test, not a unit test: `turbo prune` copies whole package folders, so it must not
// run while parallel unit-test tasks write temporary files into them (the integration tier is serial).

interface Copy {
  from?: string;
  sources: string[];
}

/** The COPY instructions of a Dockerfile (line continuations joined, flags parsed). */
export function copies(dockerfile: string): Copy[] {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  return lines
    .map((line) => line.trim())
    .filter((line) => /^COPY\s/i.test(line))
    .map((line) => {
      const words = line.split(/\s+/).slice(1);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1) };
    });
}

const dockerignore = fs
  .readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

function prune(pkg: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-prune-'));
  execFileSync(path.join(repoRoot, 'node_modules/.bin/turbo'), ['prune', pkg, '--docker', '--out-dir', out], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  return out;
}

const dockerfiles = {
  service: 'infra/docker/service.Dockerfile',
  web: 'infra/docker/web.Dockerfile',
};

/** Every app the compose file builds with the service image: the services, the media origin, the WAN link. */
const serviceImageApps = (): string[] => [
  ...new Set(
    Object.values(readComposeFile().services)
      .filter((svc) => svc.build?.dockerfile === dockerfiles.service)
      .map((svc) => svc.build!.args!.APP),
  ),
];

describe('Dockerfiles', () => {
  const cases = [
    ...serviceImageApps().map((app) => [app, dockerfiles.service, `@sdp/${app}`] as const),
    ['edge (storefront)', dockerfiles.web, '@sdp/web'] as const,
  ];

  it.each(cases)('%s: every COPY source exists after turbo prune or in the context', (_name, file, pkg) => {
    const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    const out = prune(pkg);
    try {
      const missing: string[] = [];
      for (const copy of copies(text)) {
        for (const source of copy.sources) {
          if (copy.from === 'pruner') {
            if (!fs.existsSync(path.join(out, source.replace(/^\/out\/?/, ''))))
              missing.push(`pruner:${source}`);
          } else if (!copy.from) {
            if (source !== '.' && !fs.existsSync(path.join(repoRoot, source))) missing.push(source);
            if (dockerignore.includes(source)) missing.push(`${source} (in .dockerignore)`);
          }
        }
      }
      expect(missing).toEqual([]);
      // The pruned slice holds the app and the lockfile the frozen install needs.
      expect(fs.existsSync(path.join(out, 'json', 'pnpm-lock.yaml'))).toBe(true);
      const dir = pkg === '@sdp/web' ? 'apps/web' : `apps/${pkg.slice('@sdp/'.length)}`;
      expect(fs.existsSync(path.join(out, 'full', dir, 'package.json'))).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('the service image: prune, cached pnpm store, production dependencies only, non-root, HEALTHCHECK', () => {
    const text = fs.readFileSync(path.join(repoRoot, dockerfiles.service), 'utf8');
    expect(text).toContain('turbo prune @sdp/${APP} --docker');
    expect(text).toMatch(/--mount=type=cache,[^\n]*target=\/pnpm\/store/);
    expect(text).toMatch(/pnpm install --frozen-lockfile --prod/);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK /m);
    expect(text).not.toMatch(/SECRET|PASSWORD/);
  });

  it('every app the compose file builds has a dist/main.js entry the image runs', () => {
    const compose = readComposeFile();
    const apps = serviceImageApps();
    expect(apps).toEqual(
      expect.arrayContaining([...services.map((s) => s.name), 'media-origin', 'wan-link']),
    );
    for (const app of apps) {
      const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'apps', app, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      expect(pkg.scripts.start).toBe('node dist/main.js');
      expect(fs.existsSync(path.join(repoRoot, 'apps', app, 'src', 'main.ts'))).toBe(true);
    }
    for (const spec of services)
      expect(compose.services[`${spec.name}-migrate`].build?.args?.APP).toBe(spec.name);
  });

  it('.dockerignore keeps dependencies, build output and local state out of the context', () => {
    for (const entry of ['**/node_modules', '**/dist', '.infra', '.env'])
      expect(dockerignore).toContain(entry);
  });
});
