import path from 'node:path';

/** The repository root (this file is infra/local/src/workspace.ts). */
export const repoRoot = path.resolve(__dirname, '../../..');
