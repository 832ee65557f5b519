// The Java servers' jars: an unpacked distribution named by an environment variable, or the
// dependencies of a small pom resolved once from Maven Central into the infra state directory.
import fs from 'node:fs';
import path from 'node:path';
import { findBinary, mavenSpec, missingBinariesMessage } from '../binaries';
import { run } from '../process';
import type { ServerContext } from './server';

export interface MavenJars {
  /** Shown to the user, e.g. `Kafka`. */
  name: string;
  version: string;
  /** The pom whose dependencies are the server's classpath, relative to the repository root. */
  pom: string;
  /** The pom property that pins the version, e.g. `kafka.version`. */
  versionProperty: string;
  /** The variable that points at an unpacked distribution instead, e.g. `KAFKA_HOME`. */
  homeVar: string;
  /** Where the jars are: inside the distribution when homeVar is set, else the resolved copy. */
  libs: string;
}

/** Returns the directory of jars, resolving them with Maven the first time (5-minute budget). */
export async function resolveMavenJars(ctx: ServerContext, jars: MavenJars): Promise<string> {
  const { name, version, libs, homeVar } = jars;
  if (process.env[homeVar]) {
    if (!fs.existsSync(libs)) throw new Error(`${homeVar} is set but ${libs} does not exist`);
    return libs;
  }
  // Written last: an interrupted download is started again rather than half used.
  const complete = path.join(libs, '.complete');
  if (fs.existsSync(complete)) return libs;
  const mvn = findBinary(mavenSpec, process.env.PATH ?? '');
  if (!mvn)
    throw new Error(
      `${missingBinariesMessage([mavenSpec])}\n(or set ${homeVar} to an unpacked ${name} ${version})`,
    );
  ctx.report(`resolving ${name} ${version} jars from Maven Central`);
  fs.rmSync(libs, { recursive: true, force: true });
  await run(
    mvn,
    [
      '-q',
      '-B',
      '-f',
      path.join(ctx.repoRoot, jars.pom),
      'dependency:copy-dependencies',
      `-D${jars.versionProperty}=${version}`,
      `-DoutputDirectory=${libs}`,
    ],
    { timeoutMs: 300_000 },
  );
  fs.writeFileSync(complete, `${new Date().toISOString()}\n`);
  return libs;
}
