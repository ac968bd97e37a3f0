import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readBody } from '../tests/fakes/http-fake.js';
import { exportFormats, runExport, type ExportFormat, type ExportSetup } from './case-export.js';
import { PlaygroundInputError, type Playground } from './playground.js';

const staticFiles: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/slack-render.js': { file: 'slack-render.js', type: 'text/javascript; charset=utf-8' },
  '/requests.js': { file: 'requests.js', type: 'text/javascript; charset=utf-8' },
  '/overlays.js': { file: 'overlays.js', type: 'text/javascript; charset=utf-8' },
};

/** The largest JSON body the page sends, bytes. */
const maxBody = 64 * 1024;

type Json = Record<string, unknown>;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const text = (body: Json, key: string): string => {
  const value = body[key];
  if (typeof value !== 'string') throw new PlaygroundInputError(`${key} must be a string`);
  return value;
};

const values = (body: Json): Record<string, string> => (typeof body.values === 'object' && body.values !== null ? body.values : {}) as Record<string, string>;

/** Headers for what Repka produced (an uploaded file, an export): shown as a document, never run as part of the playground. */
const sandboxed = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "sandbox; default-src 'none'; style-src 'unsafe-inline'" };

/** A file Repka uploaded (the `!history` Markdown): shown as text, as Slack previews it. */
function serveUpload(res: ServerResponse, file: { bytes: Buffer; filename: string } | undefined): void {
  if (file === undefined) return send(res, 404, { error: 'no such file' });
  res.writeHead(200, { ...sandboxed, 'content-type': 'text/plain; charset=utf-8', 'content-disposition': `inline; filename="${file.filename.replace(/[^\w.-]/g, '_')}"` });
  res.end(file.bytes);
}

const exportTypes: Readonly<Record<ExportFormat, string>> = { html: 'text/html; charset=utf-8', json: 'application/json; charset=utf-8', md: 'text/plain; charset=utf-8' };

/** What `npm run cli -- export <caseId> --format <format>` prints for the demo's database; 404 with its complaint when it fails. */
async function serveExport(res: ServerResponse, exports: ExportSetup, caseId: number, format: string): Promise<void> {
  if (!(exportFormats as readonly string[]).includes(format)) return send(res, 400, { error: 'format must be md, json or html' });
  const result = await runExport(exports, caseId, format as ExportFormat);
  if (result.code !== 0) return send(res, 404, { error: result.problem.trim() || `the export exited with ${result.code}` });
  res.writeHead(200, { ...sandboxed, 'content-type': exportTypes[format as ExportFormat] });
  res.end(result.output);
}

/**
 * The playground's web server: the page (demo/public) and its small JSON API. GET /api/state is what
 * the page renders; the POSTs are the visitor's actions, which the playground turns into platform calls.
 * GET /api/slack/files/<id> serves a file Repka uploaded, GET /api/export/<case>?format= runs the
 * operator's export on the demo's database (`exports`).
 */
export function createWebServer(playground: Playground, publicDir: string, exports: ExportSetup): Server {
  const optionalText = (b: Json, key: string): string | undefined => (b[key] === undefined || b[key] === null ? undefined : text(b, key));
  const routes: Record<string, (body: Json) => Promise<unknown>> = {
    '/api/client/message': async (b) => playground.clientWrites(text(b, 'text'), b.replyTo === undefined || b.replyTo === null ? undefined : Number(b.replyTo)),
    '/api/client/press': async (b) => ({ status: await playground.clientPresses(Number(b.messageId), text(b, 'data')) }),
    '/api/slack/message': async (b) => playground.slackPosts(text(b, 'channel'), text(b, 'user'), text(b, 'text'), optionalText(b, 'threadTs')),
    '/api/slack/command': async (b) => ({ status: await playground.slackCommand(text(b, 'channel'), text(b, 'user'), text(b, 'text'), optionalText(b, 'threadTs')) }),
    '/api/slack/home': (b) => playground.openHome(text(b, 'user')),
    '/api/slack/click': (b) => playground.slackClicks(text(b, 'channel'), text(b, 'ts'), text(b, 'user'), text(b, 'actionId')),
    '/api/slack/type': (b) => playground.slackTypes(text(b, 'modalId'), text(b, 'blockId'), values(b)),
    '/api/slack/submit': (b) => playground.slackSubmits(text(b, 'modalId'), values(b)),
    '/api/slack/dismiss': async (b) => {
      playground.dismissModal(text(b, 'modalId'));
      return { status: 200 };
    },
    '/api/retry': async (b) => ({ retried: playground.retry(text(b, 'id')) }),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://playground').pathname;
    // Only this machine's own names: a page from elsewhere cannot reach the playground by rebinding DNS.
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) return send(res, 421, { error: 'open the playground at http://127.0.0.1' });
    if (req.method === 'GET') {
      if (path === '/api/state') return send(res, 200, playground.state());
      const fileId = /^\/api\/slack\/files\/(F[A-Z0-9]+)$/.exec(path)?.[1];
      if (fileId !== undefined) return serveUpload(res, playground.file(fileId));
      const caseId = /^\/api\/export\/(\d+)$/.exec(path)?.[1];
      if (caseId !== undefined) return serveExport(res, exports, Number(caseId), new URL(req.url ?? '/', 'http://playground').searchParams.get('format') ?? 'html');
      const file = staticFiles[path];
      if (file === undefined) return send(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(await readFile(join(publicDir, file.file)));
      return;
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
    const raw = await readBody(req);
    if (raw.length > maxBody) return send(res, 413, { error: 'too large' });
    // Repka answers a block action's response_url here: /api/slack/respond/<user>/<channel>/<thread ts>.
    const respond = /^\/api\/slack\/respond\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    const body = JSON.parse(raw.toString() || '{}') as Json;
    if (respond !== null) {
      playground.recordResponse(decodeURIComponent(respond[1] ?? ''), decodeURIComponent(respond[2] ?? ''), decodeURIComponent(respond[3] ?? ''), body);
      return send(res, 200, { ok: true });
    }
    // A page on another site must not drive the playground: the page itself sends JSON, which a plain form cannot.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 415, { error: 'JSON only' });
    const route = routes[path];
    if (route === undefined) return send(res, 404, { error: 'not found' });
    send(res, 200, await route(body));
  };

  return createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      const status = error instanceof PlaygroundInputError || error instanceof SyntaxError ? 400 : 500;
      if (!res.headersSent) send(res, status, { error: error.message });
      else res.end();
    });
  });
}

/** Listens on 127.0.0.1:`port`; resolves with the port, rejects when it is taken. */
export function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
