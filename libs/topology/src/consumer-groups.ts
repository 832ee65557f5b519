// Every Kafka consumer group in the project, named once, per service. A group is a plain name: the
// messaging library adds the stack's topic prefix (KAFKA_TOPIC_PREFIX) exactly once when it starts
// the consumer, so two stacks sharing a broker never share a group. Renaming a group here makes a
// new group in every environment, which re-reads its topics from the oldest retained event
// (consumers are idempotent, so that is harmless but not free).

export const consumerGroups = {
  catalog: {
    /** product.updated: one replica per change refreshes the shared Redis entry and the edge. */
    productChanges: 'catalog-product-changes',
    /** order.confirmed / order.cancelled: the best-seller ranking. */
    bestSellers: 'catalog-best-sellers',
    /** stock.changed: availability in Redis. */
    availability: 'catalog-availability',
  },
  inventory: {
    /** order.confirmed / order.cancelled: settle stock holds. */
    orderEvents: 'inventory',
  },
  orders: {
    /** payment.succeeded / payment.failed: the saga's second half. */
    paymentOutcomes: 'orders',
    /** order.unfulfillable, in a group of its own: a stuck payment outcome must not hold up compensations. */
    inventoryOutcomes: 'orders.inventory-events',
    /** auction.closed: one order for each auction's winner, which then goes through the payment saga. */
    auctionWinners: 'orders.auction-winners',
  },
  payments: {
    /** order.placed: charge. */
    charges: 'payments',
    /** order.cancelled, in a group of its own: refunds must not queue behind a slow charge, nor the reverse. */
    refunds: 'payments-refunds',
  },
  notifications: {
    /** order.confirmed / order.cancelled / payment.refunded: tell the user. */
    orderOutcomes: 'notifications',
    /** delivery.assigned / delivery.delivered / delivery.cancelled, in a group of its own: courier news must not queue behind order outcomes. */
    deliveryUpdates: 'notifications.delivery',
  },
  delivery: {
    /** order.confirmed: a confirmed order becomes a delivery job waiting for a courier. */
    orderConfirmed: 'delivery',
    /** order.cancelled, in a group of its own: a cancellation must not wait behind a backlog of confirmations. */
    orderCancelled: 'delivery.order-cancelled',
  },
} as const;

export type ConsumerGroup = {
  [S in keyof typeof consumerGroups]: (typeof consumerGroups)[S][keyof (typeof consumerGroups)[S]];
}[keyof typeof consumerGroups];
