// A scenario: an experiment from the study guide, run against the live stack from the page, that
// ends with its invariant checked. Figures and the invariant line are recorded with the run.

export interface ScenarioParams {
  buyers?: number;
  units?: number;
  service?: string;
  replica?: string;
  /** kafka-down: how long the broker stays stopped. */
  seconds?: number;
}

export interface ScenarioContext {
  runId: string;
  log(line: string): void;
}

export interface ScenarioResult {
  held: boolean;
  /** One line: the invariant and the figures that decide it, e.g. "confirmed 20 = units 20, oversold 0". */
  invariant: string;
  figures: Record<string, number | string>;
}

export interface Scenario {
  name: string;
  title: string;
  /** What it does and what it proves, shown beside the button. */
  description: string;
  /** Why it cannot run in this stack (e.g. no runner channel), or undefined when it can. */
  unavailable(): string | undefined;
  /** Checks the parameters (400 naming the problem) and fills defaults. */
  prepare(params: ScenarioParams): ScenarioParams;
  run(params: ScenarioParams, context: ScenarioContext): Promise<ScenarioResult>;
}
