"""Build the rewriter training corpus and its sentencepiece tokenizer.

Writes ``train.tsv`` and ``dev.tsv`` (``src<TAB>tgt``, one pair a line) and a
``tokenizer/`` folder loadable with ``AutoTokenizer.from_pretrained``.

Sources (training text only, never evaluation sets):
  * real MT -> post-edit pairs, ``mlqe-pe/*/train.mt`` / ``train.pe`` (HTER <= 0.4);
  * clean English for synthetic damage and identity pairs:
    ``english-wiki/*-train.en``, ``mlqe-pe/*/train.pe``, ``wmt23/references/*``.
Not used: any ``dev.*`` file, jfleg, wmt21 (evaluation sets).

Usage::

    python -m mtfix.train.data --data ../shared/data --out /work/train_run/data

``--data-scale F`` (0 < F < 1) reads only every ``round(1/F)``-th line of each source file, before
anything else is done with it (a fixed sample: the same lines every run), and makes the tokenizer's
vocabulary size a soft limit, so that the whole build runs on a tiny corpus in seconds (tests, smoke
runs). Without it, the build reads every line.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from sacremoses import MosesDetokenizer

from mtfix.train.damage import broken_join, damage

MAX_CHARS = 300
# printable ASCII and common Latin letters always get their own piece; anything
# else (emoji, CJK, ...) is encoded as UTF-8 bytes via byte fallback
_LATIN = "áàâäãåçéèêëíìîïñóòôöõøúùûüýæœ"
REQUIRED_CHARS = "".join(chr(c) for c in range(33, 127)) + _LATIN + _LATIN.upper() + "ß“”‘’–—…€£°"
MIN_WORDS = 3


def _read(path: Path, every: int = 1) -> list[str]:
    """The lines of ``path``; with ``every`` > 1 only lines 0, every, 2 * every, ... (aligned across
    files of equal length, such as MLQE-PE's ``train.mt``, ``train.pe`` and ``train.hter``)."""
    return path.read_text(encoding="utf-8").splitlines()[::every]


def _ok(s: str) -> bool:
    return len(s.split()) >= MIN_WORDS and len(s) <= MAX_CHARS and "\t" not in s


def load_real_pairs(
    data: Path, md: MosesDetokenizer, max_hter: float, projected: bool = False, every: int = 1
) -> list[tuple[str, str]]:
    """Detokenised (mt, pe) pairs from mlqe-pe train files with HTER <= max_hter.

    Pairs with a high HTER are re-translations from the source (half the data
    has HTER > 0.4, most of ne-en and si-en); without the source they only
    teach the model to invent content, so they are left out.

    With ``projected``, the target is not the post-edit but the MT with only those of the
    post-editor's edits applied that the guard lets a model make (:func:`project_post_edit`):
    real grammar repairs of real MT, with the content corrections, which need the source, left out.
    ``every``: read only every ``every``-th pair (:func:`_read`).
    """
    pairs = []
    for d in sorted((data / "mlqe-pe").iterdir()):
        mt, pe = _read(d / "train.mt", every), _read(d / "train.pe", every)
        hter = [float(x) for x in _read(d / "train.hter", every)]
        assert len(mt) == len(pe) == len(hter), d
        for a, b, h in zip(mt, pe, hter, strict=True):
            if h > max_hter:
                continue
            if projected:
                a, b = project_post_edit(a.split(), b.split(), md)
            else:
                a, b = md.detokenize(a.split()).strip(), md.detokenize(b.split()).strip()
            if _ok(a) and _ok(b):
                pairs.append((a, b))
    return pairs


def project_post_edit(mt: list[str], pe: list[str], md: MosesDetokenizer) -> tuple[str, str]:
    """(MT, MT with the post-editor's guard-admissible edits), both detokenised.

    The tokens of MT and post-edit are aligned (difflib); each differing hunk is tried on its own
    against the MT, and kept if :func:`mtfix.guard.check` would accept it from a model (articles,
    prepositions, auxiliaries, another form of the same word, a misspelling, punctuation), never a
    changed content word, name or number. On MLQE-PE dev, the post-edits projected so score
    43.89 TER against 45.56 for the MT, where whole post-edits the guard accepts reach only 45.39.
    The cut is that of :func:`mtfix.rewrite.admissible_part`, made on Moses tokens (MLQE-PE comes
    tokenised) so that punctuation forms hunks of its own.
    """
    import difflib

    from mtfix import guard

    def ok(a: str, b: str) -> bool:
        return guard.check(a, b, 1.0, min_confidence=0.0, max_edit_ratio=1.0).ok

    base = md.detokenize(mt).strip()
    ops = difflib.SequenceMatcher(None, mt, pe, autojunk=False).get_opcodes()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in ops:
        admissible = tag != "equal" and ok(base, md.detokenize(mt[:i1] + pe[j1:j2] + mt[i2:]).strip())
        out += pe[j1:j2] if admissible else mt[i1:i2]
    target = md.detokenize(out).strip()
    # hunks admissible one by one may not be together (two dropped forms of 'be')
    return base, target if ok(base, target) or target == base else base


def load_clean(data: Path, md: MosesDetokenizer, every: int = 1) -> list[str]:
    """Clean English sentences: english-wiki train (detokenised) and wmt23 references."""
    out = []
    for p in sorted((data / "english-wiki").glob("*-train.en")):
        out += [md.detokenize(s.split()).strip() for s in _read(p, every)]
    for p in sorted((data / "wmt23" / "references").iterdir()):
        out += [s.strip() for s in _read(p, every)]
    return [s for s in out if _ok(s)]


def train_tokenizer(texts: list[str], out_dir: Path, vocab_size: int, seed: int, hard_vocab_limit: bool = True) -> None:
    """Train a unigram sentencepiece model and save it as a T5Tokenizer folder.

    ``hard_vocab_limit=False``: ``vocab_size`` is an upper bound, for a corpus too small to fill it.
    """
    import sentencepiece as spm

    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "spm_corpus.txt"
    rng = random.Random(seed)
    lines = sorted(set(texts))
    rng.shuffle(lines)
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(out_dir / "spiece"),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=0.9995,
        byte_fallback=True,
        normalization_rule_name="identity",
        split_digits=True,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        input_sentence_size=400000,
        shuffle_input_sentence=True,
        seed_sentencepiece_size=500000,
        num_threads=2,
        required_chars=REQUIRED_CHARS,
        **({} if hard_vocab_limit else {"hard_vocab_limit": False}),
    )
    corpus.unlink()
    (out_dir / "spiece.vocab").unlink(missing_ok=True)
    (out_dir / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "T5Tokenizer",
                "extra_ids": 0,
                "model_max_length": 128,
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "pad_token": "<pad>",
                "additional_special_tokens": [],
            },
            indent=2,
        )
    )
    (out_dir / "special_tokens_map.json").write_text(
        json.dumps({"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}, indent=2)
    )
    enable_byte_fallback(out_dir)


def enable_byte_fallback(folder: Path) -> None:
    """Re-save the tokenizer with byte fallback switched on in its tokenizer.json.

    transformers converts ``spiece.model`` to a fast tokenizer with
    ``byte_fallback`` off, so characters outside the vocabulary became <unk>.
    Here the backend is patched (Llama-style decoder) and saved as tokenizer.json.
    """
    from tokenizers import Tokenizer, decoders
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))  # T5Tokenizer from spiece.model
    state = json.loads(tok.backend_tokenizer.to_str())
    state["model"]["byte_fallback"] = True
    backend = Tokenizer.from_str(json.dumps(state))
    backend.decoder = decoders.Sequence(
        [
            decoders.Replace("▁", " "),
            decoders.ByteFallback(),
            decoders.Fuse(),
            decoders.Strip(" ", 1, 0),
        ]
    )
    tok._tokenizer = backend
    tok.save_pretrained(str(folder))
    # T5Tokenizer would rebuild the backend with byte_fallback=False: load tokenizer.json as is
    cfg_path = folder / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    for key in ("extra_ids", "unk_id", "is_local", "local_files_only"):
        cfg.pop(key, None)
    cfg_path.write_text(json.dumps(cfg, indent=2))


