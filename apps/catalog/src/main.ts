import 'reflect-metadata';
import { ConfigError } from '@sdp/config';
import { createCatalogApp } from './app';
import { loadCatalogConfig } from './config';

async function main(): Promise<void> {
  const config = loadCatalogConfig();
  const app = await createCatalogApp(config);
  await app.listen({ host: config.HOST, port: config.PORT });

  // Graceful stop: finish in-flight requests, close Kafka, Redis and the pool, then exit 0.
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
}

main().catch((error: unknown) => {
  // Refuse to start on bad configuration, naming every bad variable.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
