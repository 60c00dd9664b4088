// One HTTP/1.1 GET over one connection, with the body read into a few reused buffers: the one
// hand-written HTTP client left, used by result downloads (download.ts). Provider API requests go
// through axios (http.ts).
//
// Why not axios, or Node's http client it runs on: Node reads the socket into a fresh 64 KB buffer
// per read, and those buffers are only freed by a later garbage collection. Streaming a 200 MB file
// that way holds about 32 MB of dead buffers at the peak, whatever the backpressure: measured with
// axios (`responseType: 'stream'`, `decompress: false`) in a child process as the bench does, peak RSS
// grew 34 MB (Node's http.get alone: 40 MB), against the 16 MB the bench allows; this reader: 4 MB.
// A stream (what axios hands back) cannot reuse its buffers, as nothing tells it when a consumer is
// done with a chunk; `readBody` below can, because its sink says so. Here the socket reads into
// buffers of our own (`onread`) that are reused once every byte in them was consumed, each body
// slice is handed to the consumer, and reading pauses while the consumer is busy, so memory stays
// flat. The connection goes to the given, already checked addresses only, asks for nothing but the
// plain body and closes after the one answer.
import type { LookupAddress } from 'dns';
import { isIP, connect as netConnect, Socket } from 'net';
import { connect as tlsConnect } from 'tls';
import * as l10n from '@vscode/l10n';

import { ProviderError } from '../model/errors';
import { pinnedLookup } from './addressGuard';

export interface GetRequest {
  url: URL;
  /** Where to connect: the checked addresses of the URL's host. */
  addresses: readonly LookupAddress[];
  headers: Record<string, string>;
  signal: AbortSignal;
  /** No connection, answer or body bytes for this long: the request fails as stalled. */
  stallMs: number;
  onStall: () => ProviderError;
  /** Certificates to trust for https instead of the usual roots (tests). */
  ca?: string;
}

export interface GetResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /**
   * Reads the body to its end, handing each slice to `sink`. A slice is valid only until `sink`
   * returns (or its promise settles): the buffer behind it is reused. Rejects when the body is cut
   * short, stalls, or `sink` throws; the connection is closed either way.
   */
  readBody(sink: (chunk: Buffer) => void | Promise<void>): Promise<void>;
  /** Closes the connection without reading the body. */
  discard(): void;
}

const READ_BUFFER_BYTES = 64 * 1024;
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 4096;

function malformed(message: string): ProviderError {
  return new ProviderError({ kind: 'malformed', message });
}

function network(message: string): ProviderError {
  return new ProviderError({ kind: 'network', message });
}

interface Head {
  status: number;
  headers: Record<string, string>;
}

function parseHead(text: string): Head {
  const lines = text.split(/\r?\n/);
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]);
  if (!m) throw malformed(l10n.t('The result server did not answer in HTTP/1.1.'));
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).toLowerCase() : '';
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw malformed(l10n.t('The result server sent a malformed header.'));
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(m[1]), headers };
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'none' };

function framingOf(head: Head): Framing {
  if (head.status === 204 || head.status === 304) return { kind: 'none' };
  const te = head.headers['transfer-encoding'];
  if (te !== undefined) {
    if (te.trim().toLowerCase() !== 'chunked') {
      throw malformed(
        l10n.t(
          'The result server used a transfer encoding this client does not accept ({0}).',
          te.replace(/[^a-z0-9, -]/gi, '').slice(0, 40),
        ),
      );
    }
    return { kind: 'chunked' };
  }
  const cl = head.headers['content-length'];
  if (cl === undefined) return { kind: 'close' };
  const values = new Set(cl.split(',').map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || !/^\d{1,15}$/.test(only)) throw malformed(l10n.t('The result server sent an invalid Content-Length.'));
  return { kind: 'length', left: Number(only) };
}

/**
 * The body decoder: turns raw bytes into body slices (chunked or not) and says when the body ended.
 * Works on views of the read buffer; only chunk-size lines are copied.
 */
class BodyDecoder {
  private state: 'size' | 'data' | 'dataEnd' | 'trailer' | 'done';
  private line = '';
  private chunkLeft = 0;
  private lengthLeft: number;

