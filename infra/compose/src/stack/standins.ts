// Local stand-ins for the official base images the compose file and the Dockerfiles name (no registry
// is reachable from CI): a Debian base made with debootstrap, then one small image per official image,
// built from infra/compose/standins/<name>/ and tagged with the exact reference the project uses.
// Each image carries a label with the hash of its inputs; an unchanged hash skips the rebuild.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { composeFile, readComposeFile, repoRoot } from '../compose-file';
import { run } from './exec';

const standinsDir = path.join(repoRoot, 'infra/compose/standins');
const workDir = path.join(repoRoot, '.infra/compose');
const BASE = 'localhost/sdp-standin/base:bookworm';
const HASH_LABEL = 'sdp.standin.hash';
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const HOST_CA_DIR = '/usr/local/share/ca-certificates';

/** Which stand-in folder serves an image repository (docker.io names, as podman stores them). */
const standinFor: Record<string, string> = {
  'docker.io/library/node': 'node',
  'docker.io/library/postgres': 'postgres',
  'docker.io/library/redis': 'redis',
  'docker.io/library/nginx': 'nginx',
  'docker.io/apache/kafka': 'kafka',
  'docker.io/library/zookeeper': 'zookeeper',
};

/** `postgres:15` -> `docker.io/library/postgres:15`, `apache/kafka:4` -> `docker.io/apache/kafka:4`. */
export function fullReference(ref: string): string {
  const [first] = ref.split('/');
  if (ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}

/**
 * Every third-party image the default profile needs: the services' `image:` (except the project's
 * own sdp/*) and every FROM / ARG ...IMAGE= default in the Dockerfiles they build.
 */
export function neededImages(profiles: string[] = []): string[] {
  const compose = readComposeFile(composeFile);
  const refs = new Set<string>();
  const dockerfiles = new Set<string>();
  for (const svc of Object.values(compose.services)) {
    if (svc.profiles && !svc.profiles.some((p) => profiles.includes(p))) continue;
    if (svc.build) dockerfiles.add(path.join(repoRoot, svc.build.context, svc.build.dockerfile));
    else if (svc.image && !svc.image.startsWith('sdp/')) refs.add(svc.image);
  }
  for (const file of dockerfiles) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^ARG \w*IMAGE=(\S+)/gm)) refs.add(m[1]);
    for (const m of text.matchAll(/^FROM (\S+)/gm)) if (!m[1].startsWith('$')) refs.add(m[1]);
  }
  // Stage names (FROM base AS builder) are not images.
  for (const file of dockerfiles) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/ AS (\S+)$/gm)) refs.delete(m[1]);
  }
  return [...refs].map(fullReference).sort();
}

function hashFiles(dir: string, extra: string[] = []): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else h.update(path.relative(dir, p)).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  for (const e of extra) h.update(e);
  return h.digest('hex').slice(0, 16);
}

