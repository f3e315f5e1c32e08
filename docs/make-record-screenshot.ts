// Regenerates docs/record-table.png: a real record from a mock server, rendered by the notebook helper
// recordTable exactly as a notebook cell shows it, photographed by headless Chromium.
// Run: node --import tsx docs/make-record-screenshot.ts   (needs Debian's chromium)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../test/support/browser.js';
import { removeTemporaryFolder, temporaryFolder } from '../test/support/temporary-folders.js';
import { startMockServer } from '../mock-server/server.js';
import { HandleClient, PIDClientCredentials } from '../src/index.js';
import { recordTable } from '../lesson/kit/notebook.js';
import { lessonUrls } from '../lesson/kit/lesson.js';

async function main(): Promise<void> {
  const server = await startMockServer({ host: '127.0.0.1', port: 0, memory: true, prefixes: ['21.T12995'], logger: false });
  try {
    const cred = PIDClientCredentials.loadFromJSON(join(server.credentialsDir, 'cred_file.json'));
    const urls = lessonUrls(cred);
    const client = await HandleClient.withCredentials(cred);
    const pid = await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv, { extraValues: { TYPE: 'file' } });
    await client.modifyHandleValue(pid, { CHECKSUM: 'ef493d3dcffa26c672a69366a37d2318' });
    const html = recordTable(await client.retrieveHandleRecordJson(pid), {
      resolverBaseUrl: urls.resolver,
      apiBaseUrl: urls.resolver,
      highlight: ['CHECKSUM'],
    });
    await client.close();
    const dir = temporaryFolder('shot-');
    const page = join(dir, 'record.html');
    writeFileSync(page, `<!doctype html><meta charset="utf-8"><body style="margin:16px;background:#fff">${html}</body>`);
    // Headless Playwright hides scrollbars, as the picture needs.
    const browser = await launchBrowser({ viewport: { width: 1100, height: 330 } });
    try {
      const tab = await browser.context.newPage();
      await tab.goto(`file://${page}`);
      await tab.screenshot({ path: join(__dirname, 'record-table.png') });
    } finally {
      await browser.close();
      removeTemporaryFolder(dir);
    }
    console.log('wrote docs/record-table.png');
  } finally {
    await server.close();
  }
}

void main();
