export * from './cache-aside';
export * from './single-flight';
export * from './ttl';
export * from './write-strategy';
export * from './write-back';
export * from './leaderboard';