def build(
    data: Path,
    out: Path,
    seed: int,
    n_dev_each: int,
    join_frac: float,
    vocab_size: int,
    max_hter: float,
    damaged_per_clean: int = 1,
    tokenizer: Path | None = None,
    projected: bool = False,
    real_edit_copies: int = 1,
    data_scale: float = 1.0,
) -> dict:
    """Write the corpus; with ``tokenizer`` set, copy that tokenizer instead of training one
    (needed to continue training a model whose vocabulary is fixed). ``projected``: real pairs
    target only the guard-admissible part of the post-edit; each real pair whose target differs
    from its MT is written ``real_edit_copies`` times. ``data_scale`` < 1: build from every
    ``round(1 / data_scale)``-th line of each source file only, with ``vocab_size`` a soft limit."""
    if not 0 < data_scale <= 1:
        raise ValueError(f"data_scale must be in (0, 1], got {data_scale}")
    every = max(1, round(1 / data_scale))
    md = MosesDetokenizer("en")
    rng = random.Random(seed)
    real = load_real_pairs(data, md, max_hter, projected, every)
    clean = load_clean(data, md, every)
    rng.shuffle(real)
    # hold out real pairs for dev; their post-edits must not appear as clean text.
    # The post-edits of all train pairs (even high-HTER ones) are clean English.
    all_pe_pairs = load_real_pairs(data, md, 1e9, every=every)
    all_pe = [b for _, b in all_pe_pairs]
    dev_real, real = real[:n_dev_each], real[n_dev_each:]
    held_pe = {b for _, b in dev_real}
    if projected:  # the dev targets are projections: hold out the post-edits themselves
        dev_mt = {a for a, _ in dev_real}
        held_pe |= {b for a, b in all_pe_pairs if a in dev_mt}
    clean = sorted(set(clean + all_pe) - held_pe)
    rng.shuffle(clean)
    dev_clean, clean = clean[: 2 * n_dev_each], clean[2 * n_dev_each :]

    dev = [(s, s) for s in dev_clean[:n_dev_each]]
    dev += [(damage(rng, s), s) for s in dev_clean[n_dev_each:]]
    dev += dev_real
    rng.shuffle(dev)

    train: list[tuple[str, str]] = []
    for s in clean:
        train.append((s, s))
        for _ in range(damaged_per_clean):
            train.append((damage(rng, s), s))
    # joined pairs of short sentences, to learn to repair broken sentence joins
    shorts = [s for s in clean if len(s) < 140 and s[-1:] in ".!?"]
    for _ in range(int(join_frac * len(clean))):
        a, b = rng.choice(shorts), rng.choice(shorts)
        tgt = f"{a} {b}"
        src = broken_join(rng, tgt)
        if rng.random() < 0.5:
            src = damage(rng, src, n_max=1)
        train.append((src, tgt))
    train += [pair for pair in real for _ in range(real_edit_copies if pair[0] != pair[1] else 1)]
    rng.shuffle(train)

    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.tsv", train), ("dev.tsv", dev)):
        with open(out / name, "w", encoding="utf-8") as f:
            for a, b in rows:
                f.write(f"{a}\t{b}\n")
    if tokenizer is not None:
        from transformers import AutoTokenizer

        AutoTokenizer.from_pretrained(str(tokenizer)).save_pretrained(str(out / "tokenizer"))
    else:
        texts = [t for pair in train for t in pair]
        train_tokenizer(texts, out / "tokenizer", vocab_size, seed, hard_vocab_limit=every == 1)
    stats = {
        "train": len(train),
        "dev": len(dev),
        "clean_sentences": len(clean),
        "real_pairs": len(real),
        "real_pairs_edited": sum(a != b for a, b in real),
        "train_identity": sum(a == b for a, b in train),
        "dev_identity": sum(a == b for a, b in dev),
    }
    stats["train_identity_frac"] = round(stats["train_identity"] / len(train), 3)
    (out / "stats.json").write_text(json.dumps(stats, indent=2))
    return stats


