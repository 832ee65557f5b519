import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<unknown>;

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, { status: 'up' | 'down'; error?: string; ms: number }>;
}

/**
 * Each infrastructure module registers a real check (a query, a PING, a broker round trip); /ready
 * runs them all with a timeout. A small hand-rolled registry instead of @nestjs/terminus because
 * our checks are three one-liners and terminus would add a module per client library.
 */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async report(timeoutMs = 1_500): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const started = Date.now();
        try {
          await withTimeout(check(), timeoutMs);
          return [name, { status: 'up' as const, ms: Date.now() - started }] as const;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [name, { status: 'down' as const, error: message, ms: Date.now() - started }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries) as ReadinessReport['checks'];
    const ready = entries.every(([, result]) => result.status === 'up');
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
