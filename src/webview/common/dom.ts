// DOM helpers shared by the webview apps: elements built with createElement/textContent only,
// never from HTML strings.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(label: string, variant: 'primary' | 'secondary', onClick: () => void, title?: string): HTMLButtonElement {
  const b = el('button', `button button-${variant}`, label);
  b.type = 'button';
  if (title) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

/** A labelled `<select>`; `onChange` gets the chosen value. */
export function select(
  label: string,
  options: readonly { value: string; label: string }[],
  value: string,
  onChange: (value: string) => void,
): HTMLSelectElement {
  const s = el('select', 'select');
  s.setAttribute('aria-label', label);
  s.title = label;
  setOptions(s, options, value);
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

/** Replaces the options of `s`, keeping `value` chosen when it is still offered. */
export function setOptions(s: HTMLSelectElement, options: readonly { value: string; label: string }[], value: string): void {
  const same =
    s.options.length === options.length && options.every((o, i) => s.options[i].value === o.value && s.options[i].text === o.label);
  if (!same) {
    s.replaceChildren(
      ...options.map((o) => {
        const opt = el('option', undefined, o.label);
        opt.value = o.value;
        return opt;
      }),
    );
  }
  s.value = options.some((o) => o.value === value) ? value : (options[0]?.value ?? '');
}
