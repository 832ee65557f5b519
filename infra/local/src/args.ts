// `infra up | down [--wipe] | status`
export type Command = { name: 'up' } | { name: 'down'; wipe: boolean } | { name: 'status' };

export const usage = 'usage: infra up | infra down [--wipe] | infra status';

export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
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
