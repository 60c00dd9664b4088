// Child process of the ledger tests: appends `count` records named `<prefix>-<n>` one after the
// other and prints an ack after each append resolved. The parent runs two at once (two writers) or
// kills one with SIGKILL at a random moment (a crash mid-append).
import { SpendLedger } from '../../src/core/money/ledger';

const [file, prefix, count, staleLockMs] = process.argv.slice(2);

async function main(): Promise<void> {
  const ledger = new SpendLedger(file, { staleLockMs: Number(staleLockMs) || 250 });
  // A long model name: a record spans more than one small write, so a kill can tear it.
  const model = `model-${'m'.repeat(150)}`;
  for (let n = 0; n < Number(count); n++) {
    const taskId = `${prefix}-${n}`;
    await ledger.append({ at: Date.now(), provider: 'openrouter', model, taskId, amount: 0.25, source: 'estimate', who: 'script' });
    process.stdout.write(`ack ${taskId}\n`);
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