async function labelOf(image: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run(
    'podman',
    ['image', 'inspect', '--format', `{{index .Labels "${HASH_LABEL}"}}`, image],
    {
      env,
      allowFailure: true,
    },
  );
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** debootstrap's minimal bookworm, trusting what the host trusts (this machine's egress re-signs TLS). */
async function ensureBase(env: NodeJS.ProcessEnv): Promise<string> {
  const caFiles = fs.existsSync(HOST_CA_DIR)
    ? fs.readdirSync(HOST_CA_DIR).filter((f) => f.endsWith('.crt'))
    : [];
  const hash = createHash('sha256')
    .update('debootstrap --variant=minbase bookworm v1')
    .update(fs.readFileSync(HOST_CA_BUNDLE))
    .update(caFiles.map((f) => fs.readFileSync(path.join(HOST_CA_DIR, f))).join('\n'))
    .digest('hex')
    .slice(0, 16);
  if ((await labelOf(BASE, env)) === hash) return hash;

  const started = Date.now();
  const rootfs = path.join(workDir, 'rootfs');
  fs.rmSync(rootfs, { recursive: true, force: true });
  console.log(`stand-ins: debootstrap bookworm into ${path.relative(repoRoot, rootfs)}`);
  await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'], {
    env,
    timeoutMs: 15 * 60_000,
  });
  // Services must not start inside image builds; apt lists and downloaded .debs are not needed.
  fs.writeFileSync(path.join(rootfs, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  fs.mkdirSync(path.join(rootfs, 'etc/ssl/certs'), { recursive: true });
  fs.copyFileSync(HOST_CA_BUNDLE, path.join(rootfs, 'etc/ssl/certs/ca-certificates.crt'));
  fs.mkdirSync(path.join(rootfs, 'usr/local/share/ca-certificates'), { recursive: true });
  for (const f of caFiles) {
    fs.copyFileSync(path.join(HOST_CA_DIR, f), path.join(rootfs, 'usr/local/share/ca-certificates', f));
  }
  for (const d of ['var/lib/apt/lists', 'var/cache/apt/archives', 'usr/share/doc', 'usr/share/man']) {
    for (const f of fs.readdirSync(path.join(rootfs, d))) {
      if (f !== 'partial' && f !== 'lock')
        fs.rmSync(path.join(rootfs, d, f), { recursive: true, force: true });
    }
  }
  await run(
    'sh',
    [
      '-c',
      `tar -C "${rootfs}" -c . | podman import --change 'CMD ["/bin/bash"]' --change 'LABEL ${HASH_LABEL}=${hash}' - ${BASE}`,
    ],
    { env },
  );
  fs.rmSync(rootfs, { recursive: true, force: true });
  console.log(`stand-ins: ${BASE} imported in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return hash;
}

/** The Kafka jars, from the project's own pom (as infra/local fetches them) plus kafka-tools for the CLI. */
async function kafkaLibs(version: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = path.join(workDir, `kafka-${version}-libs`);
  if (fs.existsSync(path.join(dir, `kafka-tools-${version}.jar`))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  // One quiet, batch-mode Maven goal on the project's pom, writing into `dir`.
  const mvn = (goal: string, property: string) =>
    run(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        path.join(repoRoot, 'infra/kafka/pom.xml'),
        goal,
        property,
        `-DoutputDirectory=${dir}`,
      ],
      {
        env,
      },
    );
  await mvn('dependency:copy-dependencies', `-Dkafka.version=${version}`);
  await mvn('dependency:copy', `-Dartifact=org.apache.kafka:kafka-tools:${version}`);
  return dir;
}

/** The ZooKeeper server jars, from the project's own pom (as infra/local fetches them). */
async function zookeeperLibs(version: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = path.join(workDir, `zookeeper-${version}-libs`);
  if (fs.existsSync(path.join(dir, `zookeeper-${version}.jar`))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(repoRoot, 'infra/zookeeper/pom.xml'),
      'dependency:copy-dependencies',
      `-Dzookeeper.version=${version}`,
      `-DoutputDirectory=${dir}`,
    ],
    { env },
  );
  return dir;
}

/** Copies a stand-in's folder and the host files it needs into a build context under .infra/compose. */
async function stageContext(
  name: string,
  tag: string,
  env: NodeJS.ProcessEnv,
): Promise<{ dir: string; extra: string[] }> {
  const dir = path.join(workDir, 'standins', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(standinsDir, name), dir, { recursive: true });
  if (name === 'node') {
    // The host's Node 20 (Debian bookworm ships 18) and its npm.
    const npmDir = path.resolve(
      fs.realpathSync((await run('sh', ['-c', 'command -v npm'])).stdout.trim()),
      '../..',
    );
    fs.copyFileSync(process.execPath, path.join(dir, 'node'));
    fs.cpSync(npmDir, path.join(dir, 'npm'), { recursive: true });
    const npmVersion = (
      JSON.parse(fs.readFileSync(path.join(npmDir, 'package.json'), 'utf8')) as { version: string }
    ).version;
    return { dir, extra: [process.version, npmVersion] };
  }
  if (name === 'kafka') {
    const version = tag.split(':').pop()!;
    const libs = await kafkaLibs(version, env);
    fs.cpSync(libs, path.join(dir, 'libs'), { recursive: true });
    return { dir, extra: fs.readdirSync(libs).sort() };
  }
  if (name === 'zookeeper') {
    const version = tag.split(':').pop()!;
    const libs = await zookeeperLibs(version, env);
    fs.cpSync(libs, path.join(dir, 'lib'), { recursive: true });
    return { dir, extra: fs.readdirSync(libs).sort() };
  }
  return { dir, extra: [] };
}

export interface StandinReport {
  tag: string;
  built: boolean;
  seconds: number;
}

/**
 * Makes every needed image (default profile, plus COMPOSE_PROFILES) present under its exact tag;
 * fails naming any image without a stand-in.
 */
export async function ensureStandins(env: NodeJS.ProcessEnv): Promise<StandinReport[]> {
  // COMPOSE_PROFILES (as docker compose reads it) adds the images of those profiles, e.g. zookeeper.
  const images = neededImages((env.COMPOSE_PROFILES ?? '').split(',').filter(Boolean));
  const missing = images.filter((ref) => !standinFor[ref.slice(0, ref.lastIndexOf(':'))]);
  if (missing.length)
    throw new Error(`no stand-in for ${missing.join(', ')} (add one under infra/compose/standins)`);
  const baseHash = await ensureBase(env);
  const reports: StandinReport[] = [];
  for (const tag of images) {
    const name = standinFor[tag.slice(0, tag.lastIndexOf(':'))];
    const started = Date.now();
    const { dir, extra } = await stageContext(name, tag, env);
    const hash = hashFiles(path.join(standinsDir, name), [baseHash, tag, ...extra]);
    if ((await labelOf(tag, env)) === hash) {
      reports.push({ tag, built: false, seconds: (Date.now() - started) / 1000 });
      continue;
    }
    console.log(`stand-ins: building ${tag} from infra/compose/standins/${name}`);
    await run(
      'podman',
      [
        'build',
        '-q',
        '--label',
        `${HASH_LABEL}=${hash}`,
        '-t',
        tag,
        '-f',
        path.join(dir, 'Containerfile'),
        dir,
      ],
      {
        env,
        timeoutMs: 20 * 60_000,
      },
    );
    reports.push({ tag, built: true, seconds: (Date.now() - started) / 1000 });
  }
  fs.rmSync(path.join(workDir, 'standins'), { recursive: true, force: true });
  return reports;
}
