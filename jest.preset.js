// One Jest setup for every package: three projects (unit, integration, e2e) that differ only in
// which files they pick up. Packages call createJestConfig(__dirname); the root uses the repo root.
const fs = require('node:fs');
const path = require('node:path');

const ts = require('typescript');

const swc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swc.$schema;

const esmOnlyPackages = ['@nestjs', 'cookie', 'jose'];

/**
 * Workspace libs resolve to their sources in tests by the rule root scripts use (tsx reads the root
 * tsconfig.json's `paths`): one declaration, not a second copy here. Built services resolve them
 * through each package's `main` (dist/), and tsc per package through `types` (src/index.ts).
 */
function workspaceSourceMapper() {
  const { config, error } = ts.readConfigFile(path.join(__dirname, 'tsconfig.json'), ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { baseUrl = '.', paths = {} } = config.compilerOptions;
  return Object.fromEntries(
    Object.entries(paths).map(([pattern, [target]]) => [
      `^${pattern.replace('*', '([a-z-]+)')}$`,
      path.join(__dirname, baseUrl, target.replace('*', '$1')),
    ]),
  );
}

const shared = (rootDir) => ({
  rootDir,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }],
    '^.+\\.m?js$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        swcrc: false,
      },
    ],
  },
  moduleNameMapper: workspaceSourceMapper(),
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // NestJS 12 ships ESM only. Node 20 can require() it natively, but Jest's module loader cannot
  // (before Node 24.9), so SWC compiles those packages to CommonJS for the tests.
  transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm|${esmOnlyPackages.join('|')})/)`],
});

/** A tier of tests that talk to real servers (Kafka group joins take seconds): longer timeout. */
const slowProject = (rootDir, displayName, testMatch) => ({
  ...shared(rootDir),
  displayName,
  testMatch: [testMatch],
  setupFilesAfterEnv: [path.join(__dirname, 'tools/jest/slow-tests.js')],
});

function createJestConfig(rootDir) {
  return {
    // Repeat every failure at the end of the run whatever the number of suites (Jest's default is
    // only above 20 suites): CI keeps the tail of a long log, and the failure must be in it.
    reporters: [['default', { summaryThreshold: 0 }]],
    projects: [
      { ...shared(rootDir), displayName: 'unit', testMatch: ['<rootDir>/**/src/**/*.spec.ts'] },
      slowProject(rootDir, 'integration', '<rootDir>/**/src/**/*.int-spec.ts'),
      slowProject(rootDir, 'e2e', '<rootDir>/**/test/**/*.e2e-spec.ts'),
      // The README's commands run exactly as written (pnpm stack through a pseudo-terminal, ...).
      slowProject(rootDir, 'commands', '<rootDir>/**/test/**/*.commands-spec.ts'),
      // The hostile-input tier (pnpm test:fuzz): generated requests against a private full stack.
      slowProject(rootDir, 'fuzz', '<rootDir>/**/fuzz/**/*.fuzz-spec.ts'),
    ],
  };
}

module.exports = { createJestConfig };
