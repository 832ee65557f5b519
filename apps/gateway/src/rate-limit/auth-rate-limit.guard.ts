import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { clientIp } from './client-ip';
import { RateLimitService } from './rate-limit.service';
import { applyRateLimit } from './too-many-requests';

/** The strict limit on login and registration, per client IP: it slows password guessing. */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  constructor(
    private readonly limits: RateLimitService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const ip = clientIp(
      request.headers['x-forwarded-for'],
      request.socket.remoteAddress,
      this.config.TRUSTED_PROXY_HOPS,
    );
    applyRateLimit(http.getResponse<FastifyReply>(), await this.limits.consume('auth', `ip:${ip}`));
    return true;
  }
}
