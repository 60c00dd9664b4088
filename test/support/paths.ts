// Where the repository is, for tests that read its files (the manifest, sources, the README). Tests
// run compiled from out/test/, so the root is three folders above this file's compiled copy.
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../../..');
