// `node dist/main.js`: one WAN link from the environment (docker compose runs one per remote region).
// A bad variable stops it at boot, named; SIGTERM closes the listener and every open connection.
import { loadWanLinkConfig, targetOf } from './config';
import { startWanLink } from './wan-link';

async function main(): Promise<void> {
  const config = loadWanLinkConfig();
  const target = targetOf(config);
  const link = await startWanLink({ host: config.HOST, port: config.PORT, target, rttMs: config.WAN_RTT_MS });
  console.log(
    `wan link on ${config.HOST}:${link.port} -> ${config.WAN_TARGET}, +${link.rttMs} ms round trip`,
  );
  const stop = (signal: string) => {
    console.log(`wan link: ${signal}, closing after ${link.connections()} connection(s)`);
    void link.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
