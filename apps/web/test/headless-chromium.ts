import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

// Debian's Chromium (playwright-core never downloads a browser), shared by the page tests.
const CHROMIUM = '/usr/bin/chromium';

export interface HeadlessPage {
  page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * One page in a headless Chromium with a fresh profile of its own. The flags keep Chromium off the
 * network it cannot reach here. Each step waits at most `stepMs`; every uncaught error of the page
 * is pushed to `pageErrors`, for the tests to expect none.
 */
export async function openHeadlessPage(options: {
  name: string;
  viewport: { width: number; height: number };
  stepMs: number;
  pageErrors: string[];
}): Promise<HeadlessPage> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's Chromium with \`apt-get install -y chromium\``);
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), `sdp-${options.name}-chromium-`));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: options.viewport,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(options.stepMs);
    page.on('pageerror', (error) => options.pageErrors.push(error.message));
    return {
      page,
      async close() {
        await context.close();
        removeProfile();
      },
    };
  } catch (error) {
    removeProfile();
    throw error;
  }
}
