// The HTML shell every webview app loads (player, gallery, compare), with its
// Content-Security-Policy: scripts only by nonce; styles, media, images and fonts only from the
// extension's own resources. Nothing inline. Each app's page loads its bundle, then the shared style
// sheet and its own. Pure, so it is unit-tested in plain Node.

/** The webview apps, each bundled as `dist/webview/<app>.js` with its style sheet `media/<app>.css`. */
export type WebviewApp = 'player' | 'gallery' | 'compare' | 'spending';

export interface AppHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Fresh random value for each HTML document. */
  nonce: string;
  /** Webview URI of the bundled app (`dist/webview/<app>.js`). */
  scriptUri: string;
  /** Webview URIs of the style sheets under `media/`, in order. */
  styleUris: readonly string[];
  /** The document title (read by screen readers). */
  title: string;
  /** VS Code's translation bundle for the display language (`vscode.l10n.bundle`), for webview/l10n.ts. */
  strings?: unknown;
  /** The display language, e.g. `en` or `zh-cn`. */
  lang?: string;
}

export function buildCsp(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `img-src ${cspSource}`,
    `media-src ${cspSource}`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The document the webview loads; the app builds everything else with DOM calls. */
export function buildAppHtml(o: AppHtmlOptions): string {
  const attr = escapeAttribute;
  const styles = o.styleUris.map((uri) => `  <link rel="stylesheet" href="${attr(uri)}">\n`).join('');
  return `<!DOCTYPE html>
<html lang="${attr(o.lang ?? 'en')}">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(buildCsp(o.cspSource, o.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}  <title>${attr(o.title)}</title>
</head>
<body>
  <main id="app" class="app" aria-live="polite"${o.strings ? ` data-strings="${attr(JSON.stringify(o.strings))}"` : ''}></main>
  <script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}

export interface AppPageInput {
  cspSource: string;
  nonce: string;
  /** The webview URI of a file of the extension, given by its path relative to the extension's root. */
  asUri(relativePath: string): string;
  title: string;
  strings?: unknown;
  lang?: string;
}

/** The page of `app`: its bundle, `media/webview.css`, then `media/<app>.css`. */
export function buildAppPage(app: WebviewApp, o: AppPageInput): string {
  return buildAppHtml({
    cspSource: o.cspSource,
    nonce: o.nonce,
    scriptUri: o.asUri(`dist/webview/${app}.js`),
    styleUris: ['media/webview.css', `media/${app}.css`].map((file) => o.asUri(file)),
    title: o.title,
    strings: o.strings,
    lang: o.lang,
  });
}
