import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ObservabilityModule } from '@sdp/observability';
import { createServiceApp } from './create-app';
import { migrateOnly } from './run-service';

const events: string[] = [];

@Injectable()
class FakeMigrations implements OnApplicationShutdown {
  constructor() {
    // Stands in for DatabaseModule, which migrates while its providers are created.
    events.push('migrated');
  }
  onApplicationShutdown(): void {
    events.push('closed');
  }
}

@Module({
  imports: [ObservabilityModule.forRoot({ service: 'demo', instanceId: 'demo-1', logLevel: 'silent' })],
  providers: [FakeMigrations],
})
class DemoModule {}

describe(migrateOnly.name, () => {
  const config = { HOST: '127.0.0.1', PORT: 1, DB_MIGRATE: true };

  beforeEach(() => events.splice(0));

  it('builds the app (which migrates) and closes it without listening', async () => {
    let listening = false;
    await migrateOnly({
      loadConfig: () => config,
      createApp: async () => {
        const app = await createServiceApp({ module: DemoModule });
        const listen = app.listen.bind(app);
        app.listen = ((...args: Parameters<typeof listen>) => {
          listening = true;
          return listen(...args);
        }) as typeof app.listen;
        return app;
      },
    });
    expect(events).toEqual(['migrated', 'closed']);
    expect(listening).toBe(false);
  });

  it('refuses DB_MIGRATE=false, naming the variable', async () => {
    await expect(
      migrateOnly({
        loadConfig: () => ({ ...config, DB_MIGRATE: false }),
        createApp: () => createServiceApp({ module: DemoModule }),
      }),
    ).rejects.toThrow(/DB_MIGRATE: must not be false with --migrate-only/);
    expect(events).toEqual([]);
  });
});
