import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';

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
