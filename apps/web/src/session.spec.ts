import type { LoginResult } from './api';
import { Session } from './session';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const login: LoginResult = {
  accessToken: 'jwt',
  expiresIn: 900,
  tokenType: 'Bearer',
  user: { id: 'u1', email: 'alice@example.com', name: 'Alice', role: 'customer' },
};

describe(Session.name, () => {
  it('keeps the token in memory and survives a reload of the tab through sessionStorage', () => {
    const storage = new MemoryStorage();
    let now = 1_000_000;
    const session = new Session(storage, () => now);
    const changes: string[] = [];
    session.onChange(() => changes.push(session.token ?? 'none'));
    session.start(login);
    expect(session.token).toBe('jwt');
    expect(changes).toEqual(['jwt']);

    const reloaded = new Session(storage, () => now);
    expect(reloaded.user?.email).toBe('alice@example.com');

    now += 900_000;
    expect(reloaded.token).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it('forgets everything on logout and ignores a corrupt stored entry', () => {
    const storage = new MemoryStorage();
    const session = new Session(storage);
    session.start(login);
    session.clear();
    expect(session.token).toBeNull();
    expect(storage.items.size).toBe(0);

    storage.setItem('sdp.session', '{not json');
    expect(new Session(storage).token).toBeNull();
    expect(storage.items.size).toBe(0);
  });
});