  constructor(private readonly framing: Framing) {
    this.lengthLeft = framing.kind === 'length' ? framing.left : 0;
    this.state = framing.kind === 'chunked' ? 'size' : framing.kind === 'close' ? 'data' : this.lengthLeft > 0 ? 'data' : 'done';
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** What EOF means now: undefined if the body is complete, else why it is not. */
  endProblem(): ProviderError | undefined {
    if (this.framing.kind === 'close' || this.state === 'done') return undefined;
    if (this.framing.kind === 'length') return network(l10n.t('Download was cut short ({0} bytes missing).', this.lengthLeft));
    return network(l10n.t('Download was cut short (the chunked body did not end).'));
  }

  /** The next body slice in `buf` from `at`, and where decoding stopped; `slice` undefined when `buf` is used up or the body ended. */
  next(buf: Buffer, at: number): { slice?: Buffer; at: number } {
    while (at < buf.length && this.state !== 'done') {
      if (this.state === 'data') {
        const avail = buf.length - at;
        if (this.framing.kind === 'close') return { slice: buf.subarray(at), at: buf.length };
        const left = this.framing.kind === 'length' ? this.lengthLeft : this.chunkLeft;
        const n = Math.min(avail, left);
        if (this.framing.kind === 'length') {
          this.lengthLeft -= n;
          if (this.lengthLeft === 0) this.state = 'done';
        } else {
          this.chunkLeft -= n;
          if (this.chunkLeft === 0) this.state = 'dataEnd';
        }
        return { slice: buf.subarray(at, at + n), at: at + n };
      }
      // Line-oriented states: chunk size, the CRLF after a chunk, trailers.
      const nl = buf.indexOf(0x0a, at);
      const end = nl < 0 ? buf.length : nl;
      this.line += buf.toString('latin1', at, end);
      if (this.line.length > MAX_LINE_BYTES) throw malformed(l10n.t('The result server sent a malformed chunked body.'));
      at = nl < 0 ? buf.length : nl + 1;
      if (nl < 0) break;
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.state === 'dataEnd') {
        if (line !== '') throw malformed(l10n.t('The result server sent a malformed chunked body.'));
        this.state = 'size';
      } else if (this.state === 'size') {
        const size = line.split(';')[0].trim();
        if (!/^[0-9a-f]{1,12}$/i.test(size)) throw malformed(l10n.t('The result server sent a malformed chunked body.'));
        this.chunkLeft = parseInt(size, 16);
        this.state = this.chunkLeft === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        this.state = 'done';
      }
    }
    return { at };
  }
}

