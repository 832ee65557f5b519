import { BadRequestException, Injectable } from '@nestjs/common';
import { sleep } from '@sdp/scheduling';
import { Observer, type Snapshot } from '../observer/observer.service';
import { RunnerClient } from '../runner/runner-client';
import { NEEDS_RUNNER, withStoppedServers } from './infra-faults';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { Shop, type Buyer } from './shop';

// Kafka down (docs/outbox-and-idempotency.md): the broker is stopped while buyers
// keep checking out. orders writes each order and its order.placed event in one Postgres
// transaction, so checkouts are still accepted; the events wait in the outbox (its backlog grows
// on the diagram) and the relay publishes them once Kafka is back. Invariant: every checkout
// accepted, the backlog grew and drained, and every accepted order reached a final state (lost 0).

export const KAFKA_DOWN_SECONDS = { default: 30, min: 5, max: 120 } as const;
const CHECKOUT_EVERY_MS = 1_000;
const DRAIN_TIMEOUT_MS = 120_000;
const SETTLE_TIMEOUT_MS = 180_000;

/** The unpublished outbox rows of every service, from the diagram (outbox_backlog gauges). */
export const outboxBacklog = (snapshot: Snapshot): number =>
  snapshot.nodes
    .flatMap((n) => n.figures)
    .filter((f) => f.label === 'outbox backlog')
    .reduce((sum, f) => sum + (Number(f.value) || 0), 0);

@Injectable()
export class KafkaDownScenario implements Scenario {
  readonly name = 'kafka-down';
  readonly title = 'Stop Kafka for 30 s during checkouts';
  readonly description =
    'Stops the broker while a buyer checks out every second, starts it again after 30 s. Invariant: every checkout accepted (order and event in one transaction), the outbox backlog grows then drains, every accepted order reaches a final state (lost 0).';

  constructor(
    private readonly runner: RunnerClient,
    private readonly observer: Observer,
    private readonly shop: Shop,
  ) {}

  unavailable(): string | undefined {
    return this.runner.available ? undefined : NEEDS_RUNNER;
  }

  prepare(params: ScenarioParams): ScenarioParams {
    const seconds = params.seconds ?? KAFKA_DOWN_SECONDS.default;
    if (!Number.isInteger(seconds) || seconds < KAFKA_DOWN_SECONDS.min || seconds > KAFKA_DOWN_SECONDS.max)
      throw new BadRequestException(
        `seconds must be an integer from ${KAFKA_DOWN_SECONDS.min} to ${KAFKA_DOWN_SECONDS.max} (got ${seconds})`,
      );
    return { seconds };
  }

  async run(params: ScenarioParams, { runId, log }: ScenarioContext): Promise<ScenarioResult> {
    const seconds = params.seconds!;
    const product = await this.shop.firstProduct();
    const sku = product.sku;
    const before = await this.shop.stock(sku);
    const budget = seconds + 10; // one unit per checkout: about one a second while Kafka is away
    await this.shop.setOnHand(sku, before.onHand + budget);
    const release = this.observer.hold();
    let peakBacklog = 0;
    const unsubscribe = this.observer.subscribe(
      (s) => (peakBacklog = Math.max(peakBacklog, outboxBacklog(s))),
    );
    const accepted: { buyer: Buyer; orderId: string }[] = [];
    const refused: number[] = [];
    const timing = { drainedAfterMs: -1 };
    try {
      const startBacklog = outboxBacklog(await this.observer.snapshot());
      await withStoppedServers(this.runner, log, async (stop) => {
        await stop('kafka');
        log(
          `checking out one unit of ${product.name} (${sku}) every ${CHECKOUT_EVERY_MS} ms for ${seconds} s`,
        );
        const until = Date.now() + seconds * 1_000;
        for (let i = 1; Date.now() < until && i <= budget; i++) {
          const buyer: Buyer = { userId: `kafka-${runId.slice(0, 8)}-${i}`, role: 'customer' };
          const response = await this.shop.checkout(buyer, sku);
          if (response.status === 202) accepted.push({ buyer, orderId: response.body.orderId });
          else refused.push(response.status);
          await sleep(CHECKOUT_EVERY_MS);
        }
        log(
          `while Kafka was down: ${accepted.length} checkouts accepted, ${refused.length} refused${refused.length ? ` (${refused.join(' ')})` : ''}; outbox backlog peaked at ${peakBacklog} (from ${startBacklog})`,
        );
      });
      const restartedAt = Date.now();
      await this.observer
        .waitFor(
          (s) => s.nodes.find((n) => n.id === 'kafka')?.status === 'up' && outboxBacklog(s) === 0,
          DRAIN_TIMEOUT_MS,
        )
        .then(() => {
          timing.drainedAfterMs = Date.now() - restartedAt;
          log(`the outbox drained ${timing.drainedAfterMs} ms after Kafka was back`);
        })
        .catch(() => log(`the outbox did not drain within ${DRAIN_TIMEOUT_MS / 1000} s`));
      // The consumers rejoin their groups after the outage: give them longer than a normal settle.
      const statuses = await this.shop.settle(accepted, SETTLE_TIMEOUT_MS);
      const confirmed = statuses.filter((s) => s === 'CONFIRMED').length;
      const cancelled = statuses.filter((s) => s === 'CANCELLED').length;
      const lost = accepted.length - confirmed - cancelled;
      log(`orders settled: ${confirmed} confirmed, ${cancelled} cancelled, ${lost} still pending`);
      const { drainedAfterMs } = timing;
      return {
        held:
          accepted.length > 0 &&
          refused.length === 0 &&
          peakBacklog > startBacklog &&
          drainedAfterMs >= 0 &&
          lost === 0,
        invariant:
          `Kafka down ${seconds} s: accepted ${accepted.length}, refused ${refused.length}` +
          `; outbox backlog peak ${peakBacklog}, drained ${drainedAfterMs >= 0 ? `after ${drainedAfterMs} ms` : 'never'}` +
          `; settled ${confirmed + cancelled}/${accepted.length} (confirmed ${confirmed}, cancelled ${cancelled}), lost ${lost}`,
        figures: {
          sku,
          seconds,
          accepted: accepted.length,
          refused: refused.length,
          peakBacklog,
          drainedAfterMs,
          confirmed,
          cancelled,
          lost,
        },
      };
    } finally {
      unsubscribe();
      release();
      await this.shop.restoreAvailable(sku, before.available).then(
        () => log(`stock restored: available back to ${before.available}`),
        (error: unknown) => log(`could not restore the stock of ${sku}: ${String(error)}`),
      );
    }
  }
}
