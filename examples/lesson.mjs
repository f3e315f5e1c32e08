#!/usr/bin/env node
// The whole hands-on lesson as one script: resolve, connect, register a file, store a checksum,
// move it, link a replica, search by value, and resolve again — with the package's client.
// Usage: node examples/lesson.mjs [credentials.json]   (default: $PID_CREDENTIALS, else data/credentials/cred_file.json)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { HandleClient, PIDClientCredentials, checksumOfUrl, HandleError, HandleAlreadyExistsError } = require('../dist/src/index.js');
const { findCredentialsFile, lessonUrls } = require('../dist/lesson/kit/lesson.js');
const { recordText } = require('../dist/lesson/kit/notebook.js');

const step = (n, title) => console.log(`\n== ${n}. ${title}`);

async function resolve(resolverUrl, pid) {
  const response = await fetch(`${resolverUrl}/${pid}`, { redirect: 'manual' });
  return `HTTP ${response.status} → ${response.headers.get('location')}`;
}

async function main() {
  const file = process.argv[2] ?? findCredentialsFile();
  const cred = PIDClientCredentials.loadFromJSON(file);
  const urls = lessonUrls(cred);

  step(1, 'Warming up: resolving PIDs');
  for (const pid of ['11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', '10.3389/fgene.2013.00289']) {
    console.log(`${pid}: ${await resolve(urls.resolver, pid)}`);
  }

  step(2, 'Connecting');
  console.log(cred.describe());
  const client = await HandleClient.withCredentials(cred);

  try {
    step(3, 'Registering a file');
    const pid = client.generatePidName(cred.prefix);
    await client.registerHandle(pid, urls.surveysCsv);
    console.log(`registered ${pid}`);
    console.log(recordText(await client.retrieveHandleRecordJson(pid)));
    try {
      await client.registerHandle(pid, urls.surveysCsv);
    } catch (error) {
      if (!(error instanceof HandleAlreadyExistsError)) throw error;
      console.log(`registering it again: ${error.name}: ${error.message}`);
    }

    step(4, 'Storing more information');
    const md5 = await checksumOfUrl(`${urls.resolver}/${pid}`, 'md5');
    await client.modifyHandleValue(pid, { TYPE: 'file', CHECKSUM: md5 });
    console.log(`CHECKSUM ${await client.getValueFromHandle(pid, 'CHECKSUM')}`);

    step(5, 'Updating the URL: the file moved to a local disk');
    await client.modifyHandleValue(pid, { URL: 'file:///data/surveys.csv' });
    console.log(`resolver now: ${await resolve(urls.resolver, pid)}`);

    step(6, 'Linking two files');
    const replica = await client.generateAndRegisterHandle(cred.prefix, urls.surveysCsv, { checksum: md5 });
    await client.modifyHandleValue(pid, { REPLICA: replica });
    await client.addAdditionalUrl(replica, [`${urls.repository}/landing/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448`]);
    console.log(`REPLICA of ${pid} = ${await client.getValueFromHandle(pid, 'REPLICA')}`);
    console.log(`10320/LOC of ${replica} empty? ${await client.is10320LocEmpty(replica)}`);

    step(7, 'Reverse look-ups');
    const hits = await client.searchHandle({ CHECKSUM: md5 }, { prefix: cred.prefix });
    console.log(`CHECKSUM=${md5}: ${hits.length} PIDs`);
    for (const hit of hits) console.log(`  ${hit} → ${await client.getValueFromHandle(hit, 'URL')}`);
    console.log(`URL=irods:* → ${(await client.searchHandle({ URL: 'irods:*' })).length} B2SAFE PIDs`);
    console.log('\nlesson complete');
  } finally {
    await client.close();
  }
}

main().catch((error) => {
  console.error(error instanceof HandleError ? error.toString() : `error: ${error.message}`);
  process.exit(1);
});
