// Parameter rules from the Volcengine docs (CopyImage, ModifyImageAttribute, TagResources pages).

/** Must start with a letter or a Chinese character; letters, digits, Chinese, `_ - .`; 1–128 characters. */
export function validImageName(s: string): boolean {
  return /^[A-Za-z\p{Script=Han}][A-Za-z0-9\p{Script=Han}_\-.]{0,127}$/u.test(s);
}

/**
 * Empty, or: starts with a letter or a Chinese character; Chinese, letters, digits, `_ - = , .`, full-width
 * `，` `。` and spaces; 0–255 characters.
 */
export function validDescription(s: string): boolean {
  return s === "" || /^[A-Za-z\p{Script=Han}][A-Za-z0-9\p{Script=Han}_\-=,.，。 ]{0,254}$/u.test(s);
}

/**
 * Tag key: 1–128 characters; not starting with `volc:` / `sys:` in any case; language characters (unicode
 * letters), digits, spaces and `_ . : / = + - @`.
 */
export function validTagKey(s: string): boolean {
  const len = [...s].length;
  if (len < 1 || len > 128) return false;
  if (/^(volc|sys):/i.test(s)) return false;
  return /^[\p{L}\p{M}\p{N} _.:/=+\-@]+$/u.test(s);
}

/** [INFERRED] Tag value: only the length is checked, 0–256 characters (the doc excerpt gives no value rule). */
export function validTagValue(s: string): boolean {
  return [...s].length <= 256;
}

export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_TAGS_PER_CALL = 20;
export const MAX_RESOURCES_PER_TAG_CALL = 50;
