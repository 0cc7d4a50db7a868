"""JavaScript's rules where the engine's results depend on them: Math.round, how a number prints, and what \\s is.

The split sizes and the modadd split round like Math.round; batcher fingerprints (stored in checkpoints) print
numbers like JavaScript; the GPT-2 pre-tokeniser, the synthetic tokenizer and the blank-file check use JS's \\s.
"""

import math

# JavaScript's \s: WhiteSpace and LineTerminator of ECMAScript.
JS_SPACE = set("\t\n\x0b\x0c\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff")
JS_SPACE |= {chr(c) for c in range(0x2000, 0x200B)}


def js_round(x: float) -> int:
    """JavaScript's Math.round for x >= 0 (halves go up)."""
    return math.floor(x + 0.5)


def js_number(x: float) -> str:
    """A number as JavaScript prints it (for batcher fingerprints): 1 not 1.0, 1e-7 not 1e-07."""
    if float(x).is_integer() and abs(x) < 1e21:
        return str(int(x))
    r = repr(float(x))
    if "e" in r:
        mant, exp = r.split("e")
        r = f"{mant}e{'-' if exp.startswith('-') else '+'}{exp.lstrip('+-').lstrip('0')}"
    return r
