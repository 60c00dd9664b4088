// Who is sending a create, as its `submitting` record names it, so that any window can tell a
// sender still at work from one that is gone (its window closed or crashed before the answer).
// A process id alone cannot tell: ids are reused, and in a container a restarted extension host
// typically gets the very id the previous one had. So a sender is its engine's owner id plus a
// random id of its process instance (new at every start), with the pid and, where the system tells
// it (Linux), the process's start time, which tells a reused pid from the process that had it.
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';

import { Task } from '../model/task';

export type Sender = NonNullable<Task['sender']>;

/** This process: its id and start time, and a random id of this instance of it. */
export const THIS_PROCESS: Readonly<{ pid: number; instance: string; started: number | undefined }> = {
  pid: process.pid,
  instance: randomBytes(8).toString('hex'),
  started: processStart(process.pid),
};

/** The sender record of a create this process starts sending now, for the engine `owner`. */
export function senderOf(owner: string, now: number): Sender {
  const { pid, instance, started } = THIS_PROCESS;
  return { owner, pid, instance, since: now, ...(started !== undefined && { started }) };
}

/** Whether the process that recorded `s` is certainly no longer running. */
export function senderGone(s: Sender): boolean {
  // Another engine of this very process (two windows' engines in one test, say): running.
  if (s.instance !== undefined && s.instance === THIS_PROCESS.instance) return false;
  // Our process id, but not this instance: the process that had it before us is gone.
  if (s.pid === THIS_PROCESS.pid) return true;
  if (!processAlive(s.pid)) return true;
  if (s.started === undefined) return false;
  const started = processStart(s.pid);
  return started !== undefined && started !== s.started;
}

/** Whether a process with this id exists. */
function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined where unknown. */
function processStart(pid: number): number | undefined {
  if (process.platform !== 'linux' || !Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}
