import { Agent, request } from 'undici';
import { z } from 'zod';

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

/**
 * The dependency answered, but not in the shape its contract (@sdp/contracts) promises: our bug or a
 * version skew, so answered as 502 like any other refusal we cannot act on.
 */
export class UpstreamMalformedError extends UpstreamRejectedError {
  constructor(service: string, status: number, message: string) {
    super(service, status, message);
    this.name = 'UpstreamMalformedError';
  }
}

/** The body of `response`, parsed with the contract's `schema`; UpstreamMalformedError if it does not fit. */
export function parseAnswer<T extends z.ZodType>(
  service: string,
  schema: T,
  response: Pick<UpstreamResponse, 'status' | 'body'>,
): z.output<T> {
  const parsed = schema.safeParse(response.body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (i) => `${i.path.join('.') || 'body'}: ${i.message.replace(/^Invalid input: /, '')}`,
  );
  throw new UpstreamMalformedError(
    service,
    response.status,
    `${service} answered ${response.status} with a malformed body (${problems.slice(0, 3).join('; ')})`,
  );
}

export interface UpstreamResponse {
  status: number;
  body: unknown;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Serialised as JSON. */
  body?: unknown;
}

const reasonOf = (error: unknown): string =>
  (error as { code?: string }).code ?? (error as { message?: string }).message ?? String(error);

/**
 * Calls one dependency through its base URL: the load balancer's path for it. The lb spreads calls
 * over the replicas and moves a refused connection on to another one, so this client does neither
 * (a second, client-side balancing policy would only disagree with the lb's). A timeout is not
 * retried: the caller's deadline is already spent.
 *
 * undici's request() on a keep-alive Agent rather than the global fetch: fetch's WHATWG streams,
 * Headers and AbortSignal.timeout cost about 0.4 ms of CPU per call, which profiling showed to be
 * the largest part of a checkout's CPU in orders (docs/benchmarks.md).
 */
export class ServiceClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 2_000 } });

  constructor(
    readonly service: string,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async request(
    method: 'GET' | 'POST',
    path: string,
    options: RequestOptions = {},
  ): Promise<UpstreamResponse> {
    // Our own timer: undici's headersTimeout/bodyTimeout tick with a ~1 s resolution.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        dispatcher: this.agent,
        signal: timeout.signal,
      });
      const text = await response.body.text();
      return { status: response.statusCode, body: parseJson(text) };
    } catch (error) {
      throw new UpstreamUnavailableError(
        this.service,
        timeout.signal.aborted
          ? `${this.service} did not answer within ${this.timeoutMs} ms (${this.baseUrl})`
          : `${this.service} unreachable at ${this.baseUrl} (${reasonOf(error)})`,
      );
    } finally {
      clearTimeout(timer);
    }
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
