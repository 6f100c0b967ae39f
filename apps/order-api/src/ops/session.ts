import type { LoginAnswer } from './types.js';

export interface Session {
  username: string;
  token: string;
  /** Epoch ms after which the token is refused. */
  expiresAt: number;
}

/** Not the shop's key: an admin may test the shop as a shopper in another tab of the same origin. */
const KEY = 'seckill.ops.session';

/** The operator's token in sessionStorage: it survives a reload but not the tab, and is only sent as Bearer. */
export class SessionStore {
  private session: Session | null;
  private readonly listeners = new Set<(s: Session | null) => void>();
  private expiryTimer: number | undefined;

  constructor(private readonly storage: Storage) {
    this.session = this.read();
    this.armExpiry();
  }

  current(): Session | null {
    if (this.session && this.session.expiresAt <= Date.now()) this.set(null);
    return this.session;
  }

  logIn(username: string, answer: LoginAnswer): Session {
    const session = { username, token: answer.accessToken, expiresAt: Date.now() + answer.expiresIn * 1000 };
    this.set(session);
    return session;
  }

  logOut(): void {
    if (this.session) this.set(null);
  }

  onChange(listener: (s: Session | null) => void): void {
    this.listeners.add(listener);
  }

  private set(session: Session | null): void {
    this.session = session;
    try {
      if (session) this.storage.setItem(KEY, JSON.stringify(session));
      else this.storage.removeItem(KEY);
    } catch {
      // Storage can be full or disabled (private mode): the session then lasts as long as the page.
    }
    this.armExpiry();
    for (const listener of this.listeners) listener(session);
  }

  private armExpiry(): void {
    window.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (!this.session) return;
    // setTimeout overflows beyond ~24.8 days; tokens live for hours, but clamp anyway.
    const inMs = Math.min(this.session.expiresAt - Date.now(), 2_000_000_000);
    this.expiryTimer = window.setTimeout(() => this.current(), Math.max(0, inMs));
  }

  private read(): Session | null {
    try {
      const raw = this.storage.getItem(KEY);
      if (!raw) return null;
      const s = JSON.parse(raw) as Partial<Session>;
      if (typeof s.username !== 'string' || typeof s.token !== 'string' || typeof s.expiresAt !== 'number') return null;
      return s.expiresAt > Date.now() ? { username: s.username, token: s.token, expiresAt: s.expiresAt } : null;
    } catch {
      return null;
    }
  }
}
