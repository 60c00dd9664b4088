// A task's cost as every view (tree tooltip, gallery card, player) shows it.
import * as assert from 'assert';

import { formatCost, formatUsd } from '../../../src/shared/format';

describe("a task's cost as the views show it (shared/format.ts)", () => {
  it('says what the provider reported plainly, marks an estimate, and reads "no charge" for a take that cost nothing', () => {
    assert.strictEqual(formatCost({ amount: 2.4, source: 'provider' }), '$2.40');
    assert.strictEqual(formatCost({ amount: 1.6, source: 'estimate' }), '≈ $1.60 (estimate)');
    assert.strictEqual(formatCost({ amount: 0, source: 'estimate' }), 'no charge');
    assert.strictEqual(formatCost({ amount: 0, source: 'provider' }), 'no charge');
  });

  it('shows nothing for no cost or an amount that cannot be one', () => {
    assert.strictEqual(formatCost(undefined), undefined);
    assert.strictEqual(formatCost({ amount: Number.NaN, source: 'provider' }), undefined);
    assert.strictEqual(formatCost({ amount: -1, source: 'provider' }), undefined);
    assert.strictEqual(formatUsd(0.035), '$0.035');
  });
});
