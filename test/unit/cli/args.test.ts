// The CLI's command line: every form the README shows parses, every mistake is a UsageError that
// says what is wrong.
import * as assert from 'assert';

import { parseArgs, usage, UsageError } from '../../../src/cli/args';

function refused(argv: string[], message: RegExp): void {
  assert.throws(
    () => parseArgs(argv),
    (e: unknown) => e instanceof UsageError && message.test(e.message),
    argv.join(' '),
  );
}

describe('cli/args', function () {
  it('parses render with every option, in any order and in --flag=value form', function () {
    assert.deepStrictEqual(parseArgs(['render', 'film.md', '--yes', '--budget', '5', '--root', 'r', '--out=o', '--json']), {
      command: 'render',
      file: 'film.md',
      dryRun: false,
      yes: true,
      budget: 5,
      root: 'r',
      out: 'o',
      json: true,
    });
    assert.deepStrictEqual(parseArgs(['render', '--dry-run', 'film.md']), {
      command: 'render',
      file: 'film.md',
      dryRun: true,
      yes: false,
      json: false,
    });
    assert.strictEqual((parseArgs(['render', 'f.md', '--budget=$12.50']) as { budget: number }).budget, 12.5);
  });

  it('quote is always a dry run and takes no spending flags', function () {
    assert.deepStrictEqual(parseArgs(['quote', 'f.md', '--json']), {
      command: 'quote',
      file: 'f.md',
      dryRun: true,
      yes: false,
      json: true,
    });
    refused(['quote', 'f.md', '--yes'], /quote never sends/);
    refused(['quote', 'f.md', '--budget', '3'], /quote never sends/);
  });

  it('--help anywhere is help, and the usage names both commands and the exit codes', function () {
    assert.deepStrictEqual(parseArgs(['--help']), { command: 'help' });
    assert.deepStrictEqual(parseArgs(['render', 'x.md', '-h']), { command: 'help' });
    assert.match(usage(), /render <file\.md>/);
    assert.match(usage(), /quote +<file\.md>/);
    assert.match(usage(), /Exit codes/);
  });

  it('refuses bad arguments with a message saying what is wrong', function () {
    refused([], /No command/);
    refused(['draw', 'f.md'], /Unknown command "draw"/);
    refused(['render'], /Name the storyboard/);
    refused(['render', 'a.md', 'b.md'], /One storyboard at a time/);
    refused(['render', 'f.md', '--fast'], /Unknown option --fast/);
    refused(['render', 'f.md', '--budget'], /--budget needs a value/);
    refused(['render', 'f.md', '--budget', '--yes'], /--budget needs a value/);
    refused(['render', 'f.md', '--budget', 'ten'], /amount in USD/);
    refused(['render', 'f.md', '--budget', '-1'], /needs a value|amount in USD/);
    refused(['render', 'f.md', '--budget=1e3'], /amount in USD/);
    refused(['render', 'f.md', '--root'], /--root needs a value/);
    refused(['render', 'f.md', '--yes=1'], /takes no value/);
    refused(['render', 'f.md', '--yes', '--dry-run'], /contradict/);
  });

  it('takes a file named like an option after --', function () {
    assert.strictEqual((parseArgs(['render', '--', '--odd.md']) as { file: string }).file, '--odd.md');
  });
});
