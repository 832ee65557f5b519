export * from './periodic-task';
export * from './sleep';
