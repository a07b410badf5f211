// Ink's own sanitizer, remembered per text: Ink strips every text node's control sequences again
// on every frame (squash-text-nodes), most of them the same text as the frame before.
import sanitizeAnsi from '../../../node_modules/ink/build/sanitize-ansi.js';
import { memoText } from './generation-cache.js';

export default memoText(sanitizeAnsi);
