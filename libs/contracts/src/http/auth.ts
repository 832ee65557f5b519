import { z } from 'zod';

// The gateway's own routes: POST /api/auth/register and /api/auth/login. The gateway validates
// them with class-validator DTOs (apps/gateway/src/auth/dto); these schemas describe the same rules.

export const userRole = z.enum(['customer', 'admin']);

export const user = z
  .object({ id: z.uuid(), email: z.email(), name: z.string(), role: userRole })
  .meta({ id: 'User' });
export type User = z.infer<typeof user>;

export const registerRequest = z
  .strictObject({
    email: z.email().max(254),
    password: z.string().min(8).max(128),
    name: z.string().min(1).max(100),
  })
  .meta({ id: 'RegisterRequest' });
export type RegisterRequest = z.infer<typeof registerRequest>;

export const loginRequest = z
  .strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(128) })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof loginRequest>;

export const loginResult = z
  .object({
    accessToken: z.string(),
    expiresIn: z.int().describe('seconds'),
    tokenType: z.literal('Bearer'),
    user,
  })
  .meta({ id: 'LoginResult' });
export type LoginResult = z.infer<typeof loginResult>;
