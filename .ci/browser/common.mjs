// Shared by the browser checks: a headless Chromium that may reach loopback only.
import puppeteer from 'puppeteer-core';

/** Launches Debian's Chromium headless. */
export async function launch() {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * A page whose every request off loopback is refused and recorded, so a check proves the
 * page needs nothing from the internet.
 */
export async function loopbackOnlyPage(browser) {
  const page = await browser.newPage();
  const outside = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = new URL(request.url());
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (loopback || url.protocol === 'data:' || url.protocol === 'blob:') {
      request.continue();
    } else {
      outside.push(request.url());
      request.abort();
    }
  });
  return { page, outside };
}

/** Fails the check with `message`. */
export function fail(message) {
  console.error(`FAILED: ${message}`);
  process.exit(1);
}
