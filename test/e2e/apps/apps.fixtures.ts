/**
 * What the Chromium tests of the web apps share: Debian's Chromium launched
 * headless by playwright-core (never a downloaded browser), logging in as a
 * demo account, and polling the page.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../../src/accounts/demo/demo-accounts.js';

const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** Opens `url` (a console or the screen), logs in with the demo password, and waits until its socket is online. */
export async function login(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor({ timeout: 10_000 });
}

/** Evaluates a browser expression (a string, so this Node-side file needs no DOM types). */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
