import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cdn, services } from '@sdp/topology';
import { repoRoot } from './compose-file';
import { edgeTemplateName, renderAll } from './render';

// `nginx -t` on the configs compose mounts. nginx resolves upstream host names when it loads a
// config, so the test runs it in a private mount namespace (unshare -m as root; unshare -rm, a user
// namespace, otherwise) where a temporary
// /etc/hosts maps the compose service names, /etc/passwd knows the image's `nginx` user and a tmpfs
// stands in for /var/cache/nginx. Nothing outside the namespace changes.
const NGINX = '/usr/sbin/nginx';
const isRoot = process.getuid?.() === 0;
// In a user namespace only our own uid maps (to 0): the image's nginx user becomes uid 0 there, so
// nginx -t can chown its temp directories.
const nginxUid = isRoot ? 101 : 0;
const STATE_DIRS = [
  '/var/cache/nginx/sdp-lb/temp',
  '/var/cache/nginx/sdp-edge/temp',
  '/var/cache/nginx/sdp-shield/temp',
];
/** Every compose name the configs reach: the services and the CDN's nodes. */
const hostNames = [
  ...services.map((s) => s.name),
  cdn.mediaOrigin.name,
  cdn.shield.name,
  ...cdn.regions.flatMap((r) => (r.link ? [r.link.name] : [])),
];

function nginxTest(confText: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-compose-nginx-'));
  try {
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, confText);
    const hosts = hostNames.map((name) => `127.0.0.1 ${name}`).join('\n');
    fs.writeFileSync(path.join(dir, 'hosts'), `${fs.readFileSync('/etc/hosts', 'utf8')}\n${hosts}\n`);
    fs.writeFileSync(
      path.join(dir, 'passwd'),
      `${fs.readFileSync('/etc/passwd', 'utf8')}nginx:x:${nginxUid}:${nginxUid}:nginx:/nonexistent:/bin/false\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'group'),
      `${fs.readFileSync('/etc/group', 'utf8')}nginx:x:${nginxUid}:\n`,
    );
    const script = [
      'set -e',
      `mount --bind ${dir}/hosts /etc/hosts`,
      `mount --bind ${dir}/passwd /etc/passwd`,
      `mount --bind ${dir}/group /etc/group`,
      'mount -t tmpfs tmpfs /var/cache',
      // What the containers create before nginx starts (lb: its command; edge: web.Dockerfile).
      `mkdir -p ${STATE_DIRS.join(' ')}`,
      // Into a file: error_log /dev/stderr cannot be opened on the socket Node gives a child.
      `${NGINX} -t -c ${conf} > ${dir}/out 2>&1 || { cat ${dir}/out; exit 1; }`,
      `cat ${dir}/out`,
    ].join('\n');
    try {
      return execFileSync(
        'unshare',
        [isRoot ? '-m' : '-rm', '--propagation', 'private', 'sh', '-c', script],
        {
          encoding: 'utf8',
        },
      );
    } catch (error) {
      throw new Error(`nginx -t failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`, {
        cause: error,
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('compose nginx configs pass nginx -t', () => {
  beforeAll(() => {
    if (!fs.existsSync(NGINX)) throw new Error(`${NGINX} is missing: apt-get install -y nginx`);
  });

  it('the containers create the directories nginx expects (as this test does)', () => {
    const compose = fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    const web = fs.readFileSync(path.join(repoRoot, 'infra/docker/web.Dockerfile'), 'utf8');
    expect(compose).toContain(`mkdir -p ${STATE_DIRS[0]} && exec nginx -c /etc/nginx/sdp/lb.conf`);
    expect(web).toContain(`mkdir -p ${STATE_DIRS[1]} `);
    expect(compose).toContain(`mkdir -p ${STATE_DIRS[2]} && exec nginx -c /etc/nginx/sdp/shield.conf`);
  });

  it('lb.conf', () => {
    const out = nginxTest(renderAll()['lb.conf']);
    console.log(out.trim());
    expect(out).toMatch(/test is successful/);
  });

  it('shield.conf', () => {
    const out = nginxTest(renderAll()['shield.conf']);
    console.log(out.trim());
    expect(out).toMatch(/test is successful/);
  });

  it.each(cdn.regions.map((r) => [edgeTemplateName(r)] as const))(
    '%s after the image envsubst step fills in EDGE_REFRESH_TOKEN',
    (name) => {
      const rendered = renderAll()[name].replace('${EDGE_REFRESH_TOKEN}', 'a'.repeat(64));
      const out = nginxTest(rendered);
      console.log(out.trim());
      expect(out).toMatch(/test is successful/);
    },
  );

  it('fails when a compose host name does not resolve (the check is real)', () => {
    const broken = renderAll()['lb.conf'].replace('server catalog:3100', 'server no-such-service:3100');
    expect(() => nginxTest(broken)).toThrow(/host not found in upstream "no-such-service:3100"/);
  });
});
