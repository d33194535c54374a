/**
 * Text cut in the middle when its column is narrow, keeping the end that tells
 * one from the next: the port in `srv <127.0.0.1:43544>` or `127.0.0.1:43544`,
 * the `<2>` of a uniquified name. The container gives the whole text on hover.
 */
export function KeepEnd({ text }: { text: string }) {
  const end = keptEnd(text);
  if (!end) return <>{text}</>;
  return (
    <span className="keep-end">
      <span className="keep-end-head">{text.slice(0, text.length - end.length)}</span>
      <span className="keep-end-tail">{end}</span>
    </span>
  );
}

/** The end kept whole: a trailing `:PORT` (with its `>`) and any `<N>` suffixes, or a lone `<N>`; '' when there is none or it is all. */
export function keptEnd(text: string): string {
  const end = /(?::\d+>?)?(?:<\d+>)*$/.exec(text)?.[0] ?? '';
  return end.length < text.length ? end : '';
}