export function httpGet(req: GetRequest): Promise<GetResponse> {
  const { url, signal } = req;
  if (signal.aborted) return Promise.reject(signal.reason);
  // Written into the request as they are: a line break would start a header of its own.
  if (Object.entries(req.headers).some(([k, v]) => /[\r\n\0]/.test(k + v))) {
    return Promise.reject(new ProviderError({ kind: 'input', message: l10n.t('A request header holds a line break.') }));
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);

  return new Promise<GetResponse>((resolveHead, rejectHead) => {
    let head = Buffer.alloc(0);
    let decoder: BodyDecoder | undefined;
    /** Set while a body reader is attached. */
    let reader: { sink: (chunk: Buffer) => void | Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
    /** Read buffers not handed out; a buffer returns here once every byte read into it was consumed. */
    const pool: Buffer[] = [];
    /** Body bytes read and not consumed yet, in order: views of read buffers they keep out of the pool. */
    const queue: { view: Buffer; owner: Buffer }[] = [];
    let busy = false;
    let ended = false;
    let closed = false;
    let failed: unknown;

    const close = () => {
      closed = true;
      clearTimeout(stall);
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (e: unknown) => {
      if (closed) return;
      failed = e;
      close();
      if (reader) reader.reject(e);
      else rejectHead(e);
    };
    const finish = () => {
      if (closed) return;
      close();
      reader?.resolve();
    };
    const onAbort = () => fail(signal.reason);
    const stall = setTimeout(() => fail(req.onStall()), req.stallMs);

    /** Feeds the queue to the decoder and the sink until it is empty, the sink is busy, or the body ended. */
    const pump = (): void => {
      if (!reader || !decoder || busy || closed) return;
      try {
        while (queue.length > 0 && !decoder.done) {
          const entry = queue[0];
          if (entry.view.length === 0) {
            pool.push(queue.shift()!.owner);
            continue;
          }
          const { slice, at } = decoder.next(entry.view, 0);
          entry.view = entry.view.subarray(at);
          if (!slice || slice.length === 0) continue;
          const r = reader.sink(slice);
          if (r instanceof Promise) {
            busy = true;
            r.then(() => {
              busy = false;
              stall.refresh();
              pump();
            }, fail);
            return;
          }
        }
      } catch (e) {
        fail(e);
        return;
      }
      if (decoder.done) finish();
      else if (queue.length > 0) return;
      else if (ended) {
        const problem = decoder.endProblem();
        if (problem) fail(problem);
        else finish();
      } else socket.resume();
    };

    const onHead = (text: string, rest: Buffer, owner: Buffer) => {
      let parsed: Head;
      try {
        parsed = parseHead(text);
        if (parsed.status >= 100 && parsed.status < 200) {
          // An informational answer (103 Early Hints): the real one follows.
          if (parsed.status === 101) throw malformed(l10n.t('The result server switched protocols.'));
          onBytes(rest, owner);
          return;
        }
        decoder = new BodyDecoder(framingOf(parsed));
      } catch (e) {
        fail(e);
        return;
      }
      queue.push({ view: rest, owner });
      resolveHead({
        status: parsed.status,
        headers: parsed.headers,
        readBody: (sink) =>
          new Promise<void>((resolve, reject) => {
            if (closed) return reject(failed ?? network(l10n.t('The connection is closed.')));
            reader = { sink, resolve, reject };
            pump();
          }),
        discard: () => fail(network('Discarded.')),
      });
    };

    /** Head bytes are copied (they are few); body bytes wait in the queue for the reader. */
    const onBytes = (bytes: Buffer, owner: Buffer): void => {
      if (decoder) {
        queue.push({ view: bytes, owner });
        pump();
        return;
      }
      const before = head.length;
      head = Buffer.concat([head, bytes]);
      // The blank line ending the head, possibly begun in an earlier read.
      const crlf = head.indexOf('\r\n\r\n', Math.max(0, before - 3));
      const lf = head.indexOf('\n\n', Math.max(0, before - 1));
      const cut = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
      if (cut < 0) {
        pool.push(owner);
        if (head.length > MAX_HEAD_BYTES) fail(malformed(l10n.t('The result server sent too large a header.')));
        return;
      }
      const text = head.toString('latin1', 0, cut);
      head = Buffer.alloc(0);
      onHead(text, bytes.subarray(cut - before), owner);
    };

    const common = {
      host,
      port,
      lookup: pinnedLookup(req.addresses),
      onread: {
        // Called for every read: a buffer no unconsumed bytes live in. TLS may deliver a read or two
        // after a pause, so there can be a few; a plain socket uses one or two.
        buffer: () => pool.pop() ?? Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (n: number, buf: Uint8Array): boolean => {
          stall.refresh();
          onBytes(Buffer.from(buf.buffer, buf.byteOffset, n), buf as Buffer);
          // Pause unless every byte read so far was consumed.
          return queue.length === 0 && !closed && !(decoder && !reader);
        },
      },
    };
    const socket: Socket =
      url.protocol === 'https:'
        ? tlsConnect({
            ...common,
            servername: isIP(host) ? undefined : host,
            ALPNProtocols: ['http/1.1'],
            ...(req.ca ? { ca: req.ca } : {}),
          })
        : netConnect(common);
    const request =
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
      Object.entries({ ...req.headers, Connection: 'close' })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n';
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      stall.refresh();
      socket.write(request);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => fail(network(l10n.t('Download failed ({0}).', e.code ?? e.message))));
    socket.on('end', () => {
      ended = true;
      if (!decoder) return fail(network(l10n.t('The result server closed the connection without an answer.')));
      if (!busy && reader) pump();
    });
    socket.on('close', () => {
      ended = true;
      if (closed) return;
      if (!decoder) return fail(network(l10n.t('The result server closed the connection without an answer.')));
      if (!busy && reader) pump();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
