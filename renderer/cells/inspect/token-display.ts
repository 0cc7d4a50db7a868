// Tokens as readable text (bytes, characters, BPE pieces): whitespace made visible (space ·, newline ↵, tab →,
// carriage return ␍), other control characters as <0xNN>, the byte tokenizer's own names kept. Pure.

const SHOWN: Record<string, string> = { ' ': '·', '\n': '↵', '\t': '→', '\r': '␍' };
const BYTE_NAMES: Record<string, string> = { '<0x0a>': '↵', '<0x09>': '→', '<0x0d>': '␍', '<0x20>': '·' };

/** The token as the lens shows it. */
export function displayToken(name: string): string {
  if (name === '') return '∅';
  const byte = BYTE_NAMES[name.toLowerCase()];
  if (byte) return byte;
  let out = '';
  for (const ch of name) {
    const shown = SHOWN[ch];
    if (shown) out += shown;
    else {
      const code = ch.codePointAt(0)!;
      out += code < 0x20 || code === 0x7f ? `<0x${code.toString(16).padStart(2, '0')}>` : ch;
    }
  }
  return out;
}

/** Every token of a probe, displayed. */
export const displayTokens = (names: readonly string[]): string[] => names.map(displayToken);

/** "“·the” (#4)": a token and its position, for readouts and accessible names. */
export const tokenTitle = (names: readonly string[], t: number): string => `“${displayToken(names[t] ?? '')}” (#${t})`;

/**
 * A text cut to its first `n` tokens, when the tokens rebuild the text exactly (joined by '' as bytes and characters
 * are, or by ' ' as synthetic task words are); null when they do not (then the user shortens it by hand).
 */
export function cutToTokens(text: string, tokens: readonly string[], n: number): string | null {
  for (const sep of ['', ' ']) {
    const joined = tokens.join(sep);
    if (joined === text || (sep === ' ' && joined === text.trim())) return tokens.slice(0, n).join(sep);
  }
  return null;
}
