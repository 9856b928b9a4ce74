/** C0/C1 controls, DEL and Unicode line separators: no config line, unit line or command argument carries them. */
export const UNCARRIABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** C0/C1 controls, DEL and Unicode line separators: no config line or command argument carries them. */
export function uncarriableProblem(v: string): string | undefined {
  const c = UNCARRIABLE.exec(v);
  return c
    ? `${JSON.stringify(v)} holds the control or line-break character U+${c[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}, which no file or command it reaches can carry`
    : undefined;
}
