/**
 * Escaping for the report. Histories hold whatever a store returned, so every value that reaches
 * the page goes through one of these: `esc` for HTML text and attributes, `scriptJson` for data
 * embedded in a <script> element, `inlineScript` for code inlined as it is (uPlot and dscheck's bundled browser code).
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe in HTML element content and in quoted attribute values. */
export function esc(text: string | number | boolean | null | undefined): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON safe inside <script type="application/json">: no `<` (so no `</script>` or `<!--`), no `&`,
 * and no U+2028/U+2029, which JSON allows but older JavaScript parsers end lines on.
 */
export function scriptJson(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Code inlined in <script>: a `</script` inside one of its strings would end the element early. */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Style sheets inlined in <style>: same concern as scripts. */
export function inlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

/** A JSON value as short text for a label or tooltip; long values are cut with an ellipsis. */
export function shortJson(value: unknown, max = 80): string {
  const text = value === undefined ? '?' : (JSON.stringify(value) ?? '?');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
