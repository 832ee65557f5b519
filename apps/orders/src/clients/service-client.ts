/** The dependency could not answer (down, timed out, or said 5xx): retryable, answered as 503. */
export class UpstreamUnavailableError extends Error {
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamUnavailableError';
  }
}

/** The dependency refused our request in a way that is our bug or misconfiguration (answered as 502). */
export class UpstreamRejectedError extends Error {
  constructor(
    readonly service: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamRejectedError';
  }
}

export interface UpstreamResponse {
  status: number;
  body: unknown;
  /** The replica that answered. */
  baseUrl: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Serialised as JSON. */
  body?: unknown;
}

// By name, not instanceof: the DOMException fetch throws may come from another realm (e.g. under Jest).
const isAbort = (error: unknown): boolean => {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
};

/** fetch throws the abort itself, or (mid-connection) a "fetch failed" TypeError caused by it. */
const isTimeout = (error: unknown): boolean =>
  isAbort(error) || isAbort((error as { cause?: unknown }).cause);

const reasonOf = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as { message?: string }).message ?? String(error);
};

/**
 * Calls one dependency that runs as several replicas, until a load balancer sits in front of them:
 * requests go round-robin, and a connection error moves on to the next replica. That failover is
 * only safe for calls that may run twice: GETs, and POST /reservations, which is idempotent on the
 * order id. A timeout is not retried elsewhere: the caller's deadline is already spent.
 */
export class ServiceClient {
  private next = 0;

  constructor(
    readonly service: string,
    private readonly baseUrls: readonly string[],
    private readonly timeoutMs: number,
  ) {
    if (baseUrls.length === 0) throw new Error(`${service}: no base URLs`);
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    options: RequestOptions = {},
  ): Promise<UpstreamResponse> {
    const first = this.next++ % this.baseUrls.length;
    const failures: string[] = [];
    for (let i = 0; i < this.baseUrls.length; i++) {
      const baseUrl = this.baseUrls[(first + i) % this.baseUrls.length];
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...options.headers,
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        if (isTimeout(error)) {
          throw new UpstreamUnavailableError(
            this.service,
            `${this.service} did not answer within ${this.timeoutMs} ms (${baseUrl})`,
          );
        }
        failures.push(`${baseUrl}: ${reasonOf(error)}`);
        continue; // connection refused/reset: try the next replica
      }
      return { status: response.status, body: parseJson(text), baseUrl };
    }
    throw new UpstreamUnavailableError(
      this.service,
      `no ${this.service} replica reachable (${failures.join('; ')})`,
    );
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
