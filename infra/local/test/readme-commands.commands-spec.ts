// A README command that no test runs is a defect. Every `pnpm <script>` the README names (tables and
// code blocks) must be a root script that answers --help with exit 0; the cheap ones run for real,
// exactly as written. (The long ones, test tiers and benchmarks, run in test-all.sh or by hand.)
import fs from 'node:fs';
import path from 'node:path';
import { run } from '../src/process';

const repoRoot = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const scripts = Object.keys(
  (
    JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts,
);
const PNPM_BUILTINS = new Set(['install', 'add', 'exec', 'dlx']);

/** The script names of every `pnpm <name>` in the README's code (backticks, or a code-block line), once each. */
export function readmePnpmScripts(text: string): string[] {
  return [...new Set([...text.matchAll(/(?:^|`)pnpm ([a-z][\w:-]*)/gm)].map((m) => m[1]))].filter(
    (name) => !PNPM_BUILTINS.has(name),
  );
}

const pnpm = (args: string) =>
  run('bash', ['-c', `pnpm ${args} </dev/null; echo "exit=$?"`], { cwd: repoRoot, timeoutMs: 120_000 });
const exitOf = (stdout: string) => Number(/exit=(\d+)\s*$/.exec(stdout)?.[1]);

describe('the README names only commands that exist and start', () => {
  const named = readmePnpmScripts(readme);

  it('finds the commands of the tables and the run and test sections', () => {
    expect(named).toEqual(
      expect.arrayContaining([
        'stack',
        'logs',
        'test',
        'test:int',
        'test:e2e',
        'bench:edge',
        'dlq',
        'compose:render',
      ]),
    );
  });

  it.each(named)('pnpm %s is a root script', (name) => {
    expect(scripts).toContain(name);
  });

  it.each(named)('pnpm %s --help exits 0', async (name) => {
    const { stdout } = await pnpm(`${name} --help`);
    expect({ name, exit: exitOf(stdout) }).toEqual({ name, exit: 0 });
    expect(stdout.toLowerCase()).toMatch(/usage/);
  });
});

describe('the cheap table rows, run as written', () => {
  it('pnpm dlq list reads every dead-letter topic of the running broker', async () => {
    const { stdout } = await pnpm('dlq list');
    expect(exitOf(stdout)).toBe(0);
    expect(stdout).toMatch(/^order\.placed\.dlq:/m);
  });

  it('pnpm compose:render rewrites the compose nginx configs, identical to the committed ones', async () => {
    const dir = path.join(repoRoot, 'infra/compose/nginx');
    const read = () => fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
    const before = read();
    const { stdout } = await pnpm('compose:render');
    expect(exitOf(stdout)).toBe(0);
    expect(stdout).toMatch(/wrote .*edge\.conf\.template/);
    expect(read()).toEqual(before);
  });
});
