// The resolver pages' own images under /static/images/ (our original logo, drawn by
// mock-server/static/make-images.py), so the pages load with no broken resource and no network.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = { '.gif': 'image/gif', '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' };

/** The images folder next to the sources (tsx, tests) or next to the compiled output's package root (dist/). */
function imagesFolder(): string | undefined {
  const candidates = [join(__dirname, '..', 'static', 'images'), join(__dirname, '..', '..', '..', 'mock-server', 'static', 'images')];
  return candidates.find((folder) => existsSync(folder));
}

export default async function staticRoutes(app: FastifyInstance): Promise<void> {
  const folder = imagesFolder();
  // Read once at start: only these files are ever served, so no path from a request reaches the file system.
  const images = new Map<string, { type: string; bytes: Buffer }>();
  for (const name of folder ? readdirSync(folder) : []) {
    const type = TYPES[extname(name).toLowerCase()];
    if (type) images.set(name, { type, bytes: readFileSync(join(folder!, name)) });
  }
  for (const [name, image] of images) {
    app.get(`/static/images/${name}`, async (_request, reply) =>
      reply.code(200).header('content-type', image.type).header('cache-control', 'public, max-age=86400').send(image.bytes),
    );
  }
}
