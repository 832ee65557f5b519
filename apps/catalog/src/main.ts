import 'reflect-metadata';
import { ConfigError } from '@sdp/config';
import { createCatalogApp } from './app';
import { loadCatalogConfig } from './config';

async function main(): Promise<void> {
  const config = loadCatalogConfig();
  const app = await createCatalogApp(config);
  await app.listen({ host: config.HOST, port: config.PORT });
}

main().catch((error: unknown) => {
  // Refuse to start on bad configuration, naming every bad variable.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
