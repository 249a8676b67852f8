"""Complaint themes (issue 4): supervised and aspect-level on the car-review set, zero-shot taxonomy, speed.

    python benchmarks/bench_themes.py [--folds 5] [--repeat 3] [--skip car,joint,zeroshot,speed]

Writes four sections of docs/benchmarks.md:

- ``themes_supervised``: CCF BDCI 2018 car reviews grouped by content_id (10 subjects, multi-label), k-fold
  CV (shuffled, seed 0). Baseline: character 1-3-gram TF-IDF + one-vs-rest logistic regression (C=10,
  threshold 0.5). fankui: ThemeClassifier (words + char n-grams, NB-weighted OvR, C and threshold chosen by
  3-fold CV inside each training fold, at least one subject per text).
- ``themes_aspect``: F1 over (content_id, subject, sentiment_value) triples in the same folds, two ways:
  *clause*: subjects from the ThemeClassifier, each subject's clause scored by a 3-class SentimentClassifier
  trained on the training fold's subject clauses (this is what `fankui analyze --themes-model` does with
  `--model`); *joint*: a ThemeClassifier on "subject:sentiment" labels (30 classes).
- ``themes_zeroshot``: the built-in taxonomy on tests/data/themes_test.csv (team-written; the taxonomy was
  written looking at themes_dev.csv only).
- ``themes_speed``: `fankui analyze -j 1` with and without `--no-themes-tagging` on the same texts, one run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import corpora_dir, markdown_table, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SENT = {"-1": "negative", "0": "neutral", "1": "positive"}


def load_car(corpora: Path) -> pd.DataFrame:
    d = pd.read_csv(corpora / "ccf_bdci2018_car" / "train_2.csv", dtype=str)
    d["content"] = d["content"].str.strip()
    d["sentiment_value"] = d["sentiment_value"].str.strip()
    g = d.groupby("content_id", sort=True).agg(
        content=("content", "first"),
        subjects=("subject", lambda s: sorted(set(s))),
    )
    pairs = d.groupby("content_id", sort=True).apply(
        lambda x: sorted(set(zip(x["subject"], x["sentiment_value"]))), include_groups=False)
    g["pairs"] = pairs
    return g.reset_index()


def f1s(gold: list[list[str]], pred: list[list[str]]) -> tuple[float, float]:
    from fankui.themes import multilabel_f1

    m = multilabel_f1(gold, pred)
    return m["micro_f1"], m["macro_f1"]


def baseline_predict(train_texts, Y, test_texts) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    Xtr = vec.fit_transform(train_texts)
    Xte = vec.transform(test_texts)
    P = np.zeros((len(test_texts), Y.shape[1]))
    for j in range(Y.shape[1]):
        # dual=True: the same optimum as the primal, much faster with more features than texts
        P[:, j] = LogisticRegression(C=10.0, solver="liblinear", dual=True, max_iter=1000).fit(
            Xtr, Y[:, j]).predict_proba(Xte)[:, 1]
    return P >= 0.5


def bench_car(corpora: Path, folds: int, joint: bool) -> None:
    from sklearn.model_selection import KFold

    from fankui.segment import tokenize_many
    from fankui.sentiment import SentimentClassifier
    from fankui.text import normalize_text
    from fankui.themes import ThemeClassifier
    from fankui.themes.aspect import clause_sentiments
    from fankui.themes.metrics import triple_f1

    car = load_car(corpora)
    n = len(car)
    texts = car["content"].tolist()
    norm = [normalize_text(t) for t in texts]
    tokens = tokenize_many(norm)
    subjects = sorted({s for ss in car["subjects"] for s in ss})
    gold = car["subjects"].tolist()
    gold_triples = {(cid, s, v) for cid, ps in zip(car["content_id"], car["pairs"]) for s, v in ps}
    pred_base, pred_fk = [None] * n, [None] * n
    triples_clause, triples_joint = set(), set()
    thresholds, t_fit = [], []
    t0 = time.perf_counter()
    for k, (tr, te) in enumerate(KFold(folds, shuffle=True, random_state=0).split(np.zeros(n))):
        Y = np.array([[s in gold[i] for s in subjects] for i in tr], dtype=int)
        base = baseline_predict([texts[i] for i in tr], Y, [texts[i] for i in te])
        for row, i in zip(base, te):
            pred_base[i] = [s for s, b in zip(subjects, row) if b]
        t1 = time.perf_counter()
        clf = ThemeClassifier()._fit_prepared([norm[i] for i in tr], [tokens[i] for i in tr], [gold[i] for i in tr])
        t_fit.append(time.perf_counter() - t1)
        thresholds.append((clf.C_, clf.threshold_))
        te_norm, te_tok = [norm[i] for i in te], [tokens[i] for i in te]
        themes, _, spans, clauses = clf.tag_prepared(te_norm, te_tok)
        for i, t in zip(te, themes):
            pred_fk[i] = t
        # Aspect, clause way: a sentiment model trained on each gold subject's clause in the training fold.
        tr_norm, tr_tok = [norm[i] for i in tr], [tokens[i] for i in tr]
        tr_spans, tr_clauses = clf.theme_clauses(tr_norm, tr_tok, [gold[i] for i in tr])
        s_norm, s_tok, s_lab = [], [], []
        for r, i in enumerate(tr):
            label = dict(car["pairs"][i])
            for subj, idx in tr_spans[r]:
                cl = [tr_clauses[r][c] for c in idx] or tr_clauses[r]
                s_norm.append("，".join(tr_norm[r][c.start:c.end] for c in cl))
                s_tok.append([t for c in cl for t in tr_tok[r][c.tok_start:c.tok_end] + ["，"]][:-1])
                s_lab.append(SENT[label[subj]])
        # C=1 was chosen on an inner split of the first fold's training part (0.709 vs 0.703 at C=2 accuracy)
        sent = SentimentClassifier(C=1.0)._fit_prepared(s_norm, s_tok, s_lab)
        per = clause_sentiments(sent, te_norm, te_tok, spans, clauses)
        inv = {v: k2 for k2, v in SENT.items()}
        for r, i in enumerate(te):
            cid = car["content_id"][i]
            triples_clause |= {(cid, s, inv[v]) for s, v in per[r].items()}
        if joint:
            jl = [[f"{s}:{v}" for s, v in car["pairs"][i]] for i in tr]
            jclf = ThemeClassifier()._fit_prepared(tr_norm, tr_tok, jl)
            for i, labs in zip(te, jclf.labels_from_proba(jclf.proba_from_features(jclf.featurizer_.transform(te_norm, te_tok)))):
                cid = car["content_id"][i]
                triples_joint |= {(cid, *lab.split(":")) for lab in labs}
        print(f"fold {k + 1}/{folds} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    elapsed = time.perf_counter() - t0
    bmi, bma = f1s(gold, pred_base)
    fmi, fma = f1s(gold, pred_fk)
    rows = [["char 1-3-gram TF-IDF + OvR LR (C=10, threshold 0.5)", f"{bmi:.3f}", f"{bma:.3f}"],
            ["fankui ThemeClassifier (defaults)", f"**{fmi:.3f}**", f"**{fma:.3f}**"]]
    body = (f"{n:,} texts (grouped by content_id), {len(subjects)} subjects, {folds}-fold CV (KFold, shuffle, seed 0); "
            f"the same folds for every row. (C, threshold) chosen by 3-fold CV inside each training fold: "
            f"{', '.join(f'({c:g}, {t:g})' for c, t in thresholds)}. "
            f"ThemeClassifier fit: {np.mean(t_fit):.0f} s per fold on one core; whole run {elapsed:.0f} s.\n\n")
    body += markdown_table(["model", "micro-F1", "macro-F1"], rows)
    body += ("\nGoal (issue 4): micro-F1 ≥ 0.90 and macro-F1 ≥ 0.89. The issue quotes 0.866 / 0.854 for its "
             "char TF-IDF + OvR LR baseline; the baseline row above is our own run of that recipe.\n")
    met = fmi >= 0.90 and fma >= 0.89
    body += f"\n**Goal {'met' if met else 'not met'}** ({fmi:.3f} / {fma:.3f}).\n"
    write_section("themes_supervised", "Supervised themes: car-review subjects, k-fold CV (issue 4)", body)

    rows = []
    c = triple_f1(gold_triples, triples_clause)
    rows.append(["clause: ThemeClassifier subjects + SentimentClassifier (C=1) on each subject's clause",
                 f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"**{c['f1']:.3f}**"])
    if joint:
        j = triple_f1(gold_triples, triples_joint)
        rows.append(["joint: ThemeClassifier on subject:sentiment labels (30 classes)", f"{j['precision']:.3f}",
                     f"{j['recall']:.3f}", f"**{j['f1']:.3f}**"])
    body = (f"F1 over (content_id, subject, sentiment_value) triples, the CCF BDCI 2018 metric; {len(gold_triples):,} "
            f"gold triples; same {folds} folds as above; every model trained on the training folds only.\n\n")
    body += markdown_table(["method", "precision", "recall", "F1"], rows)
    best = max(r[-1] for r in rows)
    body += f"\nGoal (issue 4): ≥ 0.70. Best here: {best.strip('*')}.\n"
    write_section("themes_aspect", "Aspect sentiment: car-review (subject, sentiment) triples (issue 4)", body)


def bench_zeroshot() -> None:
    from fankui.themes import ThemeTagger, multilabel_f1

    tagger = ThemeTagger()
    rows, per = [], None
    for name in ("themes_dev.csv", "themes_extra.csv", "themes_test.csv"):
        df = pd.read_csv(ROOT / "tests" / "data" / name)
        m = multilabel_f1(df["themes"], tagger.predict(df["text"]))
        role = "**held out (the measure)**" if "test" in name else "written against (tuning)"
        rows.append([f"tests/data/{name}", len(df), role, f"{m['micro_f1']:.3f}", f"{m['macro_f1']:.3f}",
                     f"{m['micro_precision']:.3f}", f"{m['micro_recall']:.3f}"])
        per = m["per_label"]
    body = ("Built-in taxonomy `lexicons/themes.toml`, no training. Labels include 其他 (no theme) as a label. "
            "The taxonomy was written and tuned reading the dev file and themes_extra.csv (207 tickets the themes "
            "engineer wrote in two rounds for tuning) only. The texts of themes_test.csv were never read; its "
            "overall score was looked at three times before this run (0.733 after the first draft, 0.738, and "
            "0.760 after the first round of extra tickets), each time followed by tuning on the tuning files "
            "only; nothing was changed after the number below.\n\n")
    body += markdown_table(["file", "rows", "role", "micro-F1", "macro-F1", "micro-P", "micro-R"], rows)
    body += "\nPer theme on the held-out file:\n\n"
    body += markdown_table(["theme", "precision", "recall", "F1", "support"],
                           [[k, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", v["support"]]
                            for k, v in sorted(per.items(), key=lambda kv: -kv[1]["support"])])
    body += "\nGoal (issue 4): micro-F1 ≥ 0.80 on the held-out set.\n"
    write_section("themes_zeroshot", "Zero-shot theme taxonomy on team-written tickets (issue 4)", body)


def run_cli(args: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "fankui.cli", *args], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"fankui {' '.join(args)} failed:\n{proc.stderr}")
    return dt


def bench_speed(corpora: Path, repeat: int) -> None:
    texts = pd.read_csv(corpora / "waimai_10k" / "waimai_10k.csv")["review"].dropna().astype(str).tolist()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "in.csv"
        pd.DataFrame({"反馈内容": texts}).to_csv(src, index=False)
        base = ["analyze", str(src), "-o", str(tmp / "out.csv"), "-j", "1", "-q"]
        run_cli(base + ["--no-themes-tagging"])  # warm the file cache
        without, with_ = [], []
        for _ in range(repeat):  # interleaved, so both see the same machine load
            without.append(run_cli(base + ["--no-themes-tagging"]))
            with_.append(run_cli(base))
        cols = pd.read_csv(tmp / "out.csv", nrows=1).columns
        assert "themes" in cols and "theme_sentiment" in cols
    n = len(texts)
    a, b = min(without), min(with_)
    cost = 1 - a / b
    rows = [["`fankui analyze -j 1 --no-themes-tagging`", f"{a:.2f}", f"{n / a:,.0f}"],
            ["`fankui analyze -j 1` (themes + theme_sentiment + 10 score columns)", f"{b:.2f}", f"{n / b:,.0f}"]]
    body = (f"waimai_10k reviews ({n:,} short texts), whole CLI runs (start-up, read, normalise, segment, sentiment, "
            f"write CSV), best of {repeat}, interleaved in one run.\n\n")
    body += markdown_table(["command", "seconds", "texts/s"], rows)
    body += (f"\nThroughput cost of themes: **{cost:.0%}** (1 − t_without / t_with). Goal (issue 4): ≤ 30%. "
             f"**Goal {'met' if cost <= 0.30 else 'not met'}.**\n")
    write_section("themes_speed", "Theme tagging cost in fankui analyze (issue 4)", body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated: car, joint, zeroshot, speed")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if "zeroshot" not in skip:
        bench_zeroshot()
    corpora = corpora_dir()
    if corpora is None:
        print("bench_themes: corpora not found (set FANKUI_CORPORA); car and speed sections skipped.")
        return
    if "speed" not in skip:
        bench_speed(corpora, args.repeat)
    if "car" not in skip:
        bench_car(corpora, args.folds, "joint" not in skip)


if __name__ == "__main__":
    os.environ.setdefault("FANKUI_NO_PROGRESS", "1")
    main()
