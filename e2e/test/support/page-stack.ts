import type { RunningEmulator } from '@cos-direct/emulator';
import type { ServerOptions } from '@cos-direct/server';
import { serveWeb, type WebServer } from '@cos-direct/web';
import { afterAll, beforeAll } from 'vitest';
import { type BrowserSession, useBrowser } from './chromium.js';
import { startStack, type Stack } from './stack.js';

export interface PageStack extends BrowserSession {
  /** Emulator + sign server. */
  readonly s: Stack;
  /** The demo pages, pointed at the sign server. */
  readonly web: WebServer;
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
  const session = useBrowser(options.page);
  let s: Stack | undefined;
  let web: WebServer | undefined;
  beforeAll(async () => {
    s = await startStack(async (emu: RunningEmulator) => ({
      cosHost: new URL(emu.info.cos.http).host,
      cosProtocol: 'http',
      corsOrigins: ['*'],
      ...options.server,
    }));
    web = await serveWeb({ port: 0, signUrl: s.signUrl, extraFiles: options.extraFiles });
  });
  afterAll(async () => {
    await web?.close();
    await s?.close();
  });
  return {
    get s() {
      return s!;
    },
    get web() {
      return web!;
    },
    get browser() {
      return session.browser;
    },
    get page() {
      return session.page;
    },
    watch: session.watch,
  };
}
