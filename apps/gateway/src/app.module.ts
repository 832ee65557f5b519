import { DynamicModule, Module } from '@nestjs/common';
import { cacheRedisFor, configFor, databaseFor, observabilityFor } from '@sdp/bootstrap';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { TokenService } from './auth/token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { gatewayMigrations } from './db/migrations';
import { seedDemoUsers } from './db/seed';
import { OpenApiController } from './openapi/openapi.controller';
import { GatewayHooks } from './proxy/gateway-hooks';
import { ProxyController } from './proxy/proxy.controller';
import { ProxyService } from './proxy/proxy.service';
import { UpstreamClient } from './proxy/upstream-client';
import { AuthRateLimitGuard } from './rate-limit/auth-rate-limit.guard';
import { RateLimitService } from './rate-limit/rate-limit.service';
import { User } from './users/user.entity';
import { UsersRepository } from './users/users.repository';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        observabilityFor('gateway', config),
        configFor(GATEWAY_CONFIG, config),
        databaseFor(config, {
          entities: [User],
          migrations: gatewayMigrations,
          afterMigrate: (dataSource) =>
            config.SEED_DEMO_USERS
              ? seedDemoUsers(dataSource, config.DB_SCHEMA, config.DEMO_PASSWORD)
              : Promise.resolve(),
        }),
        // Rate-limit counters, shared by both gateway replicas.
        cacheRedisFor(config),
      ],
      // OpenApiController and AuthController before ProxyController: their static paths win anyway,
      // but reading the list top-down should tell the same story.
      controllers: [OpenApiController, AuthController, ProxyController],
      providers: [
        UsersRepository,
        TokenService,
        AuthService,
        RateLimitService,
        AuthRateLimitGuard,
        UpstreamClient,
        ProxyService,
        GatewayHooks,
      ],
    };
  }
}
