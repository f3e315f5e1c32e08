// The ceiling for Node on this machine: a bare node:http server answering each recorded path with the
// mock's own status, headers and bytes, doing nothing else (recorded responses arrive on stdin as JSON).
import { createServer } from 'node:http';
import type { RecordedResponse } from './processes.js';

let input = '';
process.stdin.setEncoding('utf8').on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  const byPath = new Map<string, { status: number; headers: Record<string, string>; body: Buffer }>();
  for (const r of JSON.parse(input) as RecordedResponse[]) {
    const body = Buffer.from(r.bodyBase64, 'base64');
    byPath.set(r.path, { status: r.status, headers: { ...r.headers, 'content-length': String(body.length) }, body });
  }
  const server = createServer((request, response) => {
    const found = byPath.get(request.url ?? '');
    if (!found) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(found.status, found.headers).end(found.body);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
  process.once('SIGTERM', () => process.exit(0));
});
