import { Readable } from 'node:stream';
import { prettyLines, prettyStream } from './pretty';

const json = JSON.stringify({ level: 50, time: 0, instance: 'orders-2', context: 'Checkout', msg: 'boom' });

describe('prettyLines', () => {
  it('turns pino JSON into one readable line and leaves other lines as they are', () => {
    const text = prettyLines(`${json}\n[kafkajs] ERROR Connection lost\n`);
    expect(text).toMatch(/ERROR: orders-2 Checkout: boom\n/);
    expect(text).toContain('[kafkajs] ERROR Connection lost\n');
    expect(text).not.toContain('"level"');
  });
});

describe('prettyStream', () => {
  it('handles lines split across chunks', async () => {
    const out: string[] = [];
    const half = json.length / 2;
    await new Promise<void>((resolve, reject) =>
      Readable.from([json.slice(0, half), `${json.slice(half)}\n`])
        .pipe(prettyStream(false))
        .on('data', (chunk: Buffer) => out.push(chunk.toString()))
        .on('end', resolve)
        .on('error', reject),
    );
    expect(out.join('')).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: orders-2 Checkout: boom\n$/);
  });
});
