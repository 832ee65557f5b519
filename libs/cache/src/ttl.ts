/**
 * Adds up to `ratio` random extra seconds so entries written together (a warm-up, a deploy) do not
 * all expire in the same second and stampede the database together.
 */
export const jitteredTtl = (ttlSeconds: number, ratio = 0.1, random: () => number = Math.random): number =>
  Math.max(1, Math.round(ttlSeconds * (1 + ratio * random())));
