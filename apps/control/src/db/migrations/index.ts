import { CreateScenarioRuns1765100000000 } from './1765100000000-create-scenario-runs';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const controlMigrations = [CreateScenarioRuns1765100000000];
