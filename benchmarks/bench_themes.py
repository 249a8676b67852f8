"""Complaint themes (issue 4): supervised and aspect-level on the car-review set, zero-shot taxonomy, speed.

    python benchmarks/bench_themes.py [--folds 5] [--repeat 3] [--skip choice,zeroshot,speed,car,joint]
    python benchmarks/bench_themes.py --dev-check   # variants for the car goals on a dev split, printed only

Writes five sections of docs/benchmarks.md:

- ``themes_hybrid_choice``: leave one training file out over the built-in theme model's training files (the
  four tuning files and corpora/team_themes): the taxonomy alone, the model alone, the blend rules and feature
  sets compared; how the shipped hybrid was chosen (no blind set takes part).
- ``themes_supervised``: CCF BDCI 2018 car reviews grouped by content_id (10 subjects, multi-label), k-fold
  CV (shuffled, seed 0). Baseline: character 1-3-gram TF-IDF + one-vs-rest logistic regression (C=10,
  threshold 0.5). fankui: ThemeClassifier (words + char n-grams, NB-weighted OvR, C and threshold chosen by
  3-fold CV inside each training fold, at least one subject per text).
- ``themes_aspect``: F1 over (content_id, subject, sentiment_value) triples in the same folds, two ways:
  *clause*: subjects from the ThemeClassifier, each subject's clause scored by a 3-class SentimentClassifier
  trained on the training fold's subject clauses (this is what `fankui analyze --themes-model` does with
  `--model`); *joint*: a ThemeClassifier on "subject:sentiment" labels (30 classes).
- ``themes_agreement``: a second engineer's blind labels against the gold labels of holdout2/3 and of 300 car
  texts (benchmarks/data): how far the labels themselves agree.
- ``themes_zeroshot``: the default tagger (taxonomy + built-in model), the taxonomy alone and a plain
  substring-matching baseline on the blind team-written sets tests/data/themes_holdout2/3/4.csv.
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
import scipy.sparse as sp

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
    body += ("\nVariants tried for this goal (per-class thresholds, LinearSVC, stacking over label co-occurrence) are "
             "compared on a dev split of fold 1's training part by `python benchmarks/bench_themes.py --dev-check` "
             "(printed only; results in docs/themes.md).\n")
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
    body += ("\nSubject-conditioned variants (subject × n-gram crosses, whole-text features, a higher subject threshold "
             "for triples) are compared on a dev split by `python benchmarks/bench_themes.py --dev-check`.\n")
    write_section("themes_aspect", "Aspect sentiment: car-review (subject, sentiment) triples (issue 4)", body)


def substring_baseline(tagger, norm_texts) -> list[str]:
    """The naive recipe the issue asks to beat: a theme is present when any of its keywords is a substring of the
    normalised text (no segmentation, weak cues, "A+B" pairs, exclusions or negation)."""
    tax = tagger.taxonomy_
    words = [[k for k in th.keywords if "+" not in k] for th in tax.themes]
    out = []
    for t in norm_texts:
        norm = t.lower()
        hit = [th.name for th, ws in zip(tax.themes, words) if any(w in norm for w in ws)]
        out.append(";".join(hit) or tax.other)
    return out


# Tuning history, so a reader can judge how "held out" each file is.
_ZEROSHOT_HISTORY = (
    "Built-in themes with no labels from the user: **fankui** is the default of `fankui analyze` (the built-in "
    "taxonomy `lexicons/themes.toml` blended with the built-in theme model, docs/themes.md); **taxonomy alone** "
    "is `--no-builtin-themes-model`; **substring** uses the taxonomy's keywords as plain substrings (no "
    "segmentation, pairs, exclusions or negation). 其他 (no theme) counts as a label. "
    "History: the taxonomy was written and tuned on themes_dev.csv and themes_extra.csv; themes_test.csv was the "
    "held-out file until its score had been looked at five times, then joined the tuning files. Blind sets of "
    "300 tickets each were then written on 2026-11-23, each by an engineer who never saw the taxonomy or the other "
    "theme files: themes_holdout.csv (measured once, 0.722, then tuned on: its labelling rules became the team's "
    "border rules), themes_holdout2.csv (taxonomy measured once after the second revision: 0.771), "
    "themes_holdout3.csv (taxonomy 0.717, the earlier opt-in hybrid 0.720, each measured once), "
    "themes_holdout4.csv (written after that; the default trained on six corpus writers scored 0.847 on it, "
    "once), themes_holdout5.csv (written while four more corpus writers worked; the ten-writer default scored "
    "0.857 on it, once) and themes_holdout6.csv (written afterwards, asked to name staff often in tickets about "
    "other topics, the default's weakest border on holdout5; measured for the first time by this run, with the "
    "same model). None of the later sets was tuned on. The built-in model learned from the four tuning files "
    "and the team theme corpus (corpora/team_themes, writers who never saw the taxonomy or any blind set); how the model and "
    "the blend were chosen is in the section *Choosing the hybrid* below, done before this section was run. "
    "Texts of a blind set that also occur in a training file or an earlier set (exact match after "
    "normalisation) are left out of its score.\n\n")

_BLIND = ("themes_holdout2.csv", "themes_holdout3.csv", "themes_holdout4.csv", "themes_holdout5.csv",
          "themes_holdout6.csv")


def joined_themes(tagger, norm, tokens) -> list[str]:
    """``;``-joined themes of prepared texts, from a ThemeTagger or the hybrid (same ``tag_prepared``)."""
    return [";".join(t) for t in tagger.tag_prepared(norm, tokens)[0]]


def bench_zeroshot() -> None:
    from fankui.segment import prepare_texts
    from fankui.text import normalize_text
    from fankui.themes import ThemeTagger, multilabel_f1
    from fankui.themes.default import TRAINING_FILES
    from fankui.themes.hybrid import default_tagger

    tagger, hybrid = ThemeTagger(), default_tagger()
    seen = set()
    for path in TRAINING_FILES:
        seen |= set(pd.read_csv(ROOT / path)["text"].map(normalize_text))
    rows, per = [], None
    roles = {"themes_holdout2.csv": "blind (taxonomy looked at once before)",
             "themes_holdout3.csv": "blind (taxonomy and old hybrid looked at once before)",
             "themes_holdout4.csv": "blind (the six-writer model looked at once before: 0.847)",
             "themes_holdout5.csv": "blind (this model scored it once before: 0.857)",
             "themes_holdout6.csv": "**blind, first look (the measure; staff often named in passing)**"}
    for name in _BLIND:
        df = pd.read_csv(ROOT / "tests" / "data" / name)
        norm = df["text"].map(normalize_text)
        n_all = len(df)
        df = df[~norm.isin(seen)]
        seen |= set(norm)
        texts, tokens = prepare_texts(df["text"])  # normalised and segmented once for all three taggers
        b = multilabel_f1(df["themes"], substring_baseline(tagger, texts))
        m = multilabel_f1(df["themes"], joined_themes(tagger, texts, tokens))
        h = multilabel_f1(df["themes"], joined_themes(hybrid, texts, tokens))
        n = f"{len(df)}" if len(df) == n_all else f"{len(df)} ({n_all - len(df)} shared with earlier files left out)"
        rows.append([f"tests/data/{name}", n, roles[name], f"{b['micro_f1']:.3f}", f"{m['micro_f1']:.3f}",
                     f"**{h['micro_f1']:.3f}**", f"{h['macro_f1']:.3f}", f"{h['micro_precision']:.3f}",
                     f"{h['micro_recall']:.3f}"])
        per = h["per_label"]
    body = _ZEROSHOT_HISTORY
    body += markdown_table(["file", "rows", "role", "substring micro-F1", "taxonomy alone micro-F1",
                            "fankui micro-F1", "fankui macro-F1", "fankui micro-P", "fankui micro-R"], rows)
    body += f"\nPer theme on {_BLIND[-1]} (fankui):\n\n"
    body += markdown_table(["theme", "precision", "recall", "F1", "support"],
                           [[k, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", v["support"]]
                            for k, v in sorted(per.items(), key=lambda kv: -kv[1]["support"])])
    body += "\nGoal (issue 4): micro-F1 ≥ 0.80 on a held-out set.\n"
    write_section("themes_zeroshot", "Built-in themes on blind team-written tickets (issue 4)", body)


def bench_hybrid_choice() -> None:
    """Leave one training file out: how the built-in model's settings and the blend were chosen.

    Only the training files take part (never a blind set). Each file in turn is scored by a model trained on
    all the others; the taxonomy's scores are its own (it was tuned on the first four files, so they favour it).
    """
    from fankui.segment import prepare_texts
    from fankui.text import normalize_text
    from fankui.themes import ThemeClassifier, ThemeTagger, multilabel_f1
    from fankui.themes.default import DEFAULT_PARAMS, TRAINING_FILES
    from fankui.themes.hybrid import THRESHOLD, WEIGHT
    from fankui.themes.metrics import split_labels

    tagger = ThemeTagger()
    folds, seen = [], set()
    for path in TRAINING_FILES:
        df = pd.read_csv(ROOT / path)
        norm = df["text"].map(normalize_text)
        df = df[~norm.isin(seen) & ~norm.duplicated()]  # a text counts once, in its first file
        seen |= set(norm)
        texts, tokens = prepare_texts(df["text"])
        off: list[int] = []
        tags, S, _, _ = tagger.tag_prepared(texts, tokens, off_topic=off)
        folds.append(dict(name=Path(path).stem, labels=df["themes"].tolist(), norm=texts, tok=tokens, S=S, off=off,
                          tags=[";".join(t) for t in tags]))
    names = [str(c) for c in tagger.classes_]

    def decide(tagged, off):
        tagged = tagged.copy()
        tagged[off] = False  # off_topic phrases void a ticket in every rule, as in the shipped hybrid
        return [";".join(names[i] for i in np.flatnonzero(r)) or tagger.other for r in tagged]

    grid = [(w, t) for w in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.6) for t in (0.15, 0.2, 0.25, 0.3, 0.35, 0.45)]
    results: dict[str, list[float]] = {}

    def score(key, fold, tags):
        results.setdefault(key, []).append(multilabel_f1(fold["labels"], tags)["micro_f1"])

    for i, fold in enumerate(folds):
        train = [f for j, f in enumerate(folds) if j != i]
        norm = [t for f in train for t in f["norm"]]
        tok = [t for f in train for t in f["tok"]]
        labels = [split_labels(v) for f in train for v in f["labels"]]
        S, off = fold["S"], fold["off"]
        score("taxonomy alone", fold, fold["tags"])
        for variant, params in (("characters", DEFAULT_PARAMS), ("words + characters", {**DEFAULT_PARAMS, "words": True})):
            clf = ThemeClassifier(**params)._fit_prepared(norm, tok, labels)
            proba = clf.proba_from_features(clf.featurizer_.transform(fold["norm"], fold["tok"]))
            P = proba[:, [list(clf.classes_).index(n) for n in names]]  # the taxonomy's theme order
            if variant == "characters":
                fold["P"] = P  # kept for the per-theme threshold check below
                score("model alone, p ≥ 0.15", fold, decide(P >= 0.15, off))
                weak = (S > 0) & (0.6 * S < 0.45 - 1e-9)
                score("old rule: model only where the taxonomy has weak cues (0.6 / 0.45)", fold,
                      decide(np.where(weak, 0.6 * S + 0.4 * P, S) >= 0.45 - 1e-9, off))
                # The model's own 其他 class as a veto: no theme when it is confident nothing applies and the
                # taxonomy has no keyword (strong cue) either.
                p_other = proba[:, list(clf.classes_).index(tagger.other)] if tagger.other in clf.classes_ else None
                if p_other is not None:
                    blend = WEIGHT * S + (1 - WEIGHT) * P >= THRESHOLD - 1e-9
                    for a in (0.4, 0.5, 0.6, 0.7):
                        veto = (p_other >= a) & (S.max(axis=1) < 0.8 - 1e-9)
                        score(f"shipped blend + 其他 veto: model P(其他) ≥ {a} and no keyword", fold,
                              decide(blend & ~veto[:, None], off))
            for w, t in grid:
                score(f"{variant}: {w} × taxonomy + {1 - w:.2g} × model ≥ {t}", fold, decide(w * S + (1 - w) * P >= t - 1e-9, off))
    # Per-theme thresholds, nested: for each file, thresholds chosen (coordinate ascent over a small grid, two
    # passes) on the other files' out-of-fold blends only, then applied to it.
    def tags_at(fold, th):
        return decide(WEIGHT * fold["S"] + (1 - WEIGHT) * fold["P"] >= np.asarray(th)[None, :] - 1e-9, fold["off"])

    def pooled_f1(fs, th):
        return multilabel_f1([v for f in fs for v in f["labels"]], [v for f in fs for v in tags_at(f, th)])["micro_f1"]

    def choose(fs):
        th = [THRESHOLD] * len(names)
        for _ in range(2):
            for k in range(len(names)):
                th[k] = max((0.15, 0.2, 0.25, 0.3, 0.35, 0.4),
                            key=lambda t: (pooled_f1(fs, th[:k] + [t] + th[k + 1:]), -abs(t - THRESHOLD)))
        return th

    for i, fold in enumerate(folds):
        score("shipped blend, per-theme thresholds chosen on the other files (nested)", fold,
              tags_at(fold, choose([f for j, f in enumerate(folds) if j != i])))
    shipped = f"characters: {WEIGHT} × taxonomy + {1 - WEIGHT:.2g} × model ≥ {THRESHOLD}"
    order = sorted(results, key=lambda k: -np.mean(results[k]))
    show = ["taxonomy alone", "old rule: model only where the taxonomy has weak cues (0.6 / 0.45)",
            "model alone, p ≥ 0.15", shipped] + [k for k in order if k.startswith("characters")][:6] \
        + [k for k in order if k.startswith("shipped blend")] \
        + [k for k in order if k.startswith("words")][:3]
    show = list(dict.fromkeys(show))
    rows = [[("**" + k + "** (shipped)") if k == shipped else k, *(f"{v:.3f}" for v in results[k]),
             f"{np.mean(results[k]):.3f}", f"{np.mean(results[k][4:]):.3f}"] for k in show]
    body = (f"Leave one training file out ({len(folds)} files: the four tuning files and the {len(folds) - 4} writers "
            f"of corpora/team_themes); each file is scored by a model trained on the other {len(folds) - 1} (ThemeClassifier "
            f"{DEFAULT_PARAMS}, its own 3-fold choice of C), blended with the taxonomy's scores. A text counts once. "
            f"The taxonomy was tuned on the first four files, which favours it there; the {len(folds) - 4} writer files are "
            f"the fair comparison (last column). {len(grid)} (weight, threshold) pairs were compared per feature "
            f"set; the best six with characters and the best three with words are shown. Best mean "
            f"{np.mean(results[order[0]]):.3f} ({order[0]}); shipped {np.mean(results[shipped]):.3f}.\n\n")
    body += markdown_table(["rule", *(f["name"] for f in folds), "mean", "mean of writer files"], rows)
    write_section("themes_hybrid_choice", "Choosing the hybrid: leave one training file out (issue 4)", body)


def bench_agreement(corpora: Path | None) -> None:
    """How far a second careful reader agrees with the gold labels: a ceiling for any tagger on those labels."""
    from fankui.themes import multilabel_f1
    from fankui.themes.metrics import triple_f1

    second = pd.read_csv(ROOT / "benchmarks" / "data" / "themes_second_annotator.csv")
    rows = []
    for name, part in second.groupby("file", sort=True):
        gold = pd.read_csv(ROOT / "tests" / "data" / name)["themes"].iloc[part["row"].to_numpy()]
        m = multilabel_f1(gold.tolist(), part["themes"].tolist())
        rows.append([f"tests/data/{name}", len(part), f"{m['micro_f1']:.3f}", f"{m['macro_f1']:.3f}",
                     f"{(gold.to_numpy() == part['themes'].to_numpy()).mean():.3f}"])
    body = ("A second engineer labelled the blind sets' texts (shuffled together, texts only, the same written rules, "
            "no tagger) — benchmarks/data/themes_second_annotator.csv — scored against the writers' labels:\n\n")
    body += markdown_table(["set", "tickets", "micro-F1", "macro-F1", "identical label sets"], rows)
    if corpora is not None:
        car = load_car(corpora)
        other = pd.read_csv(ROOT / "benchmarks" / "data" / "car_second_annotator.csv", dtype=str)
        gold = car.set_index("content_id").loc[other["content_id"]]
        pairs = [[p.split(":") for p in v.split(";")] for v in other["labels"]]
        sub = multilabel_f1([list(g) for g in gold["subjects"]], [[s for s, _ in p] for p in pairs])
        g_trip = {(c, s, v) for c, items in zip(other["content_id"], gold["pairs"]) for s, v in items}
        p_trip = {(c, s, v) for c, p in zip(other["content_id"], pairs) for s, v in p}
        trip = triple_f1(g_trip, p_trip)
        body += ("\nThe same on the car-review set: an engineer labelled 300 random texts (content ids in "
                 "benchmarks/data/car_second_annotator.csv) from the label scheme alone, without seeing any gold "
                 "label:\n\n")
        body += markdown_table(["measure (300 texts)", "second reader vs gold", "fankui 5-fold (themes_supervised / themes_aspect)"],
                               [["subject micro-F1", f"{sub['micro_f1']:.3f}", "0.880"],
                                ["subject macro-F1", f"{sub['macro_f1']:.3f}", "0.870"],
                                ["(content, subject, sentiment) triple F1", f"{trip['f1']:.3f}", "0.631"]])
        body += ("\nThe team's rules are learnable (the second reader agrees almost perfectly), while the car labels "
                 "carry conventions a careful reader of the scheme does not share (which aspect a noise or brake remark "
                 "belongs to; mild praise such as 还可以 is mostly neutral there). The fankui figures are 5-fold "
                 "cross-validation over the whole set, not these 300 texts.\n")
    write_section("themes_agreement", "Second-annotator agreement: how far the labels themselves agree (issue 4)", body)


def run_cli(args: list[str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one `fankui` command in a child process.

    CPU time (user + system of the child) is reported next to wall clock because the machines are shared: a
    neighbour's load stretches wall clock far more than the single-threaded child's own CPU time.
    """
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "fankui.cli", *args], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"fankui {' '.join(args)} failed:\n{proc.stderr}")
    return dt, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_speed(corpora: Path, repeat: int) -> None:
    texts = pd.read_csv(corpora / "waimai_10k" / "waimai_10k.csv")["review"].dropna().astype(str).tolist()
    configs = [("`fankui analyze -j 1 --no-themes-tagging`", ["--no-themes-tagging"]),
               ("`fankui analyze -j 1 --no-builtin-themes-model` (taxonomy alone)", ["--no-builtin-themes-model"]),
               ("`fankui analyze -j 1` (default: taxonomy + built-in model; themes, theme_sentiment, 10 score columns)",
                [])]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "in.csv"
        pd.DataFrame({"反馈内容": texts}).to_csv(src, index=False)
        base = ["analyze", str(src), "-o", str(tmp / "out.csv"), "-j", "1", "-q"]
        run_cli(base + ["--no-themes-tagging"])  # warm the file cache
        runs: list[list[tuple[float, float]]] = [[] for _ in configs]
        for _ in range(repeat):  # interleaved, so all three see the same machine load
            for k, (_, extra) in enumerate(configs):
                runs[k].append(run_cli(base + extra))
        cols = pd.read_csv(tmp / "out.csv", nrows=1).columns
        assert "themes" in cols and "theme_sentiment" in cols
    n = len(texts)
    wall = [min(w for w, _ in r) for r in runs]
    cpu = [min(c for _, c in r) for r in runs]
    rows = [[name, f"{wall[k]:.2f}", f"{n / wall[k]:,.0f}", f"{cpu[k]:.2f}",
             "–" if k == 0 else f"{1 - wall[0] / wall[k]:.0%}", "–" if k == 0 else f"{1 - cpu[0] / cpu[k]:.0%}"]
            for k, (name, _) in enumerate(configs)]
    cost_wall, cost_cpu = 1 - wall[0] / wall[2], 1 - cpu[0] / cpu[2]
    body = (f"waimai_10k reviews ({n:,} short texts), whole CLI runs (start-up, read, normalise, segment, sentiment, "
            f"write CSV), best of {repeat}, interleaved in one run. Cost of themes = 1 − t_without / t_with, on wall "
            "clock and on the child's CPU time (user + system; less disturbed by other jobs on the shared "
            "machine).\n\n")
    body += markdown_table(["command", "wall s", "texts/s (wall)", "CPU s", "cost (wall)", "cost (CPU)"], rows)
    met = cost_wall <= 0.30 and cost_cpu <= 0.30
    body += (f"\nThroughput cost of themes (default): **{cost_wall:.0%}** wall clock, **{cost_cpu:.0%}** CPU time. "
             f"Goal (issue 4): ≤ 30%. **Goal {'met' if met else 'not met'}"
             f"{'' if met or (cost_wall <= 0.30) == (cost_cpu <= 0.30) else ' on one of the two measures'}.**\n")
    write_section("themes_speed", "Theme tagging cost in fankui analyze (issue 4)", body)


