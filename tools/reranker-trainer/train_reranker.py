#!/usr/bin/python3
"""Trains a MiniLM cross-encoder from tokenised groups (one positive, several hard negatives).

Run by `rerank train-reranker`, which prepares the inputs and checks the outputs; see the README.
Steps: prove the ONNX -> torch weight mapping against hidden states the C# side computed with ONNX
Runtime, train (AdamW, warm-up then linear decay, group softmax loss, fixed seed, checkpoints and
resume), export ONNX with input_ids / attention_mask / token_type_ids -> logits [batch, 1], and
write the torch logits of a probe batch so the C# side can prove the export.
"""
import argparse
import contextlib
import gzip
import json
import lzma
import os
import random
import struct
import sys
import time

try:
    import numpy as np
    import torch
    from minilm import load_from_onnx, load_pack, load_portable, save_portable
except ImportError as missing:
    sys.stderr.write(f"train_reranker: {missing}. Install Debian's packages (apt-get install -y python3-torch python3-onnx "
                     "libopenblas0-pthread) and run this with /usr/bin/python3.\n")
    sys.exit(3)

PARITY_TOLERANCE = 1e-4
FIT_AFTER_STEPS = 50  # steps timed before --max-seconds fits the schedule (the first ones include warm-up, so the fit errs short)


def log(message):
    print(message, flush=True)


def open_text(path):
    """groups.jsonl, or a compressed copy of it (.xz, .gz) made to move it to another machine."""
    for suffix, opener in (("", open), (".xz", lzma.open), (".gz", gzip.open)):
        if os.path.exists(path + suffix):
            return opener(path + suffix, "rt", encoding="utf-8")
    raise SystemExit(f"train_reranker: {path} does not exist")


def longest_first(first, second, budget):
    """How many tokens of each side to keep: the C# PairTruncation.LongestFirst (Hugging Face's arithmetic)."""
    if first + second <= budget:
        return first, second
    swap = first > second
    shorter, longer = (second, first) if swap else (first, second)
    if shorter > budget:
        keep_shorter = budget // 2
        keep_longer = keep_shorter + budget % 2
    else:
        keep_shorter, keep_longer = shorter, max(shorter, budget - shorter)
        if keep_shorter + keep_longer > budget:
            keep_shorter = budget // 2
            keep_longer = keep_shorter + budget % 2
    keep_longer = min(keep_longer, longer)
    return (keep_longer, keep_shorter) if swap else (keep_shorter, keep_longer)


class Groups:
    """groups.jsonl (a query's ids and the passage lines of its positive, then its negatives) over passages.jsonl,
    paired into [CLS] query [SEP] passage [SEP] rows as the C# tokenizer pairs them, one batch at a time."""

    def __init__(self, folder, meta, max_length):
        if meta.get("format") != "shared-passages/1":
            raise SystemExit(f"train_reranker: {folder} holds groups of another format; mine them again (without --resume)")
        if max_length > meta["max_length"]:
            raise SystemExit(f"train_reranker: --max-length {max_length} is above the {meta['max_length']} the groups were cut for")
        self.cls_id, self.sep_id, self.budget = meta["cls_id"], meta["sep_id"], max_length - 3
        with open_text(os.path.join(folder, "passages.jsonl")) as lines:
            self.passages = [json.loads(line) for line in lines if line.strip()]
        self.groups = []
        with open_text(os.path.join(folder, "groups.jsonl")) as lines:
            for line in lines:
                if line.strip():
                    group = json.loads(line)
                    self.groups.append((group["query"], group["passages"]))
        if not self.groups:
            raise SystemExit(f"train_reranker: {folder}/groups.jsonl holds no groups")
        self.size = len(self.groups[0][1])
        if self.size < 2 or any(len(p) != self.size for _, p in self.groups):
            raise SystemExit(f"train_reranker: every group needs the same number (>= 2) of passages; the first has {self.size}")
        if any(i < 0 or i >= len(self.passages) for _, p in self.groups for i in p):
            raise SystemExit(f"train_reranker: a group names a passage line beyond the {len(self.passages)} of passages.jsonl")

    def __len__(self):
        return len(self.groups)

    def length(self, index):
        """The longest row of a group, for bucketing batches by length."""
        query, lines = self.groups[index]
        return max(sum(longest_first(len(query), len(self.passages[line]), self.budget)) for line in lines)

    def rows(self, index):
        query, lines = self.groups[index]
        rows = []
        for line in lines:
            passage = self.passages[line]
            keep_query, keep_passage = longest_first(len(query), len(passage), self.budget)
            rows.append([self.cls_id] + query[:keep_query] + [self.sep_id] + passage[:keep_passage] + [self.sep_id])
        return rows


