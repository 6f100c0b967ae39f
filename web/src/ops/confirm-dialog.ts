import { byId, setText } from '../web-common/dom.js';

export interface Question {
  title: string;
  body: string;
  confirmLabel: string;
}

/**
 * A modal <dialog>: the browser makes the rest of the page inert, keeps focus inside, closes it on Escape and
 * gives focus back to the button that opened it. Cancel is focused first, so a stray Enter changes nothing.
 */
export class ConfirmDialog {
  private readonly dialog = byId('confirm-dialog', HTMLDialogElement);
  private readonly title = byId('confirm-title', HTMLHeadingElement);
  private readonly body = byId('confirm-body', HTMLParagraphElement);
  private readonly confirm = byId('confirm-ok', HTMLButtonElement);
  private readonly cancel = byId('confirm-cancel', HTMLButtonElement);

  ask(question: Question): Promise<boolean> {
    if (this.dialog.open) return Promise.resolve(false);
    setText(this.title, question.title);
    setText(this.body, question.body);
    setText(this.confirm, question.confirmLabel);
    this.dialog.returnValue = '';
    return new Promise((resolve) => {
      this.dialog.addEventListener('close', () => resolve(this.dialog.returnValue === 'confirm'), { once: true });
      this.dialog.showModal();
      this.cancel.focus();
    });
  }
}
