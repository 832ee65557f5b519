export * from './infra';
export * from './names';
export * from './wait-for';
export * from './postgres';
export * from './disposable-redis';
export * from './free-ports';
export * from './identity';
export * from './service-process';
