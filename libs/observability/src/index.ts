export * from './request-id';
export * from './fastify-adapter';
export * from './metrics.service';
export * from './readiness.service';
export * from './http-error.filter';
export * from './observability.module';
