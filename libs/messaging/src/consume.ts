// Declared consumers: a provider method marked @ConsumeEvents({ group, events }) is found at boot and
// handed each event already parsed by its contract. Parsing, and sending what does not parse (or
// is not an event the group handles) straight to the dead-letter topic, happen here and only here.
import { SetMetadata } from '@nestjs/common';
import { type DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { ConsumerGroup } from '@sdp/topology';
import type { MessageContext } from './consumer';
import type { EventDefinition, EventEnvelope } from './envelope';
import { NonRetryableError } from './retry';

/** Any event contract made with defineEvent (see @sdp/contracts). */
export type EventContract = EventDefinition<string, unknown>;

/** The envelope a handler of `E` receives, parsed: one member per contract, told apart by `type`. */
export type ConsumedEvent<E extends EventContract> =
  E extends EventDefinition<infer TType, infer TData> ? EventEnvelope<TData, TType> : never;

export interface ConsumeOptions<E extends readonly EventContract[]> {
  /** The consumer group, named in `consumerGroups` (@sdp/topology); the stack's topic prefix is added once, at start. */
  group: ConsumerGroup;
  /** The contracts handled; each event is consumed from the topic of its type. */
  events: E;
}

type Handler<E extends EventContract> = (event: ConsumedEvent<E>, context: MessageContext) => Promise<void>;

const CONSUME_EVENTS = Symbol('CONSUME_EVENTS');

/**
 * Marks a provider method as the handler of `events` in consumer group `group`. Several methods (of
 * one provider or several) may share a group, each with its own events: the group is one Kafka
 * consumer that hands every event to its method. The method's first parameter must accept every
 * listed contract's envelope.
 */
export function ConsumeEvents<const E extends readonly EventContract[]>(options: ConsumeOptions<E>) {
  return <M extends Handler<E[number]>>(
    target: object,
    method: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    SetMetadata(CONSUME_EVENTS, options)(target, method, descriptor);
  };
}

/**
 * Parses an envelope with the contract of its type; an event of another type, or whose data breaks
 * the contract, can never succeed, so it is NonRetryable (straight to the DLQ).
 */
export function parseEvent<const E extends readonly EventContract[]>(
  events: E,
  envelope: EventEnvelope,
  consumer: string,
): ConsumedEvent<E[number]> {
  const contract = events.find((event) => event.type === envelope.type);
  if (!contract) throw new NonRetryableError(`${consumer} does not handle events of type "${envelope.type}"`);
  const parsed = contract.parse(envelope);
  if (!parsed.ok) throw new NonRetryableError(parsed.reason);
  return parsed.envelope as ConsumedEvent<E[number]>;
}

/** A group as declared: its events and the method each one goes to. */
export interface DeclaredGroup {
  group: ConsumerGroup;
  /** Event types, which are also the (unprefixed) topics. */
  topics: string[];
  handle(envelope: EventEnvelope, context: MessageContext): Promise<void>;
}

interface Route {
  contract: EventContract;
  /** `Class.method`, for error messages. */
  owner: string;
  handle(event: EventEnvelope, context: MessageContext): Promise<void>;
}

/** The @ConsumeEvents declarations of one class (method, group, event types), e.g. for its unit test. */
export function declaredHandlers(type: abstract new (...args: never[]) => unknown) {
  const reflector = new Reflector();
  const prototype = type.prototype as Record<string, () => unknown>;
  return new MetadataScanner().getAllMethodNames(prototype).flatMap((method) => {
    const options = reflector.get<ConsumeOptions<readonly EventContract[]> | undefined>(
      CONSUME_EVENTS,
      prototype[method],
    );
    return options ? [{ method, group: options.group, events: options.events.map((e) => e.type) }] : [];
  });
}

type Routes = Map<ConsumerGroup, Map<string, Route>>;

/** Adds the @ConsumeEvents methods of one provider instance to `groups`; an event twice in a group is an error. */
function addRoutes(groups: Routes, instance: object, name: string, scanner: MetadataScanner): boolean {
  const reflector = new Reflector();
  let found = false;
  const methods = instance as Record<string, Route['handle']>;
  for (const method of scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
    const options = reflector.get<ConsumeOptions<readonly EventContract[]> | undefined>(
      CONSUME_EVENTS,
      methods[method],
    );
    if (!options) continue;
    found = true;
    const owner = `${name}.${method}`;
    const routes = groups.get(options.group) ?? new Map<string, Route>();
    groups.set(options.group, routes);
    for (const contract of options.events) {
      const taken = routes.get(contract.type);
      if (taken) {
        throw new Error(
          `group "${options.group}": ${contract.type} is handled by ${taken.owner} and ${owner}`,
        );
      }
      routes.set(contract.type, { contract, owner, handle: methods[method].bind(instance) });
    }
  }
  return found;
}

function toGroup(group: ConsumerGroup, routes: Map<string, Route>): DeclaredGroup {
  const contracts = [...routes.values()].map((r) => r.contract);
  return {
    group,
    topics: [...routes.keys()],
    handle: async (envelope, context) => {
      const event = parseEvent(contracts, envelope, `group "${group}"`);
      await routes.get(event.type)!.handle(event, context);
    },
  };
}

/**
 * Every @ConsumeEvents method of the app's providers, grouped by consumer group. Fails the boot when
 * two methods claim the same event in one group, or a handler sits on a request-scoped provider.
 */
export function discoverConsumers(discovery: DiscoveryService, scanner: MetadataScanner): DeclaredGroup[] {
  const groups: Routes = new Map();
  for (const wrapper of discovery.getProviders()) {
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object') continue;
    const name = String(wrapper.name);
    if (addRoutes(groups, instance, name, scanner) && !wrapper.isDependencyTreeStatic()) {
      throw new Error(`${name}: a provider with @ConsumeEvents methods must be a singleton`);
    }
  }
  return [...groups].map(([group, routes]) => toGroup(group, routes));
}

/**
 * Hands an envelope to one provider's @ConsumeEvents handler the way its consumer would: parsed by
 * the contract of its type, NonRetryableError when it does not parse or no handler takes its type.
 * For unit tests, which build the provider by hand.
 */
export async function deliverTo(
  instance: object,
  envelope: EventEnvelope,
  context?: MessageContext,
): Promise<void> {
  const groups: Routes = new Map();
  addRoutes(groups, instance, instance.constructor.name, new MetadataScanner());
  const matching = [...groups].filter(([, routes]) => routes.has(envelope.type));
  const [group, routes] = matching[0] ?? [...groups][0] ?? [];
  if (!group || !routes) throw new Error(`${instance.constructor.name} has no @ConsumeEvents handler`);
  if (matching.length > 1) throw new Error(`${envelope.type} is handled in ${matching.length} groups`);
  const at = context ?? { topic: envelope.type, partition: 0, offset: '0', headers: {} };
  await toGroup(group, routes).handle(envelope, at);
}
