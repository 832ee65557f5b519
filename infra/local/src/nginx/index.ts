export * from './render';
export * from './nginx-process';
