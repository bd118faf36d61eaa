/**
 * Escaping of text placed in HTML (element content and quoted attribute values).
 * @module
 */

/**
 * Escapes `& < > " '` so that any label is shown as text and cannot end an attribute or open a tag.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./escape.ts";
 * console.assert(escapeHtml('<b a="1">') === "&lt;b a=&quot;1&quot;&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}
