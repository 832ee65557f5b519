import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@sdp/config';

export interface ServiceMain<C extends { HOST: string; PORT: number }> {
  loadConfig: () => C;
  createApp: (config: C) => Promise<NestFastifyApplication>;
}

/**
 * A service's main(): validate config (refuse to start, naming every bad variable), listen, and on
 * SIGTERM/SIGINT finish in-flight work, close connections and exit 0.
 */
export function runService<C extends { HOST: string; PORT: number }>({
  loadConfig,
  createApp,
}: ServiceMain<C>): void {
  const start = async () => {
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
