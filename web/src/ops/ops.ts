import { ConfirmDialog } from './confirm-dialog.js';
import { ConsoleView } from './console-view.js';
import { Announcer, byId, setText } from '../web-common/dom.js';
import { ApiError } from '../web-common/http.js';
import { LiveStatus } from './live-status.js';
import { LoginView } from './login-view.js';
import { opsApi } from './ops-api.js';
import { Poller } from './poller.js';
import { ReplayAction } from './replay.js';
import { RoomSettingsAction } from './room-settings.js';
import { SessionStore, type Session } from '../web-common/session.js';
import { pollError } from './words.js';

/** The console's entry point: login, then one overview every 2 s drawn into the views. */
const POLL_MS = 2_000;

function main(): void {
  // Not the shop's key: an admin may test the shop as a shopper in another tab of the same origin.
  const session = new SessionStore(window.sessionStorage, 'seckill.ops.session');
  const announcer = new Announcer(byId('announcer', HTMLDivElement));
  const login = new LoginView(session, announcer);
  const loading = byId('loading', HTMLElement);
  const accountBar = byId('account-bar', HTMLDivElement);
  const who = byId('who', HTMLElement);
  const pause = byId('pause', HTMLButtonElement);
  const liveEl = byId('live', HTMLParagraphElement);
  const live = new LiveStatus(liveEl, byId('live-text', HTMLSpanElement));

  const authProblem = (error: ApiError) => {
    const name = session.current()?.username ?? 'This account';
    session.logOut();
    if (error.status === 403) login.ask('forbidden', `“${name}” is not an administrator. Only admin accounts may see the operations console.`);
    else login.ask('expired', 'Your session has expired. Please log in again.');
  };
  const dialog = new ConfirmDialog();
  const actionHost = { token: () => session.current()?.token ?? null, authProblem, refresh: () => poller.now() };
  const replay = new ReplayAction(dialog, announcer, actionHost);
  const roomSettings = new RoomSettingsAction(dialog, announcer, actionHost);
  const view = new ConsoleView(
    (card) => void replay.run(card),
    (card) => void roomSettings.run(card),
  );

  const tick = async () => {
    const token = session.current()?.token;
    if (!token) return;
    try {
      const overview = await opsApi.overview(token);
      // Logged out (or in as someone else) while the call was in flight: this answer is not for the page now.
      if (session.current()?.token !== token) return;
      view.render(overview);
      live.ok();
      if (!view.visible) {
        loading.hidden = true;
        view.show();
      }
    } catch (error) {
      if (session.current()?.token !== token) return;
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) authProblem(error);
      else live.failed(pollError(error));
    }
  };
  const poller = new Poller(tick, POLL_MS);

  const setPaused = (paused: boolean) => {
    pause.setAttribute('aria-pressed', String(paused));
    setText(pause, paused ? 'Resume updates' : 'Pause updates');
    if (paused) {
      poller.stop();
      live.paused();
    } else {
      live.connecting();
      poller.start();
    }
  };
  pause.addEventListener('click', () => setPaused(poller.isRunning));
  byId('logout', HTMLButtonElement).addEventListener('click', () => {
    session.logOut();
    login.ask('logged-out', 'You are logged out.');
  });

  const sessionChanged = (current: Session | null) => {
    poller.stop();
    view.hide();
    view.clear();
    accountBar.hidden = current === null;
    liveEl.hidden = current === null;
    if (current) {
      setText(who, current.username);
      setPaused(false);
      login.show(false);
      // The console appears with its first data; until then (or a 403 for a shopper) only this shows.
      loading.hidden = false;
    } else {
      loading.hidden = true;
      login.show(true);
    }
  };
  session.onChange(sessionChanged);
  sessionChanged(session.current());
  if (!session.current()) login.ask(null, '');
  document.documentElement.dataset['ready'] = 'true';
}

main();
