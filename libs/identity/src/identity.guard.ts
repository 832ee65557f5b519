import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { verifyIdentity, type Identity, type Role } from './identity';

/** Provide the shared secret under this token (from validated config). */
export const INTERNAL_AUTH_SECRET = Symbol('INTERNAL_AUTH_SECRET');

const ALLOWED_ROLES = 'identity:roles';

interface RequestWithIdentity {
  headers: Record<string, string | string[] | undefined>;
  identity?: Identity;
}

/** 401 without a valid gateway signature, 403 when the role is not allowed on the route. */
@Injectable()
export class IdentityGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(INTERNAL_AUTH_SECRET) private readonly secret: string,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithIdentity>();
    const result = verifyIdentity(request.headers, this.secret);
    if (!result.ok) throw new UnauthorizedException(result.reason);
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed && !allowed.includes(result.identity.role)) {
      throw new ForbiddenException(`requires role ${allowed.join(' or ')}`);
    }
    request.identity = result.identity;
    return true;
  }
}

/** The route needs a gateway-signed identity with one of these roles. */
export const RequireIdentity = (...allowed: Role[]) =>
  applyDecorators(SetMetadata(ALLOWED_ROLES, allowed), UseGuards(IdentityGuard));

/** The verified caller (use on routes with @RequireIdentity). */
export const CurrentIdentity = createParamDecorator((_data: unknown, context: ExecutionContext): Identity => {
  const identity = context.switchToHttp().getRequest<RequestWithIdentity>().identity;
  if (!identity) throw new UnauthorizedException('missing gateway identity');
  return identity;
});
