import { lookupUser, unprivilegedUser, untraversableAncestors } from './user';

describe('running as a non-root user', () => {
  const passwd =
    'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

  it('reads uid and gid from /etc/passwd', () => {
    expect(lookupUser(passwd, 'nobody')).toEqual({ uid: 65534, gid: 65534 });
    expect(lookupUser(passwd, 'ghost')).toBeUndefined();
  });

  it('only switches user when running as root', () => {
    expect(unprivilegedUser(1000)).toBeUndefined();
    expect(typeof unprivilegedUser(0)?.uid).toBe('number');
  });

  it('finds ancestors another user cannot traverse', () => {
    const modes: Record<string, number> = {
      '/': 0o755,
      '/root': 0o700,
      '/root/repo': 0o755,
      '/root/repo/.infra': 0o755,
    };
    expect(untraversableAncestors('/root/repo/.infra/postgres', (p) => modes[p])).toEqual(['/root']);
  });
});
