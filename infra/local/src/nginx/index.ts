export * from './render';
export * from './nginx-process';
export * from './stack-proxies';
