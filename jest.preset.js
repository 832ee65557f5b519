// One Jest setup for every package: three projects (unit, integration, e2e) that differ only in
// which files they pick up. Packages call createJestConfig(__dirname); the root uses the repo root.
const fs = require('node:fs');
const path = require('node:path');

const swc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swc.$schema;

const shared = (rootDir) => ({
  rootDir,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleNameMapper: { '^@sdp/([a-z-]+)$': path.join(__dirname, 'libs/$1/src') },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
});

function createJestConfig(rootDir) {
  return {
    projects: [
      { ...shared(rootDir), displayName: 'unit', testMatch: ['<rootDir>/**/src/**/*.spec.ts'] },
      {
        ...shared(rootDir),
        displayName: 'integration',
        testMatch: ['<rootDir>/**/src/**/*.int-spec.ts'],
        testTimeout: 60_000,
      },
      {
        ...shared(rootDir),
        displayName: 'e2e',
        testMatch: ['<rootDir>/**/test/**/*.e2e-spec.ts'],
        testTimeout: 120_000,
      },
    ],
  };
}

module.exports = { createJestConfig };
