// An in-memory RenderHost for the storyboard's unit tests: files are strings in a map, a generation
// is a file whose content names the request, and the host counts creates and how many ran at once.
import { createHash } from 'crypto';

import type { GenerateRequest } from '../../src/core/model/task';
import type { PromptCatalog } from '../../src/core/request/promptBlocks';
import { parseLock } from '../../src/core/storyboard/lockfile';
import type { Quote, RenderHost, RenderProgress, Shot, Take } from '../../src/core/storyboard/types';
import { PROVIDER_LIST } from '../../src/providers';

export const catalog: PromptCatalog = { providers: PROVIDER_LIST, configuredModels: () => [] };

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export class MemoryHost implements RenderHost {
  readonly files = new Map<string, string>();
  lockText: string | undefined;
  lockWrites = 0;
  readonly creates: { shot: string; request: GenerateRequest }[] = [];
  readonly events: RenderProgress[] = [];
  stitches = 0;
  running = 0;
  maxRunning = 0;
  /** Shot ids whose generation fails. */
  readonly failing = new Set<string>();
  checkBudget?: RenderHost['checkBudget'];
  /** When set, every take is this same clip (as an emulator serving one sample video). */
  clip?: string;
  /** Called as each generation starts (a test may cancel there). */
  onGenerate?: (shot: Shot) => void;
  /** Resolves each generation; by default at once (next tick). */
  gate: () => Promise<void> = () => new Promise((r) => setImmediate(r));
  private takes = 0;

  shotOutput(id: string): string {
    return `videos/board/${id}.mp4`;
  }
  filmOutput(): string {
    return 'videos/board.mp4';
  }
  absolute(rel: string): string {
    return `/project/${rel}`;
  }
  async sha256(rel: string): Promise<string | undefined> {
    const f = this.files.get(rel);
    return f === undefined ? undefined : sha(f);
  }
  async readLock() {
    if (this.lockText === undefined) return undefined;
    const lock = parseLock(this.lockText);
    return 'error' in lock ? undefined : lock;
  }
  async writeLock(text: string): Promise<void> {
    this.lockText = text;
    this.lockWrites++;
  }
  async generate(shot: Shot, request: GenerateRequest): Promise<Take> {
    this.creates.push({ shot: shot.id, request });
    this.onGenerate?.(shot);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await this.gate();
      if (this.failing.has(shot.id)) throw new Error(`${shot.id} failed`);
      const file = `/takes/${++this.takes}.mp4`;
      this.files.set(file, this.clip ?? `video of ${request.prompt} from ${request.image ?? 'nothing'} #${this.takes}`);
      return { file, taskId: `task-${this.takes}`, jobId: `job-${this.takes}`, model: request.model ?? 'default', seed: this.takes };
    } finally {
      this.running--;
    }
  }
  async copy(file: string, rel: string): Promise<void> {
    this.files.set(rel, this.files.get(file)!);
  }
  async lastFrame(rel: string): Promise<{ path: string; sha256: string }> {
    const content = `last frame of ${this.files.get(rel)}`;
    return { path: `/frames/${sha(content).slice(0, 8)}.png`, sha256: sha(content) };
  }
  async stitch(clips: string[], rel: string): Promise<void> {
    this.stitches++;
    this.files.set(rel, clips.map((c) => this.files.get(c)).join('|'));
  }
  async quote(requests: GenerateRequest[]): Promise<Quote> {
    return { amount: requests.length * 0.5, currency: 'USD', estimate: false };
  }
  progress(event: RenderProgress): void {
    this.events.push(event);
  }
}
