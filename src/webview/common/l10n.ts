// Hands the translations the host put in the page (#app's `data-strings`: VS Code's bundle for the
// display language, absent in English) to @vscode/l10n. Each app imports this first, so the texts
// are in place before it draws anything.
import * as l10n from '@vscode/l10n';

try {
  const raw = document.getElementById('app')?.dataset.strings;
  if (raw) l10n.config({ contents: JSON.parse(raw) as Record<string, string> });
} catch {
  // A broken attribute leaves the English texts.
}
