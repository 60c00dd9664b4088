// The task clock: a task's state is computed from the clock at query time, no timers.

export const FAILURE_MESSAGE = 'Emulated generation failure';
export const REJECTED_MESSAGE = 'Rejected by content review: the request did not pass moderation (emulated)';

/**
 * What a hostile gateway says (`[hostile]` marker, `hostile` fault): a command link in markdown and
 * HTML, the caller's own key (after `Bearer`, and bare), a key-shaped token, terminal escapes and
 * line breaks that fake log lines, and 10 KB of padding.
 */
export function hostileMessage(key: string | undefined): string {
  return [
    'Quota exceeded. [Fix it here](command:workbench.extensions.installExtension?["evil.pwn"])',
    `You sent Authorization: Bearer ${key ?? ''} (key ${key ?? ''}).`,
    'Or run COMMAND:aiVideo.setApiKey, or <a href="command:aiVideo.generate">click</a>.',
    '\u0007\u001b[31mred\u001b[0m\r\n[error] FAKE LOG LINE\u0085\u202egnp.exe',
    'Leaked sk-FAKE-example-token.',
    'x'.repeat(10 * 1024),
  ].join(' ');
}

/** Outcome markers found in a prompt (or HiDream style), case-insensitive. */
export interface Markers {
  fail: boolean;
  reject: boolean;
  never: boolean;
  unknown: boolean;
  durationMs?: number;
  subtasks: number;
  result404: boolean;
  bigBytes?: number;
  htmlResult: boolean;
  /** The HTML page served as `application/octet-stream`, or with no content type at all. */
  htmlAs?: 'octet' | 'untyped';
  /** gzip the result when the client accepts it ('negotiated'), or always ('forced'). */
  gzip?: 'negotiated' | 'forced';
  /** Send the result one byte every this many ms. */
  trickleMs?: number;
  /** Result URLs name this host (e.g. 10.0.0.1) instead of the emulator's. */
  resultHost?: string;
  /** Redirect through this many emulator hops before the result... */
  redirects: number;
  /** ...and then to this URL instead of serving it. */
  redirectTo?: string;
  /** Result URLs carry invalid percent-encoding in their last path segment. */
  badPercent: boolean;
  /** Fails with hostileMessage() as the provider's error text. */
  hostile: boolean;
  gatewayShape?: 'flat' | 'envelope';
}

const MAX_SUBTASKS = 8;

export function parseMarkers(...texts: Array<string | undefined>): Markers {
  const text = texts.filter((t): t is string => typeof t === 'string').join('\n');
  const has = (name: string): boolean => text.toLowerCase().includes(`[${name}]`);
  const num = (name: string): number | undefined => {
    const m = new RegExp(`\\[${name}=(\\d+)\\]`, 'i').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const subtasks = num('subtasks');
  return {
    fail: has('fail'),
    reject: has('reject'),
    never: has('never'),
    unknown: has('unknown'),
    durationMs: num('duration'),
    subtasks: subtasks === undefined ? 1 : Math.min(MAX_SUBTASKS, Math.max(1, subtasks)),
    result404: has('result-404'),
    bigBytes: num('big'),
    htmlResult: has('html-result'),
    htmlAs: has('html-octet') ? 'octet' : has('html-untyped') ? 'untyped' : undefined,
    gzip: has('gzip-forced') ? 'forced' : has('gzip-result') ? 'negotiated' : undefined,
    trickleMs: num('trickle'),
    resultHost: text.match(/\[result-host=([^\s\]]+)\]/i)?.[1],
    redirects: num('redirects') ?? 0,
    // Ends at the "]" that closes the marker, so IPv6 literals ("http://[fe80::1]/x") fit.
    redirectTo: text.match(/\[redirect-to=(\S+?)\](?=\s|$)/i)?.[1],
    badPercent: has('bad-percent'),
    hostile: has('hostile'),
    gatewayShape: has('envelope') ? 'envelope' : has('flat') ? 'flat' : undefined,
  };
}

export interface TaskTiming {
  createdAt: number;
  durationMs: number;
  /** How long the task stays queued, ms. */
  queuedMs: number;
  markers: Markers;
  /** The key the create was sent with, for texts that echo it. */
  authKey?: string;
  /** The prompt (and style) the task was made from: what its generated clip is drawn from. */
  prompt?: string;
  /** The task's own id at the provider: takes of one prompt get different pictures. */
  take?: string;
}

export function makeTiming(createdAt: number, defaultDurationMs: number, queuedFraction: number, markers: Markers): TaskTiming {
  const durationMs = Math.max(0, markers.durationMs ?? defaultDurationMs);
  const fraction = Math.min(1, Math.max(0, queuedFraction));
  return { createdAt, durationMs, queuedMs: Math.round(durationMs * fraction), markers };
}

export type Phase = 'queued' | 'running' | 'succeeded' | 'failed' | 'rejected';

export interface Snapshot {
  phase: Phase;
  /** 0 queued, 1-99 running, 100 final. */
  progress: number;
  /** While running, report a status word the client does not know. */
  unknownStatus: boolean;
  /** Share of the queued phase already elapsed (0-1), for providers with two queued words. */
  queuedElapsed: number;
  startedAt?: number;
  finishedAt?: number;
  /** Failure text for 'failed' and 'rejected'. */
  error?: string;
}

/** Emulator-clock time at which the task reaches its final state, or undefined for `[never]`. */
export function finalAt(t: TaskTiming): number | undefined {
  return t.markers.never ? undefined : t.createdAt + t.durationMs;
}

export function snapshot(t: TaskTiming, now: number): Snapshot {
  const startAt = t.createdAt + t.queuedMs;
  const endAt = finalAt(t);
  if (endAt !== undefined && now >= endAt) {
    const outcome: Phase = t.markers.reject ? 'rejected' : t.markers.fail || t.markers.hostile ? 'failed' : 'succeeded';
    return {
      phase: outcome,
      progress: 100,
      unknownStatus: false,
      queuedElapsed: 1,
      startedAt: Math.min(startAt, endAt),
      finishedAt: endAt,
      error:
        outcome === 'rejected'
          ? REJECTED_MESSAGE
          : t.markers.hostile
            ? hostileMessage(t.authKey)
            : outcome === 'failed'
              ? FAILURE_MESSAGE
              : undefined,
    };
  }
  if (now < startAt) {
    const queuedElapsed = t.queuedMs > 0 ? Math.max(0, now - t.createdAt) / t.queuedMs : 1;
    return { phase: 'queued', progress: 0, unknownStatus: false, queuedElapsed };
  }
  let progress: number;
  if (endAt === undefined) {
    progress = 50;
  } else {
    const span = endAt - startAt;
    progress = span > 0 ? Math.round((99 * (now - startAt)) / span) : 99;
    progress = Math.min(99, Math.max(1, progress));
  }
  return { phase: 'running', progress, unknownStatus: t.markers.unknown, queuedElapsed: 1, startedAt: startAt };
}

/** Final time if the task has reached it by `now`. */
export function finishedBy(t: TaskTiming, now: number): number | undefined {
  const endAt = finalAt(t);
  return endAt !== undefined && now >= endAt ? endAt : undefined;
}
