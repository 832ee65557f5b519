import { parseArgs } from './args';

describe('parseArgs', () => {
  it('parses the three commands', () => {
    expect(parseArgs(['up'])).toEqual({ name: 'up' });
    expect(parseArgs(['down'])).toEqual({ name: 'down', wipe: false });
    expect(parseArgs(['down', '--wipe'])).toEqual({ name: 'down', wipe: true });
    expect(parseArgs(['status'])).toEqual({ name: 'status' });
  });

  it('answers help for any command', () => {
    expect(parseArgs(['up', '--help'])).toEqual({ name: 'help' });
    expect(parseArgs(['status', '-h'])).toEqual({ name: 'help' });
    expect(parseArgs(['--help'])).toEqual({ name: 'help' });
  });

  it('rejects unknown commands and flags', () => {
    expect(() => parseArgs([])).toThrow(/usage/);
    expect(() => parseArgs(['restart'])).toThrow(/unknown command "restart"/);
    expect(() => parseArgs(['up', '--wipe'])).toThrow(/unknown argument "--wipe"/);
    expect(() => parseArgs(['down', '--force'])).toThrow(/unknown argument "--force"/);
  });
});
