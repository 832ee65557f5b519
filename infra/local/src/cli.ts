// Entry point of `pnpm infra:up | infra:down [--wipe] | infra:status`.
import { repoRoot } from './workspace';
import { parseArgs, usage } from './args';
import { down, status, up } from './lifecycle';
import { infraPaths } from './paths';
import { allServers } from './servers';

async function main(): Promise<number> {
  const command = parseArgs(process.argv.slice(2));
  const paths = infraPaths(repoRoot);
  switch (command.name) {
    case 'up':
      return (await up(allServers(), paths, repoRoot)) ? 0 : 1;
    case 'down':
      await down(allServers(), paths, command.wipe);
      return 0;
    case 'status':
      return (await status(allServers(), paths)) ? 0 : 3;
    case 'help':
      console.log(usage);
      return 0;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
