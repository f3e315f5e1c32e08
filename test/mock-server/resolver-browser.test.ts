// The resolver's pages in a real headless Chromium: every image, script and style they reference loads
// (no failed request, no 4xx/5xx), the logo decodes to its 270x40 pixels, and axe-core finds no serious or
// critical accessibility violation on the HTML ones beyond those of the real proxy's markup they copy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { severeViolations } from '../support/accessibility.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { WARMUP_HANDLE } from '../support/mock-server.js';

/** The real proxy's pages have no `lang` and unlabelled form fields (transcripts 98–101). */
const PROXY_FAULTS = new Set(['html-has-lang', 'label']);

let server: MockProcess;
let browser: TestBrowser;

before(async () => {
  server = await startMockProcess();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function loadAndCollectFailures(
  url: string,
  status: number,
): Promise<{ failures: string[]; images: Array<{ src: string; width: number; height: number }> }> {
  const page = await browser.context.newPage();
  const failures: string[] = [];
  page.on('requestfailed', (request) => failures.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.url() !== url) failures.push(`${response.url()}: HTTP ${response.status()}`);
  });
  try {
    const response = await page.goto(url, { waitUntil: 'load' });
    assert.equal(response?.status(), status, `${url} answered ${response?.status()}`);
    const images = await page.$$eval('img', (elements) => elements.map((img) => ({ src: img.currentSrc, width: img.naturalWidth, height: img.naturalHeight })));
    if (response?.headers()['content-type']?.startsWith('text/html')) {
      // These pages are the real Handle proxy's, byte for byte apart from the host (test/mock-server's golden
      // tests, transcripts 98–101): they keep its two accessibility faults, no language and unlabelled form
      // fields (decision 033), and may gain no other.
      const beyondTheProxy = (await severeViolations(page)).filter((v) => !PROXY_FAULTS.has(v.id));
      assert.deepEqual(beyondTheProxy, [], `${url}: no serious or critical accessibility violation beyond the real proxy's own`);
    }
    return { failures, images };
  } finally {
    await page.close();
  }
}

// The locations page is the proxy's XML document: it must load cleanly but has no images.
for (const [label, path, hasLogo] of [
  ['the values page (?noredirect)', `/${WARMUP_HANDLE}?noredirect`, true],
  ['the locations page (?action=showurls)', `/${WARMUP_HANDLE}?action=showurls`, false],
  ['the home page with the resolver form', '/', true],
  ['the not-found page', '/21.T12995/NO-SUCH-HANDLE', true],
] as const) {
  test(`${label} loads with no failed request${hasLogo ? ', a decoded logo and no accessibility fault of its own' : ''}`, async () => {
    const { failures, images } = await loadAndCollectFailures(`${server.httpUrl}${path}`, hasLogo && path.includes('NO-SUCH') ? 404 : 200);
    assert.deepEqual(failures, []);
    const logos = images.filter((image) => image.src.endsWith('/static/images/res_tool.gif'));
    assert.equal(logos.length > 0, hasLogo, `logos on ${path}: ${JSON.stringify(images)}`);
    for (const logo of logos) assert.deepEqual([logo.width, logo.height], [270, 40]);
  });
}

test('an unknown static image is a plain 404, not a handle resolution', async () => {
  const response = await fetch(`${server.httpUrl}/static/images/none.gif`);
  assert.equal(response.status, 404);
});
