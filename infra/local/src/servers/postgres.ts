// PostgreSQL from the machine's binaries, own data dir, password (scram) auth over TCP on loopback.
import fs from 'node:fs';
import path from 'node:path';
import { postgres } from '@sdp/topology';
import { logFile, pidFile } from '../paths';
import { asUser, run, spawnDetached } from '../process';
import { handOver } from '../user';
import type { Server, ServerContext } from './server';

export function initdbArgs(dataDir: string, pwFile: string): string[] {
  return [
    '-D',
    dataDir,
    '-U',
    postgres.user,
    `--pwfile=${pwFile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ];
}

/** Server settings, passed as `-c` flags so the generated postgresql.conf stays untouched. */
export function postgresSettings(socketDir: string): Record<string, string> {
  return {
    listen_addresses: postgres.host,
    port: String(postgres.port),
    unix_socket_directories: socketDir,
    max_connections: '200',
    shared_buffers: '32MB',
    work_mem: '4MB',
    maintenance_work_mem: '32MB',
    max_wal_size: '256MB',
    password_encryption: 'scram-sha-256',
    logging_collector: 'off',
    log_min_messages: 'warning',
    log_line_prefix: '%m [%p] ',
    // Counts every statement by its normalised text: pnpm bench:checkout reads it to show how many
    // statements, and which, one checkout runs. Ships with the server package (postgresql-NN).
    shared_preload_libraries: 'pg_stat_statements',
  };
}

export function postgresArgs(dataDir: string, socketDir: string): string[] {
  return [
    '-D',
    dataDir,
    ...Object.entries(postgresSettings(socketDir)).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
}

const tcpEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  PGPASSWORD: postgres.password,
  PGCONNECT_TIMEOUT: '3',
});

function psql(ctx: ServerContext, database: string, sql: string) {
  return run(
    ctx.bins.psql,
    [
      '-h',
      postgres.host,
      '-p',
      String(postgres.port),
      '-U',
      postgres.user,
      '-d',
      database,
      '-XtAq',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ],
    { env: tcpEnv(), timeoutMs: 10_000 },
  );
}

async function initOnce(ctx: ServerContext): Promise<void> {
  const dataDir = ctx.paths.postgresData;
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  ctx.report('initdb (first run)');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(ctx.paths.run, 'pg-password');
  fs.writeFileSync(pwFile, `${postgres.password}\n`, { mode: 0o600 });
  try {
    handOver(dataDir, ctx.runAs);
    handOver(pwFile, ctx.runAs);
    const [cmd, args] = asUser(ctx.bins.initdb, initdbArgs(dataDir, pwFile), ctx.runAs);
    await run(cmd, args, { cwd: dataDir });
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

export const postgresServer = (): Server => ({
  name: 'postgres',
  port: postgres.port,
  stopSignal: 'SIGINT', // "fast" shutdown; SIGTERM would wait for every client to disconnect
  startTimeoutMs: 45_000,
  async start(ctx) {
    await initOnce(ctx);
    fs.mkdirSync(ctx.paths.postgresSocket, { recursive: true });
    handOver(ctx.paths.postgresSocket, ctx.runAs);
    const [cmd, args] = asUser(
      ctx.bins.postgres,
      postgresArgs(ctx.paths.postgresData, ctx.paths.postgresSocket),
      ctx.runAs,
    );
    return spawnDetached(cmd, args, {
      logFile: logFile(ctx.paths, 'postgres'),
      pidFile: pidFile(ctx.paths, 'postgres'),
      cwd: ctx.paths.postgresData,
    });
  },
  async isReady(ctx) {
    // pg_isready first (cheap), then a real authenticated query over TCP.
    await run(ctx.bins.pg_isready, ['-q', '-h', postgres.host, '-p', String(postgres.port)], {
      timeoutMs: 5_000,
    });
    const { stdout } = await psql(ctx, 'postgres', 'SELECT 1');
    return stdout.trim() === '1';
  },
  async afterReady(ctx) {
    const { stdout } = await psql(
      ctx,
      'postgres',
      `SELECT 1 FROM pg_database WHERE datname = '${postgres.database}'`,
    );
    if (stdout.trim() !== '1') {
      ctx.report(`creating database ${postgres.database}`);
      await psql(ctx, 'postgres', `CREATE DATABASE "${postgres.database}" OWNER "${postgres.user}"`);
    }
  },
});
