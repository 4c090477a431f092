import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether browser suites can run; with CI=true a missing Chromium is a failure, never a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist (scripts/system-deps.sh installs it)`);
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package or set CHROMIUM_PATH)`);
  return false;
}

export async function launch(): Promise<Browser> {
  // launch() gives every browser a fresh, empty profile of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // Containers often mount a 64 MiB /dev/shm, too small for Chromium's shared memory.
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Uncaught errors of the pages a suite watches fail the test they happened in: a page script that
 * throws is a broken page even when what the test looks at still shows. Call in a describe block.
 */
export function failOnPageErrors(): <P extends Page>(page: P) => P {
  const errors: string[] = [];
  afterEach(() => {
    const seen = errors.splice(0);
    expect(seen, 'uncaught errors in the page').toEqual([]);
  });
  return (page) => {
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.stack ?? e.message}`));
    return page;
  };
}

export interface BrowserSession {
  readonly browser: Browser;
  /** The page a test drives: one per test in a fresh profile, or one for the whole suite. */
  readonly page: Page;
  /** Fails the test when a page it is given throws. */
  readonly watch: <P extends Page>(page: P) => P;
}

/**
 * Chromium for the suite it is called in (call in a describe block), its pages watched for errors. With
 * 'test' (default) each test gets a fresh context: stored state (e.g. Golden Retriever's files) never leaks
 * into the next one; with 'suite' one page is kept across the tests. Fields fill in before the tests run.
 */
export function useBrowser(pages: 'test' | 'suite' = 'test'): BrowserSession {
  const watch = failOnPageErrors();
  const state = { watch } as { -readonly [K in keyof BrowserSession]: BrowserSession[K] };
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    state.browser = await launch();
    if (pages === 'suite') state.page = watch(await state.browser.newPage());
  });
  if (pages === 'test') {
    beforeEach(async () => {
      context = await state.browser.newContext();
      state.page = watch(await context.newPage());
    });
    afterEach(() => context?.close());
  }
  afterAll(() => state.browser?.close());
  return state;
}