def batch_tensors(rows, meta):
    """Pads rows of ids; token types are 1 after the first [SEP], as in the C# tokenizer."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), meta["pad_id"], dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    types = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
        first_sep = row.index(meta["sep_id"])
        types[i, first_sep + 1: len(row)] = 1
    return ids, mask, types


def check_mapping(model, probe_path):
    with open(probe_path, encoding="utf-8") as f:
        probe = json.load(f)
    ids, mask, types = (torch.tensor(probe[k]) for k in ("input_ids", "attention_mask", "token_type_ids"))
    with torch.no_grad():
        hidden, pooled = model.encode(ids, mask, types)
    expected_hidden = torch.tensor(probe["last_hidden_state"]).view(hidden.shape)
    real = mask.bool()
    hidden_diff = (hidden - expected_hidden).abs()[real].max().item()
    pooled_diff = (pooled - torch.tensor(probe["pooled"]).view(pooled.shape)).abs().max().item()
    log(f"mapping parity: max |torch - onnx| hidden states {hidden_diff:.2e}, pooled {pooled_diff:.2e} "
        f"over {int(real.sum())} tokens (tolerance {PARITY_TOLERANCE:g})")
    if hidden_diff > PARITY_TOLERANCE or pooled_diff > PARITY_TOLERANCE:
        raise SystemExit("train_reranker: the torch encoder does not reproduce the ONNX model; refusing to train")
    return {"hidden_max_abs_diff": hidden_diff, "pooled_max_abs_diff": pooled_diff, "tokens": int(real.sum())}


def epoch_batches(groups, size, seed):
    """One epoch's batches: shuffled, then sorted by length within windows of 32 batches so padding stays
    small, then the batches themselves shuffled. Deterministic in the seed, so a resumed run sees the same."""
    rng = random.Random(seed)
    order = list(range(len(groups)))
    rng.shuffle(order)
    window = size * 32
    batches = []
    for start in range(0, len(order) - size + 1, window):
        chunk = sorted(order[start: start + window], key=groups.length)
        batches += [chunk[i: i + size] for i in range(0, len(chunk) - size + 1, size)]
    rng.shuffle(batches)
    return batches


def learning_rate(step, total, warmup, peak):
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * max(0.0, (total - step) / max(1, total - warmup))


def save_atomic(obj, path):
    temporary = path + ".tmp"
    torch.save(obj, temporary)
    os.replace(temporary, path)


def train(model, groups, meta, args, out, device):
    torch.manual_seed(args.seed)
    model.embeddings.word_embeddings.weight.requires_grad_(False)  # few pairs: keep the vocabulary as shipped
    encoder = [(n, p) for n, p in model.named_parameters() if p.requires_grad and not n.startswith("classifier.")]
    # The head starts from nothing while the encoder starts trained: it gets a larger learning rate.
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in encoder if not n.endswith("bias") and "LayerNorm" not in n], "weight_decay": args.weight_decay, "peak": args.learning_rate},
        {"params": [p for n, p in encoder if n.endswith("bias") or "LayerNorm" in n], "weight_decay": 0.0, "peak": args.learning_rate},
        {"params": list(model.classifier.parameters()), "weight_decay": 0.0, "peak": args.head_learning_rate},
    ], lr=args.learning_rate)
    checkpoint_path = os.path.join(out, "checkpoints", "last.pt")
    os.makedirs(os.path.dirname(checkpoint_path), exist_ok=True)
    history, step, elapsed_before = [], 0, 0.0
    if args.resume and os.path.exists(checkpoint_path):
        state = torch.load(checkpoint_path, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, history, elapsed_before = state["step"], state["history"], state["elapsed"]
        log(f"resumed from {checkpoint_path} at step {step}")

    total = args.steps
    warmup = max(1, int(total * args.warmup))
    # Every epoch has as many batches (only their order differs), so the first tells the count.
    batches_of_epoch = {0: epoch_batches(groups, args.groups_per_step, args.seed * 1000)}
    per_epoch = len(batches_of_epoch[0])
    if per_epoch == 0:
        raise SystemExit(f"train_reranker: {len(groups)} groups do not fill one step of {args.groups_per_step}")
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    started, first_step, window = time.time(), step, []
    while step < total:
        epoch, position = divmod(step, per_epoch)
        if epoch not in batches_of_epoch:
            batches_of_epoch = {epoch: epoch_batches(groups, args.groups_per_step, args.seed * 1000 + epoch)}
        chosen = batches_of_epoch[epoch][position]
        ids, mask, types = (t.to(device) for t in batch_tensors([row for g in chosen for row in groups.rows(g)], meta))
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, total, warmup, group["peak"])
        # bf16 on a GPU: several times the fp32 rate, and the fp32 master weights keep the updates exact enough.
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16) if str(device).startswith("cuda") else contextlib.nullcontext():
            logits = model(ids, mask, types).view(len(chosen), -1)
        loss = loss_fn(logits.float(), torch.zeros(len(chosen), dtype=torch.long, device=device))  # the positive is row 0 of each group
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        window.append(loss.item())
        if args.max_seconds is not None and first_step == 0 and step == FIT_AFTER_STEPS and total > step:
            # A lease of fixed length: shrink the schedule to the steps that fit, so the learning rate still decays to 0.
            fits = int(args.max_seconds * 0.95 * step / (time.time() - started))
            if fits < total:
                total, warmup = max(step + 1, fits), max(1, int(max(step + 1, fits) * args.warmup))
                log(f"--max-seconds {args.max_seconds:g}: {total} steps fit at this speed; the schedule now ends there")
        if step % args.log_every == 0 or step == total:
            elapsed = elapsed_before + time.time() - started
            eta = (total - step) * (time.time() - started) / (step - first_step)
            mean_loss = sum(window) / len(window)
            lr = optimizer.param_groups[0]["lr"]
            history.append({"step": step, "loss": round(mean_loss, 5), "lr": lr, "seconds": round(elapsed, 1)})
            log(f"step {step}/{total}  loss {mean_loss:.4f}  lr {lr:.2e}  {elapsed:.0f}s elapsed  ETA {eta:.0f}s")
            window = []
        out_of_time = args.max_seconds is not None and time.time() - started >= args.max_seconds
        if step % args.checkpoint_every == 0 or step == total or out_of_time:
            save_atomic({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "history": history,
                         "elapsed": elapsed_before + time.time() - started}, checkpoint_path)
        if out_of_time:
            log(f"stopping at step {step} of {total}: --max-seconds {args.max_seconds:g} reached (the outputs are written; --resume continues)")
            break
    model.eval()
    model.to("cpu")
    return history, step, elapsed_before + time.time() - started


def write_parity_batch(model, groups, meta, out):
    """The torch logits of a probe batch, for the C# side to compare an export or a weight pack against."""
    rows = [row for g in range(min(4, len(groups))) for row in groups.rows(g)][:16]
    ids, mask, types = batch_tensors(rows, meta)
    with torch.no_grad():
        logits = model(ids, mask, types)
    with open(os.path.join(out, "export_parity.json"), "w", encoding="utf-8") as f:
        json.dump({"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "token_type_ids": types.tolist(),
                   "logits": logits.view(-1).tolist()}, f)
    return ids, mask, types


