/** Hex dump lines for the buffer's hex view: offset, sixteen bytes, and their printable ASCII. */
export function hexDump(bytes: Uint8Array, baseOffset: number): string[] {
  const lines: string[] = [];
  // Lines start at multiples of 16 in the buffer's own offsets, so a dump of any range lines up.
  const first = baseOffset - (baseOffset % 16);
  for (let lineStart = first; lineStart < baseOffset + bytes.length; lineStart += 16) {
    let hex = '';
    let ascii = '';
    for (let k = 0; k < 16; k++) {
      const at = lineStart + k - baseOffset;
      const b = at >= 0 && at < bytes.length ? (bytes[at] as number) : null;
      hex += (b === null ? '  ' : b.toString(16).padStart(2, '0')) + (k === 7 ? '  ' : ' ');
      ascii += b === null ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${lineStart.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines;
}

export function base64Bytes(data: string): Uint8Array {
  const binary = atob(data);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Bytes as contiguous hex digits, the form `sendBytes` takes. */
export function bytesHex(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX_DIGITS[bytes[i] as number] as string;
  return parts.join('');
}
