import { Readable } from 'node:stream';
import {
  BadRequestException,
  ForbiddenException,
  GatewayTimeoutException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { signIdentity } from '@sdp/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TokenService, type TokenCheck } from '../auth/token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { clientIp, extendForwardedFor } from '../rate-limit/client-ip';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { applyRateLimit, withoutRateLimitHeaders } from '../rate-limit/too-many-requests';
import { RouteMatcher } from '../routes/route-matcher';
import type { RouteSpec } from '../routes/route-table';
import { downstreamResponseHeaders, sharedCacheable, upstreamRequestHeaders } from './forward-headers';
import { markProxied, setUpstreamInstance } from './proxied-request';
import { UpstreamClient, UpstreamFailure, type UpstreamResponse } from './upstream-client';

const MISSING_TOKEN =
  'missing access token: send "Authorization: Bearer <token>" (get one from POST /api/auth/login)';

/**
 * One proxied request: match the route table, identify the caller from the JWT, apply the shared
 * rate limit, enforce the route's role, then forward through the upstream's breaker and relay the
 * answer. Order matters: the limit comes before the 401/403, so guessing tokens is rate-limited too.
 */
@Injectable()
export class ProxyService {
  private readonly matcher = new RouteMatcher();

  constructor(
    private readonly tokens: TokenService,
    private readonly limits: RateLimitService,
    private readonly upstreams: UpstreamClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = new URL(request.url, 'http://gateway.invalid');
    const match = this.matcher.match(request.method, url.pathname);
    if (match.kind === 'not-found')
      throw new NotFoundException(`no route for ${request.method} ${url.pathname}`);
    if (match.kind === 'method-not-allowed') {
      void reply.header('allow', match.allow.join(', '));
      throw new HttpException(
        `${request.method} is not allowed on ${url.pathname}; use ${match.allow.join(' or ')}`,
        HttpStatus.METHOD_NOT_ALLOWED,
      );
    }
    if (match.kind === 'bad-parameter') throw new BadRequestException(match.message);
    const { route, upstreamPath } = match;
    markProxied(request, route);

    // EventSource cannot set headers: on streaming routes only, the token may come in the query.
    const queryToken = route.stream ? url.searchParams.get('access_token') : null;
    url.searchParams.delete('access_token');
    const token = bearerToken(request.headers.authorization) ?? queryToken ?? undefined;
    const check = token ? await this.tokens.verify(token) : undefined;

    const ip = clientIp(
      request.headers['x-forwarded-for'],
      request.socket.remoteAddress,
      this.config.TRUSTED_PROXY_HOPS,
    );
    const limitKey = check?.ok ? `user:${check.claims.userId}` : `ip:${ip}`;
    applyRateLimit(reply, await this.limits.consume(route.rateLimit, limitKey));

    const identity = this.authorize(route, token, check);
    const controller = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });

    let response: UpstreamResponse;
    try {
      response = await this.upstreams.send({
        upstream: route.upstream,
        method: route.method,
        path: `${upstreamPath}${url.search}`,
        headers: upstreamRequestHeaders(request.headers, {
          requestId: String(request.id),
          clientIp: ip,
          forwardedFor: extendForwardedFor(request.headers['x-forwarded-for'], request.socket.remoteAddress),
          identity: identity && signIdentity(identity, this.config.INTERNAL_AUTH_SECRET),
        }),
        body: serialiseBody(request),
        timeoutMs:
          route.timeout === 'checkout' ? this.config.CHECKOUT_TIMEOUT_MS : this.config.UPSTREAM_TIMEOUT_MS,
        stream: route.stream === true,
        signal: controller.signal,
      });
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      if (error.response)
        response = error.response; // a 5xx answer: relay it as the service gave it
      else return this.fail(error, reply);
    }

    const headers = downstreamResponseHeaders(response.headers, route.auth !== 'public');
    void reply.status(response.statusCode).headers(headers);
    if (sharedCacheable(headers['cache-control'])) withoutRateLimitHeaders(reply);
    const instance = response.headers['x-instance-id'];
    if (typeof instance === 'string') setUpstreamInstance(request, instance);
    if (response.body instanceof Readable) {
      // Tell the edge (nginx) not to buffer the stream either.
      void reply.header('x-accel-buffering', 'no');
      const body = response.body;
      reply.raw.once('close', () => body.destroy());
    }
    return reply.send(response.body);
  }

  /** The caller for the identity headers, or undefined on public routes; 401/403 as the route requires. */
  private authorize(route: RouteSpec, token: string | undefined, check: TokenCheck | undefined) {
    if (route.auth === 'public') return undefined;
    if (!token || !check) throw new UnauthorizedException(MISSING_TOKEN);
    if (!check.ok) throw new UnauthorizedException(check.reason);
    if (route.auth === 'admin' && check.claims.role !== 'admin') {
      throw new ForbiddenException(`${route.method} ${route.path} requires role admin`);
    }
    return { userId: check.claims.userId, role: check.claims.role };
  }

  private fail(error: UpstreamFailure, reply: FastifyReply): never {
    switch (error.kind) {
      case 'circuit-open':
        void reply.header('retry-after', String(this.upstreams.retryAfterSeconds(error.upstream)));
        throw new ServiceUnavailableException(error.message);
      case 'timeout':
        throw new GatewayTimeoutException(error.message);
      case 'aborted':
        // The client is gone; nobody reads this. 499 is nginx's "client closed request".
        throw new HttpException(error.message, 499);
      default:
        throw new HttpException(error.message, HttpStatus.BAD_GATEWAY);
    }
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** Fastify has parsed JSON bodies; text bodies arrive as strings. Forward either as text. */
function serialiseBody(request: FastifyRequest): string | undefined {
  if (request.body === undefined) return undefined;
  return typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
}
