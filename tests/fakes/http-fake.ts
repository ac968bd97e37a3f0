import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call a fake platform answered. */
export interface RecordedCall<P = Record<string, any>> {
  readonly method: string;
  readonly params: P;
  readonly at: number;
}

/** Reads a whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Parses multipart/form-data: text fields as strings, file parts as Buffers. */
export function parseMultipart(body: Buffer, contentType: string): Record<string, string | Buffer> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const fields: Record<string, string | Buffer> = {};
  if (boundary === null) return fields;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.subarray(0, split).toString();
      const content = part.subarray(split + 4);
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      if (name !== undefined) fields[name] = /filename="/i.test(head) ? Buffer.from(content) : content.toString();
    }
    start = next;
  }
  return fields;
}

/** Parses a request body by its content type into a flat object (values as sent). */
export function parseBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = contentType ?? '';
  if (body.length === 0) return {};
  if (type.includes('application/json')) return JSON.parse(body.toString()) as Record<string, unknown>;
  if (type.includes('multipart/form-data')) return parseMultipart(body, type);
  return Object.fromEntries(new URLSearchParams(body.toString()));
}

/** Finds calls, past or future, for `waitFor`-style assertions. */
export class CallLog<C extends RecordedCall> {
  readonly calls: C[] = [];
  private readonly waiters = new Set<() => void>();

  push(call: C): void {
    this.calls.push(call);
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves when at least `n` calls of `method` match; rejects after `timeoutMs` listing what was seen. */
  waitForCount(method: string, n: number, predicate: (c: C) => boolean = () => true, timeoutMs = 5000): Promise<C[]> {
    // Each check looks only at calls pushed since the last one, so waiting on many calls stays linear.
    const found: C[] = [];
    let cursor = 0;
    const scan = () => {
      if (cursor > this.calls.length) {
        // The log was reset: start over.
        cursor = 0;
        found.length = 0;
      }
      for (; cursor < this.calls.length; cursor += 1) {
        const c = this.calls[cursor] as C;
        if (c.method === method && predicate(c)) found.push(c);
      }
    };
    return new Promise((resolve, reject) => {
      const check = () => {
        scan();
        if (found.length >= n) {
          cleanup();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        scan();
        const seen = this.calls.map((c) => c.method);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n} × ${method}; saw ${found.length}. Calls: ${seen.slice(-30).join(', ') || 'none'}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async waitFor(method: string, predicate?: (c: C) => boolean, timeoutMs?: number): Promise<C> {
    const found = await this.waitForCount(method, 1, predicate, timeoutMs);
    return found[0] as C;
  }
}

/** Starts an HTTP server on 127.0.0.1 (port 0: any free port) and returns it with its base URL. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>, port = 0): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: `fake_failure: ${error.message}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Closes a server, dropping kept-alive connections. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** POSTs a body and returns status and text. */
export async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, body: await res.text() };
}
