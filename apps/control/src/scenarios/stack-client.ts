import { Inject, Injectable } from '@nestjs/common';
import { signIdentity, type Identity } from '@sdp/identity';
import { CONTROL_CONFIG, type ControlConfig } from '../config';

// Scenarios act on the stack the way services do: through the lb, with an identity signed by the
// stack's internal secret (as the gateway signs it). Simulated buyers are customers with ids of
// their own; set-up calls (stock) are made as an admin. Nothing here is reachable from outside:
// the routes that start a scenario are admin-only at the gateway.

export interface StackResponse<T = unknown> {
  status: number;
  body: T;
  ms: number;
  headers?: Headers;
}

@Injectable()
export class StackClient {
  constructor(@Inject(CONTROL_CONFIG) private readonly config: ControlConfig) {}

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { as?: Identity; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<StackResponse<T>> {
    const started = performance.now();
    const response = await fetch(`${this.config.LB_URL}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.as ? signIdentity(options.as, this.config.INTERNAL_AUTH_SECRET) : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return {
      status: response.status,
      body: body as T,
      ms: performance.now() - started,
      headers: response.headers,
    };
  }
}

/** p-th percentile (0..100) of a list of numbers, nearest rank; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
