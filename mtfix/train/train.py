"""Train the small BART rewriter from scratch on CPU within a wall-clock budget.

Reads ``train.tsv``/``dev.tsv`` and ``tokenizer/`` made by ``mtfix.train.data``.
Plain PyTorch loop: AdamW, linear warm-up then cosine decay over the time budget,
length-bucketed batches, a log line every ``--log-every`` steps, and every
``--ckpt-minutes`` a checkpoint (``save_pretrained`` of model and tokenizer, in
``OUT/last``; the best by dev score also in ``OUT/best``) with a dev evaluation:
copy rate on clean inputs and exact-repair rate on damaged ones.  The final
model goes to ``OUT/final``.

Usage::

    python -m mtfix.train.train --data-dir /work/train_run/data \\
        --out /work/train_run/ckpt --minutes 80
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import torch
from transformers import AutoTokenizer, BartConfig, BartForConditionalGeneration, GenerationConfig


def log(msg: str, log_file: Path | None) -> None:
    line = f"{time.strftime('%H:%M:%S')} {msg}"
    print(line, flush=True)
    if log_file is not None:
        with open(log_file, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def read_tsv(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        src, tgt = line.split("\t")
        rows.append((src, tgt))
    return rows


def make_config(vocab_size: int, args: argparse.Namespace) -> BartConfig:
    """Small BART: learned positions, tied embeddings, T5-style special ids (pad=0, eos=1)."""
    return BartConfig(
        vocab_size=vocab_size,
        d_model=args.d_model,
        encoder_layers=args.layers,
        decoder_layers=args.layers,
        encoder_attention_heads=args.heads,
        decoder_attention_heads=args.heads,
        encoder_ffn_dim=args.ffn,
        decoder_ffn_dim=args.ffn,
        max_position_embeddings=args.max_pos,
        dropout=0.1,
        attention_dropout=0.0,
        activation_function="gelu",
        scale_embedding=True,
        tie_word_embeddings=True,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=0,
        decoder_start_token_id=0,
        forced_eos_token_id=1,
    )


def generation_config(max_len: int) -> GenerationConfig:
    return GenerationConfig(
        decoder_start_token_id=0,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=0,
        forced_eos_token_id=1,
        max_length=max_len,
        num_beams=1,
        do_sample=False,
    )


def encode(tok, rows: list[tuple[str, str]], max_len: int) -> list[tuple[list[int], list[int]]]:
    """Token ids (with </s>) for each pair; pairs longer than max_len are dropped."""
    src = tok([s for s, _ in rows])["input_ids"]
    tgt = tok([t for _, t in rows])["input_ids"]
    return [(a, b) for a, b in zip(src, tgt, strict=True) if len(a) <= max_len and len(b) <= max_len]


def batches(
    data: list[tuple[list[int], list[int]]], max_tokens: int, max_batch: int, rng: random.Random
) -> list[list[int]]:
    """Length-bucketed batches of indices: shuffle, sort within chunks, cut by token budget."""
    idx = list(range(len(data)))
    rng.shuffle(idx)
    out: list[list[int]] = []
    chunk = 100 * max_batch
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c : c + chunk], key=lambda i: max(len(data[i][0]), len(data[i][1])))
        cur: list[int] = []
        longest = 0
        for i in part:
            n = max(len(data[i][0]), len(data[i][1]))
            if cur and (max(longest, n) * (len(cur) + 1) > max_tokens or len(cur) >= max_batch):
                out.append(cur)
                cur, longest = [], 0
            cur.append(i)
            longest = max(longest, n)
        if cur:
            out.append(cur)
    rng.shuffle(out)
    return out


def collate(data, ids: list[int]) -> dict[str, torch.Tensor]:
    src = [data[i][0] for i in ids]
    tgt = [data[i][1] for i in ids]
    ls, lt = max(map(len, src)), max(map(len, tgt))
    input_ids = torch.tensor([s + [0] * (ls - len(s)) for s in src])
    labels = torch.tensor([t + [-100] * (lt - len(t)) for t in tgt])
    return {"input_ids": input_ids, "attention_mask": (input_ids != 0).long(), "labels": labels}


@torch.no_grad()
def evaluate(model, tok, dev: list[tuple[str, str]], bs: int = 50) -> dict[str, float]:
    """Greedy decode dev; copy rate on clean inputs, exact repair / unchanged rate on damaged."""
    model.eval()
    preds: list[str] = []
    for i in range(0, len(dev), bs):
        srcs = [s for s, _ in dev[i : i + bs]]
        enc = tok(srcs, return_tensors="pt", padding=True, truncation=True, max_length=128)
        out = model.generate(
            **enc,
            max_new_tokens=min(128, int(enc["input_ids"].shape[1] * 1.3) + 8),
            num_beams=1,
            do_sample=False,
        )
        preds += tok.batch_decode(out, skip_special_tokens=True)
    model.train()
    clean = [(p, t) for p, (s, t) in zip(preds, dev, strict=True) if s == t]
    dmg = [(p, s, t) for p, (s, t) in zip(preds, dev, strict=True) if s != t]
    return {
        "copy_rate": sum(p == t for p, t in clean) / max(1, len(clean)),
        "repair_exact": sum(p == t for p, _, t in dmg) / max(1, len(dmg)),
        "damaged_unchanged": sum(p == s for p, s, _ in dmg) / max(1, len(dmg)),
        "n_clean": len(clean),
        "n_damaged": len(dmg),
        "example": preds[:3],
    }


def save(model, tok, folder: Path, fp16: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if fp16:
        half = BartForConditionalGeneration(model.config)
        half.load_state_dict(model.state_dict())
        half = half.half()
        half.generation_config = model.generation_config
        half.save_pretrained(folder)
    else:
        model.save_pretrained(folder)
    tok.save_pretrained(folder)
    if fp16:  # weights are stored fp16, but load as fp32 by default (fp16 is slow on CPU)
        cfg_path = folder / "config.json"
        cfg = json.loads(cfg_path.read_text())
        cfg["dtype"] = "float32"
        cfg_path.write_text(json.dumps(cfg, indent=2))


def export(src: str | Path, dst: str | Path) -> None:
    """Copy a checkpoint into the shipped folder (fp16 weights, fp32 load) and smoke-test it.

    ``python -c "from mtfix.train.train import export; export('/work/train_run/ckpt/final',
    'mtfix/models/mtfix-bart-small')"``
    """
    from transformers import AutoModelForSeq2SeqLM

    src, dst = Path(src), Path(dst)
    tok = AutoTokenizer.from_pretrained(str(src))
    model = AutoModelForSeq2SeqLM.from_pretrained(str(src), dtype=torch.float32)
    save(model, tok, dst, fp16=True)
    tok = AutoTokenizer.from_pretrained(str(dst))
    model = AutoModelForSeq2SeqLM.from_pretrained(str(dst))
    assert model.dtype == torch.float32
    text = "The committee approved the plan in 2019."
    out = model.generate(**tok([text], return_tensors="pt"), max_new_tokens=40)
    print("smoke test:", repr(tok.decode(out[0], skip_special_tokens=True)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=Path("/work/train_run/data"))
    ap.add_argument("--out", type=Path, default=Path("/work/train_run/ckpt"))
    ap.add_argument("--minutes", type=float, default=60.0, help="wall-clock training budget")
    ap.add_argument("--ckpt-minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--max-tokens", type=int, default=2048, help="padded tokens per batch")
    ap.add_argument("--max-batch", type=int, default=64)
    ap.add_argument("--max-len", type=int, default=72, help="drop pairs longer than this")
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=1024)
    ap.add_argument("--max-pos", type=int, default=128)
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast for forward/backward")
    ap.add_argument("--dev-n", type=int, default=200)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    ap.add_argument("--init", type=Path, help="continue from the weights of a saved checkpoint folder")
    args = ap.parse_args()

    t_start = time.time()
    budget = args.minutes * 60
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    log_file = args.out / "train_log.txt"

    tok = AutoTokenizer.from_pretrained(str(args.data_dir / "tokenizer"))
    assert tok.pad_token_id == 0 and tok.eos_token_id == 1, (tok.pad_token_id, tok.eos_token_id)
    train = encode(tok, read_tsv(args.data_dir / "train.tsv"), args.max_len)
    dev = read_tsv(args.data_dir / "dev.tsv")[: args.dev_n]
    if args.init:
        model = BartForConditionalGeneration.from_pretrained(str(args.init), dtype=torch.float32)
    else:
        model = BartForConditionalGeneration(make_config(len(tok), args))
    model.generation_config = generation_config(args.max_pos)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"args {vars(args)}", log_file)
    log(f"train pairs {len(train)} dev {len(dev)} params {n_params / 1e6:.2f}M", log_file)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
        betas=(0.9, 0.98),
        eps=1e-8,
    )

    def lr_at(step: int, frac_time: float) -> float:
        warm = min(1.0, (step + 1) / args.warmup)
        cos = 0.5 * (1 + math.cos(math.pi * min(1.0, frac_time)))
        return args.lr * warm * (args.min_lr_frac + (1 - args.min_lr_frac) * cos)

    model.train()
    step, epoch, seen = 0, 0, 0
    loss_sum, loss_n, t_log, seen_log = 0.0, 0, time.time(), 0
    t_train0 = time.time()
    last_ckpt = time.time()
    best = -1.0
    done = False
    while not done:
        epoch += 1
        for ids in batches(train, args.max_tokens, args.max_batch, rng):
            elapsed = time.time() - t_start
            if elapsed >= budget or (args.max_steps and step >= args.max_steps):
                done = True
                break
            lr = lr_at(step, elapsed / budget)
            for g in opt.param_groups:
                g["lr"] = lr
            batch = collate(train, ids)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            seen += len(ids)
            loss_sum += loss.item()
            loss_n += 1
            if step % args.log_every == 0:
                now = time.time()
                log(
                    f"step {step} epoch {epoch} loss {loss_sum / loss_n:.4f} lr {lr:.2e} "
                    f"ex/s {(seen - seen_log) / (now - t_log):.1f} seen {seen} "
                    f"elapsed {(now - t_start) / 60:.1f}m",
                    log_file,
                )
                loss_sum, loss_n, t_log, seen_log = 0.0, 0, now, seen
            if time.time() - last_ckpt >= args.ckpt_minutes * 60:
                res = evaluate(model, tok, dev)
                score = res["copy_rate"] + res["repair_exact"]
                log(f"eval step {step} {json.dumps(res, ensure_ascii=False)}", log_file)
                save(model, tok, args.out / "last")
                if score > best:
                    best = score
                    save(model, tok, args.out / "best")
                    (args.out / "best" / "dev_eval.json").write_text(
                        json.dumps({"step": step, **res}, indent=2, ensure_ascii=False)
                    )
                log(f"saved checkpoint step {step} (best score {best:.3f})", log_file)
                last_ckpt = time.time()
                t_log, seen_log = time.time(), seen

    res = evaluate(model, tok, dev)
    log(f"final eval step {step} {json.dumps(res, ensure_ascii=False)}", log_file)
    save(model, tok, args.out / "final", fp16=True)
    (args.out / "final" / "dev_eval.json").write_text(json.dumps({"step": step, **res}, indent=2, ensure_ascii=False))
    score = res["copy_rate"] + res["repair_exact"]
    if score >= best:
        save(model, tok, args.out / "best", fp16=True)
        (args.out / "best" / "dev_eval.json").write_text(
            json.dumps({"step": step, **res}, indent=2, ensure_ascii=False)
        )
    log(
        f"done: {step} steps, {seen} examples, {(time.time() - t_train0) / 60:.1f} min; "
        f"final fp16 model in {args.out / 'final'}",
        log_file,
    )


if __name__ == "__main__":
    main()
