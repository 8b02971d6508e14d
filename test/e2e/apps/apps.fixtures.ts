/**
 * What the Chromium tests of the web apps share: Debian's Chromium launched
 * headless by playwright-core (never a downloaded browser), logging in as a
 * demo account, and polling the page.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../../src/accounts/demo/demo-accounts.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import type { TestPlatform } from '../../support/test-platform.js';

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

/**
 * A community of the demo's 民族街道 and the base of the provider there
 * (`providerId`), so a home registered next to it is that console's to offer.
 */
export async function minzuNeighbourhood(platform: TestPlatform, districtCode: string, providerId: string): Promise<{ communityCode: string; base: { lat: number; lon: number } }> {
  const geography = platform.get(GeographyRepository);
  const street = (await geography.listStreets(districtCode)).find((s) => s.name === '民族街道');
  if (!street) throw new Error('demo geography has no 民族街道');
  const [community] = await geography.listCommunities(street.code);
  if (!community) throw new Error('no community in 民族街道');
  const provider = (await (await platform.api(`/api/providers/${providerId}`)).json()) as { base: { lat: number; lon: number } };
  return { communityCode: community.code, base: provider.base };
}
