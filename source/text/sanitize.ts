// Everything a container or the engine says is untrusted: strip terminal control sequences before
// it reaches the screen. Used for names, labels, env values and logs alike.

// ESC-introduced sequences: CSI (incl. private modes), OSC (title, OSC 52 clipboard, OSC 8 links),
// DCS/SOS/PM/APC strings, and two-byte escapes such as ESC c (reset). The 8-bit C1 forms too.
const SEQUENCES = new RegExp(
  [
    '\\u001b\\[[0-?]*[ -/]*[@-~]?', // CSI
    '\\u009b[0-?]*[ -/]*[@-~]?', // 8-bit CSI
    '\\u001b\\][^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?', // OSC
    '\\u009d[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?', // 8-bit OSC
    '\\u001b[PX^_][^\\u001b\\u009c]*(?:\\u001b\\\\|\\u009c)?', // DCS, SOS, PM, APC
    '[\\u0090\\u0098\\u009e\\u009f][^\\u001b\\u009c]*(?:\\u001b\\\\|\\u009c)?', // 8-bit DCS, SOS, PM, APC
    '\\u001b[ -/]*[0-~]?', // other escapes (ESC c, ESC 7, charset selection, a bare ESC)
  ].join('|'),
  'g',
);
// Remaining C0 controls (tab handled apart), DEL and C1 controls; also bidi overrides that reorder text.
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of untrusted text made safe to print: no escapes, no controls, tabs as spaces. */
export function sanitize(text: string): string {
  // A carriage return that overwrites the line: keep what was written last, as a terminal would show.
  const lastCr = text.lastIndexOf('\r');
  const visible = lastCr >= 0 && lastCr < text.length - 1 ? text.slice(lastCr + 1) : text.replace(/\r$/, '');
  return visible.replace(SEQUENCES, '').replace(/\t/g, '  ').replace(CONTROLS, '');
}
