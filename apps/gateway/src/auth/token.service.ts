import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import type { UserRole } from '../users/user.entity';

export interface AccessTokenClaims {
  userId: string;
  role: UserRole;
  email: string;
}

export type TokenCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: string };

const ISSUER = 'sdp-gateway';
const ALGORITHM = 'HS256';
const ROLES: readonly string[] = ['customer', 'admin'];

/**
 * Short-lived access tokens: JWT signed with HS256 (jose). Only the gateway issues and checks them,
 * so a symmetric key is enough; services never see the JWT, they get the signed identity headers.
 * The algorithm is pinned on verify (no "alg: none", no key confusion).
 */
@Injectable()
export class TokenService {
  private readonly key: Uint8Array;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.key = new TextEncoder().encode(config.JWT_SECRET);
  }

  get ttlSeconds(): number {
    return this.config.JWT_TTL_SECONDS;
  }

  issue(claims: AccessTokenClaims, now = Date.now()): Promise<string> {
    const issuedAt = Math.floor(now / 1000);
    return new SignJWT({ role: claims.role, email: claims.email })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.config.JWT_TTL_SECONDS)
      .sign(this.key);
  }

  async verify(token: string): Promise<TokenCheck> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], issuer: ISSUER });
      const { sub, role, email } = payload;
      if (
        typeof sub !== 'string' ||
        typeof role !== 'string' ||
        !ROLES.includes(role) ||
        typeof email !== 'string'
      )
        return { ok: false, reason: 'invalid access token' };
      return { ok: true, claims: { userId: sub, role: role as UserRole, email } };
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        return { ok: false, reason: 'access token expired; log in again' };
      return { ok: false, reason: 'invalid access token' };
    }
  }
}
