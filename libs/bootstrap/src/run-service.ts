import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@sdp/config';

export interface ServiceMain<C extends { HOST: string; PORT: number }> {
  loadConfig: () => C;
  createApp: (config: C) => Promise<NestFastifyApplication>;
}

/** `node dist/main.js --migrate-only`: the one-shot migrate job (docker compose runs it before the replicas). */
export const MIGRATE_ONLY_FLAG = '--migrate-only';

/**
 * Builds the app once, which migrates and seeds the service's schema (DatabaseModule does it while
 * the providers are created), then closes it without ever listening or starting consumers.
 */
export async function migrateOnly<C extends { HOST: string; PORT: number }>({
  loadConfig,
  createApp,
}: ServiceMain<C>): Promise<void> {
  const config = loadConfig();
  if ((config as { DB_MIGRATE?: boolean }).DB_MIGRATE === false) {
    throw new ConfigError([
      `DB_MIGRATE: must not be false with ${MIGRATE_ONLY_FLAG} (nothing would migrate)`,
    ]);
  }
  const app = await createApp(config);
  await app.close();
}

/**
 * A service's main(): validate config (refuse to start, naming every bad variable), listen, and on
 * SIGTERM/SIGINT finish in-flight work, close connections and exit 0. With --migrate-only it
 * migrates, seeds and exits instead.
 */
export function runService<C extends { HOST: string; PORT: number }>(
  main: ServiceMain<C>,
  argv: readonly string[] = process.argv,
): void {
  const { loadConfig, createApp } = main;
  const start = async () => {
    if (argv.includes(MIGRATE_ONLY_FLAG)) {
      await migrateOnly(main);
      process.exit(0);
    }
    const config = loadConfig();
    const app = await createApp(config);
    await app.listen({ host: config.HOST, port: config.PORT });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        app
          .close()
          .then(() => process.exit(0))
          .catch((error: unknown) => {
            console.error('shutdown failed', error);
            process.exit(1);
          });
      });
    }
  };
  start().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
