import { Announcer, byId, setText } from '../web-common/dom.js';
import { setData } from './dom.js';
import { opsApi } from './ops-api.js';
import type { SessionStore } from '../web-common/session.js';
import { loginError } from './words.js';

export type NoticeKind = 'forbidden' | 'expired' | 'logged-out';

/** The login form. It only gets a token; whether the account may see anything is the API's call (403). */
export class LoginView {
  private readonly panel = byId('login-panel', HTMLElement);
  private readonly form = byId('login-form', HTMLFormElement);
  private readonly username = byId('login-username', HTMLInputElement);
  private readonly password = byId('login-password', HTMLInputElement);
  private readonly error = byId('login-error', HTMLParagraphElement);
  private readonly notice = byId('login-notice', HTMLParagraphElement);
  private readonly submit = byId('login-form', HTMLFormElement).querySelector<HTMLButtonElement>('button[type="submit"]');

  constructor(
    private readonly session: SessionStore,
    private readonly announcer: Announcer,
  ) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.logIn();
    });
  }

  show(visible: boolean): void {
    this.panel.hidden = !visible;
  }

  /** Shows the form with a reason (not an admin, session expired) and puts the cursor in it. */
  ask(kind: NoticeKind | null, message: string): void {
    this.show(true);
    setText(this.notice, message);
    this.notice.hidden = message === '';
    if (kind) setData(this.notice, 'kind', kind);
    else delete this.notice.dataset['kind'];
    if (message) this.announcer.say(message);
    (this.username.value ? this.password : this.username).focus();
  }

  private async logIn(): Promise<void> {
    if (!this.form.reportValidity()) return;
    const username = this.username.value.trim();
    setText(this.error, '');
    this.setBusy(true);
    try {
      const answer = await opsApi.login(username, this.password.value);
      this.password.value = '';
      this.notice.hidden = true;
      this.session.logIn(username, answer);
    } catch (error) {
      setText(this.error, loginError(error));
      this.password.focus();
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(busy: boolean): void {
    if (!this.submit) return;
    this.submit.disabled = busy;
    setText(this.submit, busy ? 'Logging in…' : 'Log in');
  }
}
