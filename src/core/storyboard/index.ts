// The storyboard core in one import, for the extension and the command-line tool: parse, plan, the
// lockfile and renderStoryboard; the types are in types.ts.
export * from './types';
export { isStoryboard, parseStoryboard, upstreamOf, SHOT_ID_PATTERN } from './parse';
export { canonicalJson, resolvedRequest, shotHash } from './hash';
export { emptyLock, formatLock, isRelativePath, LOCKFILE_SUFFIX, parseLock } from './lockfile';
export { dependencyOrder, planStoryboard } from './plan';
export { planRender, readStoryboard, renderStoryboard, StoryboardError } from './render';
