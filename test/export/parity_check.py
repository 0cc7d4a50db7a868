"""Parity harness for test/export/parity.test.ts: the exported model's logits and losses on the engine's tokens and
weights. Usage: python3 parity_check.py EXPORT_DIR CASES.json OUT.json

CASES.json: [{name, spec, vocabSize, checkpoint, segments: [{input, target, mask|null} as [B][T] lists]}].
For each case: load the engine's checkpoint into the exported SwitchHeadLM (evaluation mode), run the segments in
order carrying the XL memory, and write logits, ce, reg and loss per segment to OUT.json.
"""

import json
import sys

import torch

sys.path.insert(0, sys.argv[1])
from switchhead.model import SwitchHeadLM, lm_loss  # noqa: E402
from switchhead.training.checkpoints import check_compatible  # noqa: E402
from switchhead.training.safetensors_file import read_safetensors  # noqa: E402


def run_case(case: dict) -> dict:
    spec = case["spec"]
    model = SwitchHeadLM(spec["model"], case["vocabSize"])
    tensors, _ = read_safetensors(case["checkpoint"])
    params = {n: t for n, t in tensors.items() if not n.startswith(("optim.", "xl_memory."))}
    check_compatible({n: tuple(p.shape) for n, p in model.named_parameters()}, params, {}, case["checkpoint"])
    model.load_state_dict({n: torch.from_numpy(t.copy()) for n, t in params.items()}, strict=True)
    model.eval()
    memory, out = None, []
    with torch.no_grad():
        for seg in case["segments"]:
            tokens, target = torch.tensor(seg["input"]), torch.tensor(seg["target"])
            mask = torch.tensor(seg["mask"], dtype=torch.float32) if seg["mask"] is not None else None
            r = model(tokens, memory)
            ce = lm_loss(r.logits, target, mask)
            loss = ce + spec["train"]["regCoef"] * r.reg
            alone = lm_loss(model(tokens, None).logits, target, mask).item()  # the same tokens without the memory
            out.append({"logits": r.logits.flatten().tolist(), "ce": ce.item(), "reg": float(r.reg), "loss": loss.item(), "ceAlone": alone})
            memory = r.layer_inputs if spec["model"]["attention"]["xlMemory"] else None
    return {"name": case["name"], "segments": out}


if __name__ == "__main__":
    cases = json.load(open(sys.argv[2]))
    json.dump([run_case(c) for c in cases], open(sys.argv[3], "w"))
