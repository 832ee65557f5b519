export * from './create-app';
export * from './run-service';
