// `infra up | down [--wipe] | status`
export type Command =
  { name: 'up' } | { name: 'down'; wipe: boolean } | { name: 'status' } | { name: 'help' };

export const usage = `usage: pnpm infra:up | pnpm infra:down [--wipe] | pnpm infra:status
  infra:up      start Postgres, Redis x4 (cache, 3 lock nodes) and Kafka on loopback (state in .infra/)
  infra:down    stop them (--wipe also deletes their data)
  infra:status  one line per server; exit code 0 when all are up, 3 otherwise`;

export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h') || name === '--help') return { name: 'help' };
  const flags = new Set(rest);
  const unknown = rest.filter((a) => a !== '--wipe' || name !== 'down');
  if (unknown.length > 0) throw new Error(`unknown argument "${unknown[0]}"\n${usage}`);
  switch (name) {
    case 'up':
      return { name: 'up' };
    case 'down':
      return { name: 'down', wipe: flags.has('--wipe') };
    case 'status':
      return { name: 'status' };
    default:
      throw new Error(name ? `unknown command "${name}"\n${usage}` : usage);
  }
}
