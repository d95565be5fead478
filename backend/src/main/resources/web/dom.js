// DOM helpers: everything reaches the page as text nodes or properties, never as markup.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NAMED = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r', 27: '\\e' };

/** Text from outside with every control character shown as a visible escape (the protocol's rule). */
export function printable(value) {
  const text = String(value);
  if (!UNSAFE.test(text)) {
    return text;
  }
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (ch === '\\') {
      out += '\\\\';
    } else if (ch.length === 1 && UNSAFE.test(ch)) {
      out += NAMED[c] ?? (c <= 0xff ? '\\x' + c.toString(16).padStart(2, '0') : '\\u' + c.toString(16).padStart(4, '0'));
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * An element: props sets properties (className, id, type, ...), `attrs` attributes, `on` event
 * listeners, `data` data-* values; children are nodes or values shown as printable text.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  const { attrs, on, data, ...rest } = props;
  Object.assign(node, rest);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    node.setAttribute(name, value);
  }
  for (const [name, handler] of Object.entries(on ?? {})) {
    node.addEventListener(name, handler);
  }
  for (const [name, value] of Object.entries(data ?? {})) {
    node.dataset[name] = value;
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    node.append(child instanceof Node ? child : document.createTextNode(printable(child)));
  }
}

/** Replaces a node's children. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** Shows text of several lines (such as indented JSON) in `node`, each line printable. */
export function lines(node, text) {
  node.textContent = String(text).split('\n').map(printable).join('\n');
  return node;
}

/** A value for a cell: a dash when absent. */
export function show(value) {
  return value === null || value === undefined || value === '' ? '—' : value;
}

/** How long ago an ISO time was, e.g. "12 s ago". */
export function ago(iso) {
  if (!iso) {
    return '—';
  }
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 0) {
    return 'just now';
  }
  if (seconds < 90) {
    return seconds + ' s ago';
  }
  if (seconds < 5400) {
    return Math.round(seconds / 60) + ' min ago';
  }
  if (seconds < 129600) {
    return Math.round(seconds / 3600) + ' h ago';
  }
  return Math.round(seconds / 86400) + ' d ago';
}

/** A byte count with a binary unit. */
export function bytes(value) {
  if (value === null || value === undefined) {
    return '—';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(value);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}

/** A definition list of label and value pairs. */
export function facts(pairs) {
  return el('dl', { className: 'facts' },
    pairs.flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value instanceof Node ? value : show(value))]));
}

/** A table: headings, then rows of cells (nodes or values). */
export function table(headings, rows, props = {}) {
  return el('table', props,
    el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c instanceof Node ? c : show(c)))))));
}
