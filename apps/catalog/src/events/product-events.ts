import { defineEvent, dlqTopic } from '@sdp/messaging';
import { z } from 'zod';

export const PRODUCT_UPDATED_TOPIC = 'product.updated';

/** Published after a product change is committed; keyed by product id so one product's changes stay in order. */
export const ProductUpdated = defineEvent(
  'product.updated',
  z.object({
    id: z.number().int().positive(),
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    priceCents: z.number().int().positive(),
    changed: z.array(z.enum(['name', 'description', 'priceCents'])),
    updatedAt: z.iso.datetime({ offset: true }),
  }),
);

export const catalogTopics = [PRODUCT_UPDATED_TOPIC, dlqTopic(PRODUCT_UPDATED_TOPIC)];
