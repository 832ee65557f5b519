export * from './create-app';
export * from './dto-rules';
export * from './error-reply';
export * from './request-input';
export * from './run-service';
export * from './service-modules';
