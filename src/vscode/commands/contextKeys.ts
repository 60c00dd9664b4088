// Every context key the extension sets, once. `when` clauses and walkthrough completion events of
// package.json read them; a plain-Node test (test/unit/vscode/commands/commands.test.ts) checks this
// list against the manifest both ways. Set them with setContext (commands/execute.ts).

export const CONTEXT_KEYS = [
  /** The Tasks view is filtered by prompt words: its title bar shows Clear Filter instead of Filter. */
  'aiVideo.tasksFiltered',
  /** The walkthrough's steps, ticked off by src/vscode/walkthrough.ts. */
  'aiVideo.walkthrough.keySet',
  'aiVideo.walkthrough.generated',
  'aiVideo.walkthrough.played',
  'aiVideo.walkthrough.galleryOpened',
  'aiVideo.walkthrough.promptFileUsed',
] as const;

export type ContextKey = (typeof CONTEXT_KEYS)[number];
