// `pnpm stack [--build] [--down] [--logs <service|replica>]`
export interface StackOptions {
  /** Run `pnpm build` first even when every service's dist exists. */
  build: boolean;
  /** Stop the infrastructure too when the stack exits. */
  down: boolean;
  /** After start-up, follow this service's (or replica's) logs on the console, pretty-printed. */
  logs?: string;
}

export const stackUsage = `usage: pnpm stack [--build] [--down] [--logs <service|replica>]
  --build   run \`pnpm build\` first (otherwise only when a service's dist/main.js is missing)
  --down    also stop the infrastructure on exit (default: leave it running)
  --logs    once ready, follow one service's logs here, pretty-printed (e.g. --logs orders)
Each replica's JSON log is written to .infra/logs/<replica>.log; \`pnpm logs <service>\` follows it
from another terminal.`;

/** Returns the options, or 'help'. Throws on anything unknown. */
export function parseStackArgs(argv: readonly string[]): StackOptions | 'help' {
  const options: StackOptions = { build: false, down: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--')
      continue; // `pnpm stack -- --build`
    else if (arg === '--build') options.build = true;
    else if (arg === '--down') options.down = true;
    else if (arg === '--logs') {
      const name = argv[++i];
      if (!name || name.startsWith('-'))
        throw new Error(`--logs needs a service or replica name\n${stackUsage}`);
      options.logs = name;
    } else if (arg === '--help' || arg === '-h') return 'help';
    else throw new Error(`unknown argument "${arg}"\n${stackUsage}`);
  }
  return options;
}
