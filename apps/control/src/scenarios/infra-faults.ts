import { RunnerClient } from '../runner/runner-client';

// What the fault scenarios share: the reason they cannot run without the runner's channel, and
// stopping infra servers in a way that always starts them again (ready) when the scenario ends.

export const NEEDS_RUNNER =
  'needs the native runner’s control channel (pnpm stack); in compose, control has no Docker API socket';

/**
 * Runs `body` with a `stop(name)` that stops an infra server (redis-lock-N, redis-cache, kafka);
 * every server it stopped is started again however `body` ends, last stopped first, and each start
 * resolves only once the server is ready. A server that cannot be started again fails the run.
 */
export async function withStoppedServers<T>(
  runner: RunnerClient,
  log: (line: string) => void,
  body: (stop: (name: string) => Promise<void>) => Promise<T>,
): Promise<T> {
  const stopped: string[] = [];
  const stop = async (name: string) => {
    stopped.push(name); // before the call: a stop that fails midway is still healed
    const at = Date.now();
    await runner.stopServer(name);
    log(`${name} stopped (${Date.now() - at} ms)`);
  };
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await body(stop) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Heal whatever happened above: last stopped, first started.
  const unhealed: string[] = [];
  for (const name of stopped.reverse()) {
    const at = Date.now();
    try {
      await runner.startServer(name);
      log(`${name} started again, ready after ${Date.now() - at} ms`);
    } catch (error) {
      const state = await runner
        .servers()
        .then((list) => list.find((s) => s.name === name)?.state)
        .catch(() => undefined);
      if (state === 'running') continue; // it was never stopped (the stop itself failed)
      log(`could not start ${name} again: ${String(error)}`);
      unhealed.push(name);
    }
  }
  if (!outcome.ok) throw outcome.error;
  if (unhealed.length) throw new Error(`not healed: ${unhealed.join(', ')} did not start again`);
  return outcome.value;
}
