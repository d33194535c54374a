/**
 * How buffer bytes read as text, shared by the engine (`buffer-string`, text
 * reads) and the renderer (the buffer view decodes its rows itself so that it
 * can split them by byte offset). Pure code: no Node, no DOM, no zod.
 */

const utf8 = new TextDecoder('utf-8');

/**
 * UTF-8 decoding that keeps invalid bytes visible as octal escapes, the way
 * Emacs displays eight-bit raw bytes, instead of folding them into U+FFFD.
 */
export function decodeUtf8ShowingRawBytes(bytes: Uint8Array): string {
  const fast = utf8.decode(bytes);
  if (!fast.includes('\uFFFD')) return fast;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const need = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let valid = need > 0 && i + need <= bytes.length;
    for (let k = 1; valid && k < need; k++) valid = ((bytes[i + k] as number) & 0xc0) === 0x80;
    if (valid && need > 1) {
      const decoded = utf8.decode(bytes.subarray(i, i + need));
      valid = !decoded.includes('\uFFFD') || (b === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd);
      if (valid) out += decoded;
    } else if (valid) out += String.fromCharCode(b);
    if (!valid) {
      out += '\\' + b.toString(8);
      i += 1;
    } else i += need;
  }
  return out;
}

/**
 * Bytes of a unibyte (binary or raw-text decoded) buffer: every byte at or above
 * 0x80 is an eight-bit raw byte that Emacs shows as an octal escape, even where
 * a run of them would happen to be valid UTF-8.
 */
export function showUnibyte(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : '\\' + b.toString(8);
  return out;
}

/** True for a UTF-8 continuation byte: a row or range must not start on one. */
export function isUtf8Continuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
