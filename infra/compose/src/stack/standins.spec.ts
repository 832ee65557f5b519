import fs from 'node:fs';
import path from 'node:path';
import { fullReference, neededImages } from './standins';

describe('compose tier stand-ins', () => {
  it('names every third-party image the default profile needs, as podman stores it', () => {
    const images = neededImages();
    expect(images.map((ref) => ref.slice(0, ref.lastIndexOf(':')))).toEqual([
      'docker.io/apache/kafka',
      'docker.io/library/nginx',
      'docker.io/library/node',
      'docker.io/library/postgres',
      'docker.io/library/redis',
    ]);
    // Profiles the tier does not start need no stand-in.
    expect(images.join()).not.toMatch(/prometheus|grafana|k6|socat|exporter/);
  });

  it("adds the zookeeper profile's official image when that profile is asked for", () => {
    expect(neededImages(['zookeeper'])).toEqual(
      [...neededImages(), 'docker.io/library/zookeeper:3.9.5'].sort(),
    );
  });

  it('has a stand-in folder with a Containerfile for each', () => {
    for (const name of ['kafka', 'nginx', 'node', 'postgres', 'redis', 'zookeeper']) {
      expect(fs.existsSync(path.join(__dirname, '../../standins', name, 'Containerfile'))).toBe(true);
    }
  });

  it('expands short references the way docker and podman do', () => {
    expect(fullReference('node:20')).toBe('docker.io/library/node:20');
    expect(fullReference('apache/kafka:4.1.1')).toBe('docker.io/apache/kafka:4.1.1');
    expect(fullReference('localhost/sdp-standin/base:bookworm')).toBe('localhost/sdp-standin/base:bookworm');
    expect(fullReference('quay.io/x/y:1')).toBe('quay.io/x/y:1');
  });
});
