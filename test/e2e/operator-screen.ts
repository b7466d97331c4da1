import { expect, type Locator, type Page } from '@playwright/test';

/** The operator screen as an operator sees it: by labels, roles and names. */
export class OperatorScreen {
  readonly page: Page;
  readonly serial: Locator;
  readonly phases: Locator;
  readonly prompt: Locator;
  readonly abort: Locator;

  /** The panel of one socket (numbered from 1 as on screen), or the whole page on a one-socket station. */
  readonly scope: Locator;

  constructor(page: Page, socket?: number) {
    this.page = page;
    this.scope = socket === undefined ? page.locator('body') : page.getByRole('region', { name: `Socket ${socket}`, exact: true });
    const label = socket === undefined ? 'Serial number' : `Serial number, socket ${socket}`;
    this.serial = page.getByLabel(label, { exact: true });
    this.phases = page.getByRole('list', { name: socket === undefined ? 'Phases' : `Phases, socket ${socket}`, exact: true });
    this.prompt = this.scope.getByRole('dialog');
    this.abort = this.scope.getByRole('button', { name: 'Abort', exact: true });
  }

  get connection(): Locator {
    return this.page.getByRole('status', { name: 'Connection' });
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.connection).toHaveText('Connected');
    await expect(this.serial).toBeFocused();
  }

  phase(title: string): Locator {
    return this.phases.getByRole('listitem').filter({ has: this.page.getByText(title, { exact: true }) });
  }

  /** The big verdict: PASS, FAIL, ERROR or ABORTED. */
  result(word: 'PASS' | 'FAIL' | 'ERROR' | 'ABORTED'): Locator {
    return this.scope.getByRole('heading', { name: word, exact: true });
  }

  /** A keyboard-wedge scanner: types the serial and presses Enter. */
  async scan(serial: string): Promise<void> {
    await this.serial.pressSequentially(serial);
    await this.serial.press('Enter');
  }
}
