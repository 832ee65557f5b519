/**
 * Adds up to `ratio` random extra seconds so entries written together (a warm-up, a deploy) do not
 * all expire in the same second and stampede the database together.
 */
export const jitteredTtl = (ttlSeconds: number, ratio = 0.1, random: () => number = Math.random): number =>
  Math.max(1, Math.round(ttlSeconds * (1 + ratio * random())));

/**
 * Probabilistic early expiration ("XFetch", Vattani et al. 2015): refresh a cached value before it
 * expires with a probability that rises as expiry nears and with how long the value takes to load
 * (`deltaMs`). One reader, at a random moment shortly before expiry, reloads while the others keep
 * hitting, so a hot key never expires under load. `beta` > 1 refreshes earlier, 0 never.
 */
export const shouldRefreshEarly = (
  deltaMs: number,
  expiresAtMs: number,
  beta: number,
  nowMs: number = Date.now(),
  random: () => number = Math.random,
): boolean => beta > 0 && nowMs - deltaMs * beta * Math.log(random()) >= expiresAtMs;
