// `pnpm stack [--build] [--down]`
export interface StackOptions {
  /** Run `pnpm build` first even when every service's dist exists. */
  build: boolean;
  /** Stop the infrastructure too when the stack exits. */
  down: boolean;
}

export const stackUsage = `usage: pnpm stack [--build] [--down]
  --build  run \`pnpm build\` first (otherwise only when a service's dist/main.js is missing)
  --down   also stop the infrastructure on exit (default: leave it running)`;

/** Returns the options, or 'help'. Throws on anything unknown. */
export function parseStackArgs(argv: readonly string[]): StackOptions | 'help' {
  const options: StackOptions = { build: false, down: false };
  for (const arg of argv) {
    if (arg === '--')
      continue; // `pnpm stack -- --build`
    else if (arg === '--build') options.build = true;
    else if (arg === '--down') options.down = true;
    else if (arg === '--help' || arg === '-h') return 'help';
    else throw new Error(`unknown argument "${arg}"\n${stackUsage}`);
  }
  return options;
}