def export(model, groups, meta, out):
    """ONNX export plus the torch logits of a probe batch, for the C# side to compare against."""
    ids, mask, types = write_parity_batch(model, groups, meta, out)
    torch.onnx.export(model, (ids, mask, types), os.path.join(out, "model.onnx"),
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                      dynamic_axes={name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask", "token_type_ids")}
                      | {"logits": {0: "batch"}},
                      opset_version=14, do_constant_folding=True)


def write_weight_pack(model, mapping, path):
    """Every trained tensor except the frozen word embeddings, in the shipped graph's names and layout, as fp16."""
    state = model.state_dict()
    tensors = [(source, state[name].T if transposed else state[name])
               for name, (source, transposed) in sorted(mapping.items()) if name != "embeddings.word_embeddings.weight"]
    tensors += [("classifier.weight", state["classifier.weight"].T), ("classifier.bias", state["classifier.bias"])]
    with open(path + ".tmp", "wb") as f:
        f.write(b"RCWP" + struct.pack("<II", 1, len(tensors)))
        for name, tensor in tensors:
            encoded = name.encode("utf-8")
            f.write(struct.pack("<H", len(encoded)) + encoded + struct.pack("<B", tensor.dim()))
            f.write(struct.pack(f"<{tensor.dim()}q", *tensor.shape))
            f.write(np.ascontiguousarray(tensor.detach().numpy().astype("<f2")).tobytes())
    os.replace(path + ".tmp", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--init", required=True, help="ONNX MiniLM encoder to start from (with a pooled output), or a portable .pt from --save-init")
    parser.add_argument("--save-init", help="only write the encoder as a portable fp16 .pt (for a machine without the ONNX graph) and stop")
    parser.add_argument("--vocabulary-only", action="store_true", help="with --save-init: only the frozen word embeddings (half the size), for a run that starts from --init-pack")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--no-export", action="store_true", help="skip the ONNX export (the weight pack is still written)")
    parser.add_argument("--groups", help="folder with groups.jsonl, passages.jsonl and groups.meta.json (required unless --save-init)")
    parser.add_argument("--out", help="output folder: model.onnx, export_parity.json, training_summary.json (required unless --save-init)")
    parser.add_argument("--probe", help="hidden states of the ONNX encoder to prove the weight mapping against")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--groups-per-step", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    parser.add_argument("--head-learning-rate", type=float, default=1e-3)
    parser.add_argument("--warmup", type=float, default=0.1, help="fraction of steps")
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--max-seconds", type=float, help="fit the schedule to this long (timed over the first steps) and stop there at the latest, writing the outputs (for a lease of fixed length)")
    parser.add_argument("--resume", action="store_true", help="continue from out/checkpoints/last.pt when it exists")
    parser.add_argument("--pack", help="also write the trained weights (fp16, shipped-graph names) to this file")
    parser.add_argument("--init-pack", help="start from a trained weight pack (encoder and head) instead of a fresh head: continued training")
    args = parser.parse_args()
    if not args.save_init and (not args.groups or not args.out):
        raise SystemExit("train_reranker: --groups and --out are required (unless --save-init)")
    if args.steps < 1 or args.groups_per_step < 1 or args.max_length < 8:
        raise SystemExit("train_reranker: --steps and --groups-per-step must be positive and --max-length at least 8")

    torch.set_num_threads(max(1, args.threads))
    if args.init.endswith(".pt"):
        model, mapping = load_portable(args.init, args.seed)
    else:
        model, mapping, config = load_from_onnx(args.init, args.seed)
        if args.save_init:
            save_portable(model, mapping, config, args.save_init, args.vocabulary_only)
            log(f"wrote {args.save_init}")
            return
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.groups, "groups.meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    groups = Groups(args.groups, meta, args.max_length)
    parity = check_mapping(model, args.probe) if args.probe else None
    if args.init_pack:  # after the mapping check, whose probe is of the shipped encoder
        log(f"continuing from {args.init_pack}: {load_pack(model, mapping, args.init_pack)} tensors loaded")
    log(f"training on {len(groups)} groups of {groups.size} (1 positive + {groups.size - 1} negatives) over {len(groups.passages)} passages, "
        f"{args.steps} steps of {args.groups_per_step} groups, on {args.device} ({torch.get_num_threads()} CPU threads)")
    history, steps_done, seconds = train(model.to(args.device), groups, meta, args, args.out, args.device)
    if args.pack:
        write_weight_pack(model, mapping, args.pack)
        load_pack(model, mapping, args.pack)  # the parity batch and the export then hold exactly what the pack ships (fp16)
    if args.no_export:
        write_parity_batch(model, groups, meta, args.out)
    else:
        export(model, groups, meta, args.out)
    summary = {"groups": len(groups), "group_size": groups.size, "steps": steps_done, "steps_planned": args.steps, "groups_per_step": args.groups_per_step,
               "pairs_seen": steps_done * args.groups_per_step * groups.size, "learning_rate": args.learning_rate, "head_learning_rate": args.head_learning_rate,
               "warmup": args.warmup, "weight_decay": args.weight_decay, "max_length": args.max_length, "seed": args.seed,
               "init_pack": os.path.basename(args.init_pack) if args.init_pack else None, "seconds": round(seconds, 1), "threads": torch.get_num_threads(), "device": args.device
               if args.device == "cpu" else torch.cuda.get_device_name(0), "torch": torch.__version__,
               "mapping_parity": parity, "loss_history": history}
    with open(os.path.join(args.out, "training_summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    log(f"done: {steps_done} steps in {seconds:.0f}s; outputs in {args.out}")


if __name__ == "__main__":
    main()
