// Pretty-prints the replicas' pino JSON lines (pino-pretty); other lines (kafkajs, stack traces)
// pass through as they are.
import { Transform } from 'node:stream';
import { prettyFactory } from 'pino-pretty';

const format = (colorize: boolean) =>
  prettyFactory({
    colorize,
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname,service,instance,context',
    messageFormat: '{instance} {if context}{context}: {end}{msg}',
  });

/** Pretty text of a block of log lines (a crashed replica's last lines). */
export function prettyLines(text: string, colorize = false): string {
  const pretty = format(colorize);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => pretty(line))
    .join('');
}

/** A line-splitting transform: JSON log lines in, pretty text out. */
export function prettyStream(colorize: boolean): Transform {
  const pretty = format(colorize);
  let partial = '';
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      done(null, lines.map((line) => pretty(line)).join(''));
    },
    flush(done) {
      done(null, partial ? pretty(partial) : '');
    },
  });
}
