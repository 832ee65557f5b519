import { z } from 'zod';

// The live architecture page's API (/api/admin/control/*, admin only): the diagram with its
// figures, the scenarios and their recorded runs. Served by apps/control.

export const controlScenarioNames = [
  'flash-sale',
  'kill-replica',
  'lock-nodes-down',
  'kafka-down',
  'cache-down',
  'origin-down',
  'payment-failures',
  'write-strategy',
  'cdn-regions',
] as const;

const health = z.enum(['up', 'down', 'degraded', 'unknown']);
const figure = z.object({
  label: z.string(),
  value: z.string(),
  source: z.string().describe('the metric or command the number comes from'),
});

export const diagramNode = z
  .object({
    id: z.string(),
    label: z.string(),
    kind: z.enum(['proxy', 'service', 'cache', 'lock', 'queue', 'database', 'storage']),
    status: health,
    figures: z.array(figure),
    replicas: z.array(z.object({ id: z.string(), status: health, figures: z.array(figure) })).optional(),
    doc: z.string().describe('the study-guide page, e.g. docs/cdn.md'),
    code: z.string().describe('the file or folder that implements it'),
  })
  .meta({ id: 'DiagramNode' });

export const controlRun = z
  .object({
    id: z.uuid(),
    scenario: z.string(),
    params: z.record(z.string(), z.unknown()),
    requestedBy: z.string(),
    status: z.enum(['running', 'held', 'broken', 'failed']),
    startedAt: z.iso.datetime({ offset: true }),
    endedAt: z.iso.datetime({ offset: true }).nullable(),
    figures: z.record(z.string(), z.union([z.number(), z.string()])),
    invariant: z.string().nullable().describe('the invariant and the figures that decide it'),
    log: z.array(z.string()),
  })
  .meta({ id: 'ScenarioRun' });
export type ControlRun = z.infer<typeof controlRun>;

export const controlRunList = z.object({ items: z.array(controlRun) });

export const controlFrame = z
  .object({
    snapshot: z.object({
      at: z.iso.datetime({ offset: true }),
      discovery: z.enum(['runner', 'dns']),
      nodes: z.array(diagramNode),
      edges: z.array(z.object({ from: z.string(), to: z.string() })),
    }),
    run: controlRun.nullable(),
  })
  .meta({ id: 'ControlFrame' });
export type ControlFrame = z.infer<typeof controlFrame>;

export const controlScenarioList = z.object({
  items: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      description: z.string(),
      enabled: z.boolean(),
      reason: z.string().optional().describe('why it cannot run here'),
    }),
  ),
});

export const controlRunRequest = z.object({
  scenario: z.enum(controlScenarioNames),
  buyers: z.int().min(1).max(300).optional().describe('flash-sale: buyers at once (default 40)'),
  units: z.int().min(1).max(300).optional().describe('flash-sale: units on sale (default 10)'),
  service: z
    .string()
    .regex(/^[a-z][a-z-]{0,30}$/)
    .optional()
    .describe('kill-replica: a service with two or more replicas (default catalog)'),
  replica: z
    .string()
    .regex(/^[a-z][a-z-]{0,30}-\d{1,2}$/)
    .optional()
    .describe('kill-replica: which one (default the last)'),
  seconds: z
    .int()
    .min(5)
    .max(120)
    .optional()
    .describe('kafka-down: how long Kafka stays stopped (default 30)'),
});

export const controlStreamQuery = z.object({
  access_token: z.string().optional().describe('EventSource cannot send headers: the token may come here'),
});