# -- dev check: variants compared on a dev split of fold 1's training part (never on a test fold) -------------
def _dev_split(n: int, folds: int):
    """Fold 1's training part of the benchmark's KFold, split 80/20 (seed 1) into inner-train and dev."""
    from sklearn.model_selection import KFold

    tr0, _ = next(KFold(folds, shuffle=True, random_state=0).split(np.zeros(n)))
    perm = np.random.default_rng(1).permutation(tr0)
    cut = int(len(perm) * 0.8)
    return perm[:cut], perm[cut:]


def _at_least_one(P: np.ndarray, th) -> np.ndarray:
    pred = P >= th
    none = ~pred.any(axis=1)
    pred[np.flatnonzero(none), P[none].argmax(axis=1)] = True
    return pred


def dev_check(corpora: Path, folds: int) -> None:
    """Print (no docs written) how the variants tried for the car goals do on the dev split.

    Every threshold, bias and C below is picked on out-of-fold scores of the inner-train part, except where a
    line says "best on dev" (an optimistic upper bound, shown only to judge whether an idea is worth more work).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import KFold
    from sklearn.svm import LinearSVC

    from fankui.segment import tokenize_many
    from fankui.sentiment import SentimentClassifier
    from fankui.sentiment.features import Featurizer
    from fankui.text import normalize_text
    from fankui.themes import ThemeClassifier
    from fankui.themes.metrics import triple_f1
    from fankui.themes.scoring import sigmoid

    car = load_car(corpora)
    norm = [normalize_text(t) for t in car["content"]]
    tok = tokenize_many(norm)
    gold = car["subjects"].tolist()
    itr, idv = _dev_split(len(car), folds)
    sub = lambda idx: ([norm[i] for i in idx], [tok[i] for i in idx])  # noqa: E731
    clf = ThemeClassifier()._fit_prepared(*sub(itr), [gold[i] for i in itr])
    classes = list(clf.classes_)
    X, Xd = clf.featurizer_.transform(*sub(itr)), clf.featurizer_.transform(*sub(idv))
    Y = np.array([[c in gold[i] for c in classes] for i in itr], dtype=np.int8)
    Yd = np.array([[c in gold[i] for c in classes] for i in idv], dtype=np.int8)
    Pd = clf.proba_from_features(Xd)

    def show(name, pred):
        print(f"  {name}: micro {f1_score(Yd, pred, average='micro'):.4f} macro {f1_score(Yd, pred, average='macro'):.4f}",
              flush=True)

    print(f"themes, dev split: {len(itr)} inner-train / {len(idv)} dev texts; C={clf.C_:g} threshold={clf.threshold_:g}")
    show("ThemeClassifier (defaults)", _at_least_one(Pd, clf.threshold_))
    inner = list(KFold(3, shuffle=True, random_state=0).split(np.zeros(len(itr))))
    oof, oof_svc = np.zeros(Y.shape), np.zeros(Y.shape)
    for a, b in inner:
        coef, ic = clf._fit_ovr(X[a], Y[a], clf.C_)
        oof[b] = sigmoid(np.asarray(X[b] @ coef.T) + ic)
        for j in range(Y.shape[1]):
            oof_svc[b, j] = LinearSVC(C=0.5).fit(X[a], Y[a, j]).decision_function(X[b])
    # per-class thresholds, coordinate ascent on OOF micro-F1 + the class's own F1
    ths = np.full(len(classes), clf.threshold_)
    for _ in range(2):
        for j in range(len(classes)):
            def gain(t, j=j):
                th = ths.copy()
                th[j] = t
                pr = _at_least_one(oof, th)
                return f1_score(Y, pr, average="micro") + f1_score(Y[:, j], pr[:, j])
            ths[j] = max(np.arange(0.1, 0.71, 0.025), key=gain)
    show(f"per-class thresholds from OOF ({', '.join(f'{t:.3g}' for t in ths)})", _at_least_one(Pd, ths))
    Sd = np.column_stack([LinearSVC(C=0.5).fit(X, Y[:, j]).decision_function(Xd) for j in range(Y.shape[1])])
    t_svc = max(np.arange(-0.6, 0.01, 0.1), key=lambda t: f1_score(Y, _at_least_one(oof_svc, t), average="micro"))
    show(f"LinearSVC(C=0.5) OvR, margin threshold {t_svc:.1f} from OOF", _at_least_one(Sd, t_svc))
    logit = lambda p: np.log(np.clip(p, 1e-9, 1 - 1e-9) / np.clip(1 - p, 1e-9, 1))  # noqa: E731
    Z, Zd = np.hstack([logit(oof), oof_svc]), np.hstack([logit(Pd), Sd])
    P2o = np.zeros(Y.shape)
    for a, b in inner:
        for j in range(Y.shape[1]):
            P2o[b, j] = LogisticRegression(C=1.0, max_iter=1000).fit(Z[a], Y[a, j]).predict_proba(Z[b])[:, 1]
    P2 = np.column_stack([LogisticRegression(C=1.0, max_iter=1000).fit(Z, Y[:, j]).predict_proba(Zd)[:, 1]
                          for j in range(Y.shape[1])])
    t2 = max(np.arange(0.2, 0.61, 0.05), key=lambda t: f1_score(Y, _at_least_one(P2o, t), average="micro"))
    show(f"stacked LR over [NB-LR logits, SVC margins] (label co-occurrence), threshold {t2:.2f} from OOF",
         _at_least_one(P2, t2))

    # -- aspect triples on the same split ------------------------------------------------------------------
    inv = {v: k for k, v in SENT.items()}

    def items(idx, subjects):
        nn, tt = sub(idx)
        spans, clauses = clf.theme_clauses(nn, tt, subjects)
        out = []
        for r, i in enumerate(idx):
            lab = dict(car["pairs"][i])
            for s, ci in spans[r]:
                cl = [clauses[r][c] for c in ci] or clauses[r]
                out.append((i, s, "，".join(nn[r][c.start:c.end] for c in cl),
                            [t for c in cl for t in tt[r][c.tok_start:c.tok_end] + ["，"]][:-1], nn[r], tt[r],
                            SENT.get(lab.get(s, "0"))))
        return out

    tr_items = items(itr, [gold[i] for i in itr])
    dv_gold = items(idv, [gold[i] for i in idv])
    pred_subj = clf.labels_from_proba(Pd)
    dv_pred = items(idv, pred_subj)
    gold_triples = {(car["content_id"][i], s, v) for i in idv for s, v in car["pairs"][i]}
    y_tr = np.array([it[-1] for it in tr_items], dtype=object)
    print(f"aspect, same split: {len(tr_items)} training (text, subject) pairs; always-neutral accuracy on dev gold "
          f"subjects {np.mean([it[-1] == 'neutral' for it in dv_gold]):.4f}")

    def show_aspect(name, lab_gold, lab_pred):
        acc = np.mean([lab == it[-1] for lab, it in zip(lab_gold, dv_gold)])
        trip = {(car["content_id"][it[0]], it[1], inv[lab]) for lab, it in zip(lab_pred, dv_pred)}
        print(f"  {name}: sentiment accuracy on gold subjects {acc:.4f}, triple F1 "
              f"{triple_f1(gold_triples, trip)['f1']:.4f}", flush=True)

    sc = SentimentClassifier(C=1.0)._fit_prepared([it[2] for it in tr_items], [it[3] for it in tr_items], y_tr)

    def sc_labels(its):
        P = sc.proba_from_features(sc.featurizer_.transform([it[2] for it in its], [it[3] for it in its]))
        return sc.classes_[P.argmax(axis=1)]

    show_aspect("clause SentimentClassifier(C=1) (the benchmark's way)", sc_labels(dv_gold), sc_labels(dv_pred))
    fc, _ = Featurizer.fit([it[2] for it in tr_items], [it[3] for it in tr_items], lexicon=True)
    fw, _ = Featurizer.fit([it[4] for it in tr_items], [it[5] for it in tr_items], lexicon=True)
    k = len(classes)

    def crossed(its, whole):
        # subject x n-gram crosses: the clause features once shared and once in the subject's own block
        s = np.array([classes.index(it[1]) for it in its])
        C = fc.transform([it[2] for it in its], [it[3] for it in its]).tocoo()
        w = C.shape[1]
        shared = sp.csr_matrix((C.data, (C.row, C.col)), shape=(C.shape[0], w * (k + 1)))
        own = sp.csr_matrix((C.data, (C.row, C.col + (s[C.row] + 1) * w)), shape=shared.shape)
        parts = [shared + own, sp.csr_matrix((np.ones(len(s)), (np.arange(len(s)), s)), shape=(len(s), k))]
        if whole:
            parts.append(fw.transform([it[4] for it in its], [it[5] for it in its]))
        return sp.hstack(parts).tocsr()

    for whole in (False, True):
        m = LogisticRegression(C=1.0, max_iter=3000).fit(crossed(tr_items, whole), y_tr)
        show_aspect(f"subject x n-gram crosses{' + whole-text features' if whole else ''} (LR C=1)",
                    m.predict(crossed(dv_gold, whole)), m.predict(crossed(dv_pred, whole)))
    # subject threshold raised for triples: a wrong sentiment costs a false positive and a false negative
    dv_all = items(idv, [classes for _ in idv])
    Ps = sc.proba_from_features(sc.featurizer_.transform([it[2] for it in dv_all], [it[3] for it in dv_all]))
    Ps = Ps.reshape(len(idv), k, 3)
    best = None
    for tau in np.arange(0.1, 0.41, 0.05):
        trip = set()
        for r, i in enumerate(idv):
            keep = np.flatnonzero(Pd[r] >= tau)
            keep = keep if len(keep) else [int(Pd[r].argmax())]
            trip |= {(car["content_id"][i], classes[j], inv[sc.classes_[Ps[r, j].argmax()]]) for j in keep}
        f = triple_f1(gold_triples, trip)["f1"]
        best = max(best or (f, tau), (f, tau))
    print(f"  subject threshold for triples, best on dev (optimistic): τ={best[1]:.2f}, triple F1 {best[0]:.4f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated: choice, zeroshot, agreement, speed, car, joint")
    ap.add_argument("--dev-check", action="store_true",
                    help="only print the car variants tried, on a dev split of fold 1's training part (no docs)")
    args = ap.parse_args()
    if args.dev_check:
        corpora = corpora_dir()
        if corpora is None:
            print("bench_themes: corpora not found (set FANKUI_CORPORA); dev check skipped.")
            return
        dev_check(corpora, args.folds)
        return
    skip = set(filter(None, args.skip.split(",")))
    if "choice" not in skip:
        bench_hybrid_choice()
    if "zeroshot" not in skip:
        bench_zeroshot()
    corpora = corpora_dir()
    if "agreement" not in skip:
        bench_agreement(corpora)
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
