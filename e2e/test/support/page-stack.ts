import type { RunningEmulator } from '@cos-direct/emulator';
import type { ServerOptions } from '@cos-direct/server';
import { serveWeb, type WebServer } from '@cos-direct/web';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { failOnPageErrors, launch } from './chromium.js';
import { startStack, type Stack } from './stack.js';

export interface PageStack {
  /** Emulator + sign server. */
  readonly s: Stack;
  /** The demo pages, pointed at the sign server. */
  readonly web: WebServer;
  readonly browser: Browser;
  /** The page a test drives: one per test in a fresh profile, or one for the whole suite. */
  readonly page: Page;
  /** Fails the test when a page it is given throws. */
  readonly watch: <P extends Page>(page: P) => P;
}

export interface PageStackOptions {
  /** Sign server options beyond the page wiring (plain HTTP to the emulator, any origin). */
  server?: Partial<ServerOptions>;
  extraFiles?: Record<string, string>;
  /** 'test' (default): a fresh browser context per test; 'suite': one page kept across the tests. */
  page?: 'test' | 'suite';
}

/**
 * Emulator, sign server, demo pages and Chromium for the suite it is called in (call in a describe block),
 * wired as `npm start` wires them: the pages talk plain HTTP to the emulator. Fields fill in before the tests run.
 */
export function usePageStack(options: PageStackOptions = {}): PageStack {
  const watch = failOnPageErrors();
  const state = { watch } as { -readonly [K in keyof PageStack]: PageStack[K] };
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    state.s = await startStack(async (emu: RunningEmulator) => ({
      cosHost: new URL(emu.info.cos.http).host,
      cosProtocol: 'http',
      corsOrigins: ['*'],
      ...options.server,
    }));
    state.web = await serveWeb({ port: 0, signUrl: state.s.signUrl, extraFiles: options.extraFiles });
    state.browser = await launch();
    if (options.page === 'suite') state.page = watch(await state.browser.newPage());
  });
  if (options.page !== 'suite') {
    // A fresh profile per test: stored state (e.g. Golden Retriever's files) never leaks into the next one.
    beforeEach(async () => {
      context = await state.browser.newContext();
      state.page = watch(await context.newPage());
    });
    afterEach(() => context?.close());
  }
  afterAll(async () => {
    await state.browser?.close();
    await state.web?.close();
    await state.s?.close();
  });
  return state;
}
