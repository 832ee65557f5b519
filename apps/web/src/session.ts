import type { LoginResult, User } from './api';

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SessionData {
  token: string;
  user: User;
  /** Epoch ms after which the token is no longer worth sending. */
  expiresAt: number;
}

const KEY = 'sdp.session';

/**
 * The JWT lives in memory; sessionStorage only lets it survive a reload of this tab (it dies with
 * the tab and is never sent automatically like a cookie, so there is no CSRF surface).
 */
export class Session {
  private data: SessionData | null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: StorageLike | null,
    private readonly now: () => number = Date.now,
  ) {
    this.data = this.restore();
  }

  get token(): string | null {
    if (this.data && this.data.expiresAt <= this.now()) this.clear();
    return this.data?.token ?? null;
  }

  get user(): User | null {
    return this.token ? (this.data?.user ?? null) : null;
  }

  start(login: LoginResult): void {
    this.data = {
      token: login.accessToken,
      user: login.user,
      expiresAt: this.now() + Math.max(0, login.expiresIn) * 1000,
    };
    this.storage?.setItem(KEY, JSON.stringify(this.data));
    this.emit();
  }

  clear(): void {
    const had = this.data !== null;
    this.data = null;
    this.storage?.removeItem(KEY);
    if (had) this.emit();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private restore(): SessionData | null {
    const raw = this.storage?.getItem(KEY);
    if (!raw) return null;
    try {
      const data = JSON.parse(raw) as Partial<SessionData>;
      if (typeof data.token === 'string' && typeof data.expiresAt === 'number' && data.user) {
        return data.expiresAt > this.now() ? (data as SessionData) : null;
      }
    } catch {
      // A corrupt entry is simply no session.
    }
    this.storage?.removeItem(KEY);
    return null;
  }
}
