import { routeTable, type HttpMethod, type RouteSpec } from './route-table';

export type RouteMatch =
  | { kind: 'found'; route: RouteSpec; upstreamPath: string }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'bad-parameter'; message: string }
  | { kind: 'not-found' };

/** One path segment as it may travel upstream: no separators, dot-segments or control characters. */
const SAFE_SEGMENT = /^[\w~.-]{1,128}$/;

interface Compiled {
  route: RouteSpec;
  segments: string[];
  /** Static segments win over parameters: /api/products/top before /api/products/:id. */
  staticCount: number;
}

const compile = (route: RouteSpec): Compiled => {
  const segments = route.path.split('/').filter(Boolean);
  return { route, segments, staticCount: segments.filter((s) => !s.startsWith(':')).length };
};

/**
 * Matches a method and path (no query string) against a route table and builds the upstream path.
 * Parameters are percent-decoded, checked, and re-encoded: `..%2F` cannot walk the upstream path.
 */
export class RouteMatcher {
  /** Routes by segment count (the first filter every lookup applies), static-first within each. */
  private readonly bySegmentCount = new Map<number, Compiled[]>();

  constructor(table: readonly RouteSpec[] = routeTable) {
    const sorted = table.map(compile).sort((a, b) => b.staticCount - a.staticCount);
    for (const entry of sorted) {
      const bucket = this.bySegmentCount.get(entry.segments.length) ?? [];
      bucket.push(entry);
      this.bySegmentCount.set(entry.segments.length, bucket);
    }
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').filter(Boolean);
    const candidates: { entry: Compiled; params: Record<string, string> }[] = [];
    for (const entry of this.bySegmentCount.get(parts.length) ?? []) {
      const params = matchSegments(entry.segments, parts);
      if (params) candidates.push({ entry, params });
    }
    if (candidates.length === 0) return { kind: 'not-found' };
    const hit = candidates.find((c) => c.entry.route.method === method.toUpperCase());
    if (!hit) {
      const allow = [...new Set(candidates.map((c) => c.entry.route.method))];
      return { kind: 'method-not-allowed', allow };
    }
    const decoded: Record<string, string> = {};
    for (const [name, raw] of Object.entries(hit.params)) {
      let value: string;
      try {
        value = decodeURIComponent(raw);
      } catch {
        return { kind: 'bad-parameter', message: `path parameter ${name} is not valid percent-encoding` };
      }
      if (!SAFE_SEGMENT.test(value) || value === '.' || value === '..') {
        return {
          kind: 'bad-parameter',
          message: `path parameter ${name} must be 1-128 letters, digits, "-", "_", "." or "~"`,
        };
      }
      decoded[name] = value;
    }
    return {
      kind: 'found',
      route: hit.entry.route,
      upstreamPath: fillTarget(hit.entry.route.target, decoded),
    };
  }
}

/** Same length assumed (the caller's bucket); static segments are compared before any allocation. */
function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i][0] !== ':' && pattern[i] !== parts[i]) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i][0] === ':') params[pattern[i].slice(1)] = parts[i];
  }
  return params;
}

const fillTarget = (target: string, params: Record<string, string>): string =>
  target.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name]));
