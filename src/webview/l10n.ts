// The webview apps' texts in VS Code's display language. The host builds them with vscode.l10n.t
// and puts them in the page (`data-strings` of #app, see vscode/appHtml.ts), keyed by their English
// text, so they are there before the app draws anything; a missing one reads in English.

function read(): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(document.getElementById('app')?.dataset.strings ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const strings = read();

/** The text for `key` with `{0}`, `{1}`… filled from `args`. */
export function translate(key: string, ...args: (string | number)[]): string {
  const text = strings[key];
  return (typeof text === 'string' ? text : key).replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}