def write_word_list(train_tsv: Path, out: Path, min_count: int = 2) -> int:
    """The guard's list of known English words: words of the clean (identity) training pairs.

    ``python -c "from mtfix.train.data import write_word_list as w; w(Path('train.tsv'),
    Path('mtfix/data/words.txt.gz'))"``
    """
    import collections
    import gzip
    import re

    counts: collections.Counter[str] = collections.Counter()
    word = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
    for line in train_tsv.read_text(encoding="utf-8").splitlines():
        src, _, tgt = line.partition("\t")
        if src == tgt:
            counts.update(w.lower() for w in word.findall(tgt))
    words = sorted(w for w, n in counts.items() if n >= min_count)
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("\n".join(words) + "\n")
    return len(words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/data", type=Path)
    ap.add_argument("--out", default="/work/train_run/data", type=Path)
    ap.add_argument("--seed", default=13, type=int)
    ap.add_argument(
        "--n-dev-each", default=100, type=int, help="dev pairs per kind (clean, synthetic damaged, real MT)"
    )
    ap.add_argument("--join-frac", default=0.08, type=float)
    ap.add_argument("--vocab-size", default=8000, type=int)
    ap.add_argument("--max-hter", default=0.4, type=float, help="keep real MT/PE pairs with at most this HTER")
    ap.add_argument("--damaged-per-clean", default=1, type=int, help="damaged copies of each clean sentence")
    ap.add_argument("--tokenizer", type=Path, help="reuse this tokenizer folder instead of training one")
    ap.add_argument(
        "--projected",
        action="store_true",
        help="real pairs target only the post-editor's edits the guard admits (grammar, not content)",
    )
    ap.add_argument("--real-edit-copies", default=1, type=int, help="copies of each real pair the target edits")
    ap.add_argument(
        "--data-scale",
        default=1.0,
        type=float,
        help="read every round(1/F)-th line of each source file only, vocabulary size a soft limit "
        "(0.01: a tiny corpus for a smoke run; default 1: every line)",
    )
    args = ap.parse_args()
    stats = build(
        args.data,
        args.out,
        args.seed,
        args.n_dev_each,
        args.join_frac,
        args.vocab_size,
        args.max_hter,
        args.damaged_per_clean,
        args.tokenizer,
        args.projected,
        args.real_edit_copies,
        args.data_scale,
    )
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
