/**
 * The order in which one dispatcher tries the free couriers: a fresh random permutation per round
 * (Fisher-Yates), so dispatchers running at the same moment mostly start on different couriers and
 * meet on a lock only now and then. A fixed order (everyone tries courier-01 first) would make every
 * dispatcher queue on the same lock; a real matcher would rank by distance instead.
 */
export function candidateCouriers(free: readonly string[], random: () => number = Math.random): string[] {
  const order = [...new Set(free)];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
