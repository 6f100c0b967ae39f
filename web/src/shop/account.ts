import { Announcer, byId, h, setText } from '../web-common/dom.js';
import type { Session, SessionStore } from '../web-common/session.js';
import { shopApi } from './shop-api.js';
import { formError } from './words.js';

type Mode = 'login' | 'register';

/** The header's account bar and the login / registration panel. */
export class AccountView {
  private readonly bar = byId('account-bar', HTMLDivElement);
  private readonly panel = byId('account-panel', HTMLElement);
  private readonly notice = byId('auth-notice', HTMLParagraphElement);
  private readonly heading = byId('account-title', HTMLHeadingElement);
  private readonly forms: Record<Mode, HTMLFormElement> = { login: byId('login-form', HTMLFormElement), register: byId('register-form', HTMLFormElement) };
  private readonly toggles: Record<Mode, HTMLButtonElement> = { login: byId('show-login', HTMLButtonElement), register: byId('show-register', HTMLButtonElement) };
  private readonly errors: Record<Mode, HTMLParagraphElement> = { login: byId('login-error', HTMLParagraphElement), register: byId('register-error', HTMLParagraphElement) };

  constructor(
    private readonly session: SessionStore,
    private readonly announcer: Announcer,
    /** Where focus goes once logged in: the sale itself. */
    private readonly afterLogin: HTMLElement,
  ) {
    this.toggles.login.addEventListener('click', () => this.setMode('login', true));
    this.toggles.register.addEventListener('click', () => this.setMode('register', true));
    this.forms.login.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit('login');
    });
    this.forms.register.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit('register');
    });
  }

  render(session: Session | null): void {
    this.panel.hidden = session !== null;
    if (session) {
      const logout = h('button', { type: 'button', class: 'button button-ghost', 'data-testid': 'logout' }, 'Log out');
      logout.addEventListener('click', () => {
        this.session.logOut();
        this.announcer.say('You are logged out.');
        this.fieldOf('login', 'username').focus();
      });
      this.bar.replaceChildren(h('span', { class: 'who' }, h('span', { class: 'who-label' }, 'Signed in as '), h('strong', { 'data-testid': 'username' }, session.username)), logout);
      return;
    }
    this.setMode('login', false);
    const login = h('button', { type: 'button', class: 'button button-ghost' }, 'Log in');
    login.addEventListener('click', () => this.askToLogIn(''));
    this.bar.replaceChildren(login);
  }

  /** Shows the login form with a reason (expired session, "log in to buy") and puts the cursor in it. */
  askToLogIn(message: string): void {
    this.panel.hidden = false;
    setText(this.notice, message);
    this.notice.hidden = message === '';
    this.setMode('login', false);
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.panel.scrollIntoView({ block: 'nearest', behavior: still ? 'auto' : 'smooth' });
    this.fieldOf('login', 'username').focus({ preventScroll: true });
  }

  private setMode(mode: Mode, focus: boolean): void {
    for (const m of ['login', 'register'] as const) {
      this.forms[m].hidden = m !== mode;
      this.toggles[m].setAttribute('aria-pressed', String(m === mode));
      setText(this.errors[m], '');
    }
    setText(this.heading, mode === 'login' ? 'Log in to buy' : 'Create your account');
    if (focus) this.fieldOf(mode, 'username').focus();
  }

  private fieldOf(mode: Mode, name: 'username' | 'password'): HTMLInputElement {
    const field = this.forms[mode].elements.namedItem(name);
    if (!(field instanceof HTMLInputElement)) throw new Error(`${mode} form has no ${name} field`);
    return field;
  }

  private async submit(mode: Mode): Promise<void> {
    const form = this.forms[mode];
    if (!form.reportValidity()) return;
    const username = this.fieldOf(mode, 'username').value.trim();
    const password = this.fieldOf(mode, 'password').value;
    const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    const label = submit?.textContent ?? '';
    if (submit) {
      submit.disabled = true;
      submit.textContent = mode === 'login' ? 'Logging in…' : 'Creating account…';
    }
    setText(this.errors[mode], '');
    try {
      if (mode === 'register') await shopApi.register(username, password);
      const answer = await shopApi.login(username, password);
      form.reset();
      setText(this.notice, '');
      this.notice.hidden = true;
      this.session.logIn(username, answer);
      this.announcer.say(mode === 'login' ? `Welcome back, ${username}. You are logged in.` : `Welcome, ${username}. Your account is ready and you are logged in.`);
      this.afterLogin.focus();
    } catch (error) {
      setText(this.errors[mode], formError(error));
      this.fieldOf(mode, 'username').focus();
    } finally {
      if (submit) {
        submit.disabled = false;
        submit.textContent = label;
      }
    }
  }
}
