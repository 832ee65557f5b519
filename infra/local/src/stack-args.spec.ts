import { parseStackArgs } from './stack-args';

describe('parseStackArgs', () => {
  it('defaults to no build and leaving the infra up', () => {
    expect(parseStackArgs([])).toEqual({ build: false, down: false });
  });

  it('takes --build and --down, also after a literal --', () => {
    expect(parseStackArgs(['--build', '--down'])).toEqual({ build: true, down: true });
    expect(parseStackArgs(['--', '--down'])).toEqual({ build: false, down: true });
  });

  it('takes --logs with a name, and refuses it without one', () => {
    expect(parseStackArgs(['--logs', 'orders'])).toEqual({ build: false, down: false, logs: 'orders' });
    expect(() => parseStackArgs(['--logs'])).toThrow(/--logs needs a service/);
    expect(() => parseStackArgs(['--logs', '--down'])).toThrow(/--logs needs a service/);
  });

  it('answers help and rejects anything else', () => {
    expect(parseStackArgs(['--help'])).toBe('help');
    expect(() => parseStackArgs(['--wipe'])).toThrow(/unknown argument "--wipe"[\s\S]*usage/);
  });
});
