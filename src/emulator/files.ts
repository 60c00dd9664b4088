// GET /files/...: the fixture bytes behind every result URL, with Range support and result markers.
import type { IncomingHttpHeaders } from 'http';
import { Readable } from 'stream';
import { gzipSync } from 'zlib';

import { textReply, type Reply } from './http';
import type { EmulatorState } from './state';
import { snapshot, type Markers } from './tasks';

const CHUNK = 64 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

export const HTML_RESULT_BODY =
  '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in to view this video</h1></body></html>';

/** Put before the last path segment by `[bad-percent]`: a UTF-8 sequence cut short, which cannot be decoded. */
const BAD_PERCENT = '%E0%A4';

/** The URL a task's file is published under; result markers can move it to another host or garble it. */
export function publishedUrl(baseUrl: string, relative: string, markers: Markers | undefined): string {
  let base = baseUrl;
  if (markers?.resultHost) {
    const host = markers.resultHost.includes(':') && !markers.resultHost.startsWith('[') ? `[${markers.resultHost}]` : markers.resultHost;
    base = `http://${host}:${new URL(baseUrl).port}`;
  }
  const rel = markers?.badPercent ? relative.replace(/[^/]*$/, (name) => BAD_PERCENT + name) : relative;
  return `${base}/files/${rel}`;
}

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** A single `bytes=` range (end inclusive); anything else is ignored and the whole body is sent. */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

/** Bytes [start, end) of `prefix` followed by zeros, produced chunk by chunk. */
function* paddedChunks(prefix: Buffer, start: number, end: number): Generator<Buffer> {
  let pos = start;
  while (pos < end) {
    const stop = Math.min(end, pos + CHUNK);
    if (pos < prefix.length) {
      const chunk = prefix.subarray(pos, Math.min(stop, prefix.length));
      pos += chunk.length;
      yield chunk;
    } else {
      yield ZEROS.subarray(0, stop - pos);
      pos = stop;
    }
  }
}

/** A body of `size` bytes (the fixture, then zero padding) honouring a Range header. */
export function bytesReply(headers: IncomingHttpHeaders, prefix: Buffer, size: number, contentType: string): Reply {
  const common = { 'Content-Type': contentType, 'Accept-Ranges': 'bytes', 'Cache-Control': 'public, max-age=3600' };
  const range = parseRange(headers.range, size);
  if (range === 'unsatisfiable') {
    return textReply(416, 'Requested range not satisfiable', 'text/plain; charset=utf-8', { 'Content-Range': `bytes */${size}` });
  }
  const start = range ? range.start : 0;
  const end = range ? range.end + 1 : size;
  return {
    kind: 'stream',
    status: range ? 206 : 200,
    headers: range ? { ...common, 'Content-Range': `bytes ${start}-${end - 1}/${size}` } : common,
    length: end - start,
    open: () => Readable.from(paddedChunks(prefix, start, end), { objectMode: false }),
  };
}

function notFound(): Reply {
  return textReply(404, 'Not Found');
}

function redirect(location: string): Reply {
  return { kind: 'buffer', status: 302, headers: { Location: location }, body: Buffer.alloc(0) };
}

/** One byte every `everyMs` ms: a server that keeps a connection busy without ever finishing. */
function trickle(body: Buffer, everyMs: number, contentType: string): Reply {
  const open = (): Readable => {
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    return new Readable({
      read() {
        timer ??= setTimeout(() => {
          timer = undefined;
          this.push(sent < body.length ? body.subarray(sent, ++sent) : null);
        }, everyMs);
      },
      destroy(err, cb) {
        clearTimeout(timer);
        cb(err);
      },
    });
  };
  return { kind: 'stream', status: 200, headers: { 'Content-Type': contentType }, length: body.length, open };
}

function acceptsGzip(headers: IncomingHttpHeaders): boolean {
  return /(^|,)\s*(gzip|\*)\s*(,|$|;\s*q=(0?\.\d*[1-9]|1))/i.test(String(headers['accept-encoding'] ?? ''));
}

/** The result itself, as the markers want it served. */
function serveResult(
  state: EmulatorState,
  relative: string,
  hop: number,
  headers: IncomingHttpHeaders,
  bytes: Buffer,
  contentType: string,
): Reply {
  const m = state.files.get(relative)!.timing.markers;
  if (hop < m.redirects) return redirect(`/files/hop/${hop + 1}/${relative}`);
  if (m.redirectTo) return redirect(m.redirectTo);
  if (m.result404) return notFound();
  if (m.htmlAs === 'octet') return textReply(200, HTML_RESULT_BODY, 'application/octet-stream');
  if (m.htmlAs === 'untyped') return { kind: 'buffer', status: 200, headers: {}, body: Buffer.from(HTML_RESULT_BODY) };
  if (m.htmlResult) return textReply(200, HTML_RESULT_BODY, 'text/html; charset=utf-8');
  if (m.gzip === 'forced' || (m.gzip === 'negotiated' && acceptsGzip(headers))) {
    return {
      kind: 'buffer',
      status: 200,
      headers: { 'Content-Type': contentType, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' },
      body: gzipSync(bytes),
    };
  }
  if (m.trickleMs !== undefined) return trickle(bytes, m.trickleMs, contentType);
  const size = m.bigBytes ?? bytes.length;
  return bytesReply(headers, bytes.subarray(0, size), size, contentType);
}

/** The key in `state.files` of `relative` (the path after `/files/`, with any redirect hop and bad percent-encoding removed). */
export function fileEntryPath(relative: string): string {
  const hopMatch = /^hop\/(\d+)\/(.+)$/.exec(relative);
  return (hopMatch ? hopMatch[2] : relative).replace(BAD_PERCENT, '');
}

/** `relative` is the path after `/files/` (redirect hops add `hop/<n>/` in front). */
export function serveFile(state: EmulatorState, relative: string, headers: IncomingHttpHeaders): Reply {
  const fixtureMatch = /^fixtures\/([^/]+)$/.exec(relative);
  if (fixtureMatch) {
    const f = state.fixtures.byName(fixtureMatch[1]);
    return f ? bytesReply(headers, f.bytes, f.bytes.length, f.contentType) : notFound();
  }
  const hopMatch = /^hop\/(\d+)\/(.+)$/.exec(relative);
  const path = (hopMatch ? hopMatch[2] : relative).replace(BAD_PERCENT, '');
  const entry = state.files.get(path);
  if (!entry || snapshot(entry.timing, state.now()).phase !== 'succeeded') return notFound();
  if (entry.isResult) {
    return serveResult(state, path, hopMatch ? Number(hopMatch[1]) : 0, headers, entry.fixture.bytes, entry.fixture.contentType);
  }
  return bytesReply(headers, entry.fixture.bytes, entry.fixture.bytes.length, entry.fixture.contentType);
}
