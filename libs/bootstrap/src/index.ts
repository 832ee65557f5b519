export * from './create-app';
export * from './run-service';
export * from './service-modules';
