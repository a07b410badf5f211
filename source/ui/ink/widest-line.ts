// Ink's `widest-line`, remembered per text: Ink measures every text node's widest line on every
// frame (render-node-to-output), and string-width's grapheme walk was ~6 % of a frame.
import widestLine from 'widest-line';
import { memoText } from './generation-cache.js';

export default memoText(widestLine);
