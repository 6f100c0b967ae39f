export interface Session {
  username: string;
  token: string;
  /** Epoch ms after which the token is refused. */
  expiresAt: number;
}

/**
 * The logged-in user, kept in sessionStorage under the page's own key: it survives a reload but not the tab, and
 * it is never sent anywhere except as the Bearer token (and the shop's socket `token` parameter).
 */
export class SessionStore {
  private session: Session | null;
  private readonly listeners = new Set<(s: Session | null) => void>();
  private expiryTimer: number | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly key: string,
  ) {
    this.session = this.read();
    this.armExpiry();
  }

  current(): Session | null {
    if (this.session && this.session.expiresAt <= Date.now()) this.set(null);
    return this.session;
  }

  logIn(username: string, answer: { accessToken: string; expiresIn: number }): Session {
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
      if (session) this.storage.setItem(this.key, JSON.stringify(session));
      else this.storage.removeItem(this.key);
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
      const raw = this.storage.getItem(this.key);
      if (!raw) return null;
      const s = JSON.parse(raw) as Partial<Session>;
      if (typeof s.username !== 'string' || typeof s.token !== 'string' || typeof s.expiresAt !== 'number') return null;
      return s.expiresAt > Date.now() ? { username: s.username, token: s.token, expiresAt: s.expiresAt } : null;
    } catch {
      return null;
    }
  }
}
