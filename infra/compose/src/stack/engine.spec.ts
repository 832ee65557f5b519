import { peakMemory, type ContainerInfo } from './engine';

const container = (overrides: Partial<ContainerInfo>): ContainerInfo =>
  ({ state: 'running', cgroup: '/machine.slice/libpod-x.scope', ...overrides }) as ContainerInfo;

describe(peakMemory.name, () => {
  it("reports nothing for a container that is not running or has no cgroup of its own (not the machine's peak)", () => {
    expect(peakMemory(container({ state: 'exited' }))).toBeUndefined();
    expect(peakMemory(container({ cgroup: '/' }))).toBeUndefined();
    expect(peakMemory(container({ cgroup: '' }))).toBeUndefined();
  });

  it('reports nothing when the cgroup files are not there', () => {
    expect(peakMemory(container({ cgroup: '/no/such/cgroup' }))).toBeUndefined();
  });
});
