// GET /files/...: the fixture bytes behind every result URL, with Range support and result markers.
import { Readable } from 'stream';
import type { IncomingHttpHeaders } from 'http';
import { textReply, type Reply } from './http';
import type { EmulatorState } from './state';
import { snapshot } from './tasks';

const CHUNK = 64 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

export const HTML_RESULT_BODY =
  '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in to view this video</h1></body></html>';

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

/** `relative` is the path after `/files/`. */
export function serveFile(state: EmulatorState, relative: string, headers: IncomingHttpHeaders): Reply {
  const fixtureMatch = /^fixtures\/([^/]+)$/.exec(relative);
  if (fixtureMatch) {
    const f = state.fixtures.byName(fixtureMatch[1]);
    return f ? bytesReply(headers, f.bytes, f.bytes.length, f.contentType) : notFound();
  }
  const entry = state.files.get(relative);
  if (!entry || snapshot(entry.timing, state.now()).phase !== 'succeeded') return notFound();
  const { markers } = entry.timing;
  if (entry.isResult && markers.result404) return notFound();
  if (entry.isResult && markers.htmlResult) return textReply(200, HTML_RESULT_BODY, 'text/html; charset=utf-8');
  const size = entry.isResult && markers.bigBytes !== undefined ? markers.bigBytes : entry.fixture.bytes.length;
  return bytesReply(headers, entry.fixture.bytes.subarray(0, size), size, entry.fixture.contentType);
}
