// One Jest setup for every package: three projects (unit, integration, e2e) that differ only in
// which files they pick up. Packages call createJestConfig(__dirname); the root uses the repo root.
const fs = require('node:fs');
const path = require('node:path');

const swc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swc.$schema;

const esmOnlyPackages = ['@nestjs', 'cookie', 'jose'];

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
  moduleNameMapper: { '^@sdp/([a-z-]+)$': path.join(__dirname, 'libs/$1/src') },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // NestJS 12 ships ESM only. Node 20 can require() it natively, but Jest's module loader cannot
  // (before Node 24.9), so SWC compiles those packages to CommonJS for the tests.
  transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm|${esmOnlyPackages.join('|')})/)`],
});

function createJestConfig(rootDir) {
  return {
    projects: [
      { ...shared(rootDir), displayName: 'unit', testMatch: ['<rootDir>/**/src/**/*.spec.ts'] },
      {
        ...shared(rootDir),
        displayName: 'integration',
        testMatch: ['<rootDir>/**/src/**/*.int-spec.ts'],
        setupFilesAfterEnv: [path.join(__dirname, 'tools/jest/slow-tests.js')],
      },
      {
        ...shared(rootDir),
        displayName: 'e2e',
        testMatch: ['<rootDir>/**/test/**/*.e2e-spec.ts'],
        setupFilesAfterEnv: [path.join(__dirname, 'tools/jest/slow-tests.js')],
      },
      {
        // The README's commands run exactly as written (pnpm stack through a pseudo-terminal, ...).
        ...shared(rootDir),
        displayName: 'commands',
        testMatch: ['<rootDir>/**/test/**/*.commands-spec.ts'],
        setupFilesAfterEnv: [path.join(__dirname, 'tools/jest/slow-tests.js')],
      },
      {
        // The hostile-input tier (pnpm test:fuzz): generated requests against a private full stack.
        ...shared(rootDir),
        displayName: 'fuzz',
        testMatch: ['<rootDir>/**/fuzz/**/*.fuzz-spec.ts'],
        setupFilesAfterEnv: [path.join(__dirname, 'tools/jest/slow-tests.js')],
      },
    ],
  };
}

module.exports = { createJestConfig };
