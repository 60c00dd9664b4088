// The link grammar VS Code applies to notification messages (vs/base/common/linkedText.ts), written
// out here: `[label](target)` where the target starts with http(s)://, command: or file:, optionally
// followed by a quoted title. Tests run every message the extension may show through it.

const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

/** The links VS Code would make of `text` in a notification: their labels and targets. */
export function notificationLinks(text: string): { label: string; target: string }[] {
  return [...text.matchAll(LINK)].map((m) => ({ label: m[1], target: m[2] }));
}
