import { failedContainers, peakMemory, type ContainerInfo } from './engine';

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

describe(failedContainers.name, () => {
  it('names the unhealthy containers and the ones that exited non-zero, and no other', () => {
    const states = [
      container({ name: 'sdp_postgres_1', health: 'healthy', exitCode: 0 }),
      container({ name: 'sdp_gateway-migrate_1', state: 'exited', exitCode: 0 }),
      container({ name: 'sdp_catalog-migrate_1', state: 'exited', exitCode: 1 }),
      container({ name: 'sdp_lb_1', health: 'unhealthy', exitCode: 0 }),
      container({ name: 'sdp_orders_1', health: 'starting', exitCode: 0 }),
    ];
    expect(failedContainers(states)).toEqual(['sdp_catalog-migrate_1 exited 1', 'sdp_lb_1 unhealthy']);
  });
});
