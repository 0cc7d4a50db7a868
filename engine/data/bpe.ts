// GPT-2 byte-level BPE truncated to its first K merges (DATASETS.md §3).
// Written from the published algorithm (Radford et al. 2019, openai/gpt-2 encoder.py):
//   1. pre-tokenise with GPT-2's regex (contractions, letter runs, digit runs, other runs, spaces);
//   2. UTF-8 encode each pre-token; every byte is a base token;
//   3. repeatedly merge the adjacent pair with the lowest merge rank (all occurrences, left to right).
// Ids are GPT-2's: byte b has the id of its position in the byte->unicode table, merge i makes 256+i.
// So the first K merges give a lossless vocabulary of 256+K tokens. Merging runs in id space;
// results are cached per pre-token word, which makes ~1 MB of text encode in about a second.

/** GPT-2's pre-tokenisation pattern (contractions | ?letters | ?digits | ?other | trailing spaces | spaces). */
const PRETOKEN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2's reversible byte -> printable-unicode table, as the list of bytes in id order.
 * Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') keep their own code point and come first;
 * the remaining 68 bytes (controls, space, ...) follow in byte order and map to U+0100, U+0101, ...
 * Returns {bytesInIdOrder, charOfByte}: id i is byte bytesInIdOrder[i], shown as charOfByte[byte].
 */
export function gpt2ByteTable(): { bytesInIdOrder: number[]; charOfByte: string[] } {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const bytesInIdOrder: number[] = [];
  const charOfByte: string[] = new Array(256);
  for (let b = 0; b < 256; b++)
    if (printable(b)) {
      bytesInIdOrder.push(b);
      charOfByte[b] = String.fromCharCode(b);
    }
  let n = 0;
  for (let b = 0; b < 256; b++)
    if (!printable(b)) {
      bytesInIdOrder.push(b);
      charOfByte[b] = String.fromCharCode(256 + n++);
    }
  return { bytesInIdOrder, charOfByte };
}

/** Split text into GPT-2 pre-tokens (exported for tests and for the UI's token view). */
export function pretokenize(text: string): string[] {
  return Array.from(text.matchAll(PRETOKEN), (m) => m[0]);
}

const utf8 = new TextEncoder();
const CACHE_LIMIT = 200_000;

export class Gpt2Bpe {
  readonly kind = 'bpe' as const;
  readonly vocabSize: number;
  private readonly idOfByte = new Int32Array(256); // byte value -> GPT-2 id
  private readonly rank = new Map<number, number>(); // (left id)*65536 + (right id) -> merge index
  private readonly mergeLeft: number[] = []; // merge index -> left id
  private readonly mergeRight: number[] = []; // merge index -> right id
  private readonly tokenBytes: Uint8Array[] = []; // id -> its bytes
  private readonly cache = new Map<string, Int32Array>();

  /**
   * @param mergesText the content of GPT-2's vocab.bpe ("#version" line, then one "left right" merge per line)
   * @param nMerges K, how many merges to keep (0..50000); the vocabulary has 256+K tokens
   */
  constructor(
    mergesText: string,
    readonly nMerges: number,
  ) {
    if (!Number.isInteger(nMerges) || nMerges < 0)
      throw new Error(`BPE merge count must be an integer >= 0, got ${nMerges}`);
    this.vocabSize = 256 + nMerges;
    const { bytesInIdOrder, charOfByte } = gpt2ByteTable();
    const idOfString = new Map<string, number>();
    bytesInIdOrder.forEach((b, id) => {
      this.idOfByte[b] = id;
      this.tokenBytes[id] = Uint8Array.of(b);
      idOfString.set(charOfByte[b], id);
    });
    const lines = mergesText.split('\n');
    let i = 0;
    for (let li = 0; li < lines.length && i < nMerges; li++) {
      const line = lines[li].replace(/\r$/, '');
      if (line.startsWith('#version') || line.trim() === '') continue;
      const parts = line.split(' ');
      if (parts.length !== 2) throw new Error(`vocab.bpe line ${li + 1} is not "left right": ${JSON.stringify(line)}`);
      const [a, b] = parts.map((p) => idOfString.get(p));
      if (a === undefined || b === undefined)
        throw new Error(
          `vocab.bpe line ${li + 1} (merge ${i}) uses a token not made by earlier merges: ${JSON.stringify(line)}`,
        );
      const id = 256 + i;
      this.rank.set(a * 65536 + b, i);
      this.mergeLeft.push(a);
      this.mergeRight.push(b);
      idOfString.set(parts[0] + parts[1], id);
      const bytes = new Uint8Array(this.tokenBytes[a].length + this.tokenBytes[b].length);
      bytes.set(this.tokenBytes[a]);
      bytes.set(this.tokenBytes[b], this.tokenBytes[a].length);
      this.tokenBytes[id] = bytes;
      i++;
    }
    if (i < nMerges) throw new Error(`vocab.bpe holds only ${i} merges, ${nMerges} requested`);
  }

  /** BPE of one pre-token: its UTF-8 bytes merged by rank, as GPT-2 ids. */
  private encodeWord(word: string): Int32Array {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const bytes = utf8.encode(word);
    let ids: number[] = Array.from(bytes, (b) => this.idOfByte[b]);
    while (ids.length > 1) {
      let best = Infinity;
      for (let j = 0; j + 1 < ids.length; j++) {
        const r = this.rank.get(ids[j] * 65536 + ids[j + 1]);
        if (r !== undefined && r < best) best = r;
      }
      if (best === Infinity) break;
      const a = this.mergeLeft[best];
      const b = this.mergeRight[best];
      const merged: number[] = [];
      for (let j = 0; j < ids.length; j++) {
        if (j + 1 < ids.length && ids[j] === a && ids[j + 1] === b) {
          merged.push(256 + best);
          j++;
        } else merged.push(ids[j]);
      }
      ids = merged;
    }
    const out = Int32Array.from(ids);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, out);
    return out;
  }

  encode(text: string): Int32Array {
    const pieces: Int32Array[] = [];
    let n = 0;
    for (const m of text.matchAll(PRETOKEN)) {
      const ids = this.encodeWord(m[0]);
      pieces.push(ids);
      n += ids.length;
    }
    const out = new Int32Array(n);
    let o = 0;
    for (const p of pieces) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** The raw bytes of a token sequence (lossless; may end inside a UTF-8 character). */
  bytes(ids: ArrayLike<number>): Uint8Array {
    let n = 0;
    for (let i = 0; i < ids.length; i++) n += this.bytesOf(ids[i]).length;
    const out = new Uint8Array(n);
    let o = 0;
    for (let i = 0; i < ids.length; i++) {
      const b = this.bytesOf(ids[i]);
      out.set(b, o);
      o += b.length;
    }
    return out;
  }

  private bytesOf(id: number): Uint8Array {
    const b = this.tokenBytes[id];
    if (b === undefined) throw new Error(`token id ${id} is outside the BPE vocabulary (size ${this.vocabSize})`);
    return b;
  }

  decode(ids: ArrayLike<number>): string {
    return new TextDecoder('utf-8').decode(this.bytes(ids));
  }

  tokenName(id: number): string {
    return this.decode([id]);
  }

  describe(): string {
    return `GPT-2 BPE, first ${this.nMerges} merges (vocab ${this.vocabSize})`;
  }
}
