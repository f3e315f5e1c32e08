// The one way tests (and docs/make-record-screenshot.ts) start a browser: Debian's headless Chromium
// through playwright-core, a fresh profile each time (no cache or cookies from anything else), recording
// every URL the browser asks for so tests can prove a secret never travelled in one.
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, requireSystemPackage } from './system-packages.js';
import { removeTemporaryFolder, temporaryFolder } from './temporary-folders.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface TestBrowser {
  context: BrowserContext;
  /** Every URL requested so far, including redirects, scripts and the event stream. */
  requestedUrls: string[];
  /**
   * Closes the browser and removes its profile. Close it before stopping the servers it talked to:
   * Chromium keeps preconnected sockets open, and a server does not stop while it holds one.
   */
  close(): Promise<void>;
}

export interface BrowserOptions {
  /** The page size; Playwright's default (1280x720) when left out. */
  viewport?: { width: number; height: number };
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<TestBrowser> {
  requireSystemPackage(CHROMIUM);
  const profile = temporaryFolder('pid-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM.binary!,
    headless: true,
    args: CHROMIUM_ARGS,
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
  const requestedUrls: string[] = [];
  context.on('request', (request) => requestedUrls.push(request.url()));
  return {
    context,
    requestedUrls,
    close: async () => {
      await context.close();
      removeTemporaryFolder(profile);
    },
  };
}
