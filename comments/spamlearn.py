"""Training the spam classifier, and measuring it: scikit-learn, imported only here and only when used.

fit() turns labelled texts into a comments.spamfeatures.Model (plain JSON); evaluate()
runs the cross-validation protocols of `manage.py comments_spam_eval`. The threshold
that files a comment as spam is picked on training data only: inside each training
fold, from the scores of an inner cross-validation.
"""

import csv
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .spamfeatures import SCALES, Model, contributions, features, probability

C = 20.0  # inverse regularisation of the logistic regression (compared on the YouTube collection: 10, 20, 50)
# Missed spam weighs 1.5 times a legitimate comment in training: at 0.5 the model caught too little.
CLASS_WEIGHT = {0: 1.0, 1: 1.5}
# Words and fragments seen in one comment only are left out: better measured, and no model keeps
# a word that only one person wrote.
MIN_DF = {"w:": 2, "c:": 2, "x:": 1}
# The share of legitimate comments of the inner cross-validation allowed at or above the threshold: a
# fifth of the 0.5% the threshold may cost, because the inner models, trained on less, score legitimate
# comments lower than the model trained on the whole part does (at 0.5% inside, 0.74% crossed outside).
# Below 1,000 legitimate comments it allows none: the threshold is above all of them.
TARGET_FPR = 0.001
SEED = 0


def fit(examples: Sequence[Counter[str]], labels: Sequence[int], *, c: float = C) -> Model:
    """A logistic regression on sublinear TF-IDF of the features; labels are 1 for spam, 0 for legitimate."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    df: Counter[str] = Counter()
    for counts in examples:
        df.update(counts.keys())
    n = len(examples)
    vocabulary = sorted(f for f, seen in df.items() if seen >= MIN_DF[f[:2]])
    index = {f: i for i, f in enumerate(vocabulary)}
    idf = [math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocabulary]
    rows, cols, values = [], [], []
    for row, counts in enumerate(examples):
        known = {index[f]: (1.0 + math.log(k)) * idf[index[f]] for f, k in counts.items() if f in index}
        norms = dict.fromkeys(SCALES, 0.0)
        for i, v in known.items():
            norms[vocabulary[i][:2]] += v * v
        for i, v in known.items():
            rows.append(row)
            cols.append(i)
            values.append(v / math.sqrt(norms[vocabulary[i][:2]]))
    matrix = csr_matrix((values, (rows, cols)), shape=(n, len(vocabulary)))
    classifier = LogisticRegression(C=c, class_weight=CLASS_WEIGHT, solver="liblinear", max_iter=1000)
    classifier.fit(matrix, np.asarray(labels))
    weights = classifier.coef_[0].tolist()
    return {
        "features": {f: [round(idf[i], 6), round(weights[i], 6)] for i, f in enumerate(vocabulary)},
        "bias": float(classifier.intercept_[0]),
        "spam": int(sum(labels)),
        "ham": len(labels) - int(sum(labels)),
    }


def scores(model: Model, examples: Sequence[Counter[str]]) -> list[float]:
    """Spam probabilities of featurised comments, exactly as the site scores them."""
    return [probability(contributions(counts, model)[0]) for counts in examples]


# ---------------------------------------------------------------- thresholds


def pick_threshold(ham_scores: Sequence[float], target: float = TARGET_FPR) -> float:
    """The lowest threshold at which at most `target` of these legitimate comments score at or above it."""
    ordered = sorted(ham_scores, reverse=True)
    allowed = math.floor(target * len(ordered))  # how many may cross
    if allowed >= len(ordered):
        return 0.5
    # Just above the (allowed+1)-th highest legitimate score.
    return min(0.999, max(0.5, ordered[allowed] + 1e-6))


def stratified_folds(labels: Sequence[int], k: int, seed: int = SEED) -> list[tuple[list[int], list[int]]]:
    """Stratified k-fold splits, shuffled (scikit-learn's StratifiedKFold)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(train.tolist(), test.tolist()) for train, test in splitter.split(np.zeros(len(y)), y)]


def threshold_from_training(examples: Sequence[Counter[str]], labels: Sequence[int], inner_folds: int = 5) -> float:
    """The spam threshold, picked from out-of-fold scores of an inner cross-validation of the training set."""
    ham: list[float] = []
    for train, test in stratified_folds(labels, inner_folds):
        model = fit([examples[i] for i in train], [labels[i] for i in train])
        predicted = scores(model, [examples[i] for i in test])
        ham.extend(s for s, i in zip(predicted, test, strict=True) if labels[i] == 0)
    return pick_threshold(ham)


# ---------------------------------------------------------------- evaluation


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, label: int, flagged: bool) -> None:
        if label:
            self.tp, self.fn = self.tp + flagged, self.fn + (not flagged)
        else:
            self.fp, self.tn = self.fp + flagged, self.tn + (not flagged)

    def __add__(self, other: "Confusion") -> "Confusion":
        return Confusion(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    def metrics(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        total = self.tp + self.fp + self.fn + self.tn
        return {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "accuracy": (self.tp + self.tn) / total if total else 0.0,
            "ham_fpr": self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0,
        }


@dataclass
class Split:
    """One test part: its name, the confusion at 0.5 and at the threshold picked on its training part."""

    name: str
    threshold: float
    at_half: Confusion = field(default_factory=Confusion)
    at_threshold: Confusion = field(default_factory=Confusion)
    at_fixed: Confusion = field(default_factory=Confusion)  # at COMMENTS_SPAM_THRESHOLD


@dataclass
class Dataset:
    texts: list[str]
    labels: list[int]
    groups: list[str]  # the file (video) each row comes from

    @classmethod
    def read(cls, paths: Sequence[Path]) -> "Dataset":
        """Labelled CSV files in the YouTube Spam Collection's format: CONTENT and CLASS (1 = spam) only."""
        data = cls([], [], [])
        for path in paths:
            with path.open(newline="", encoding="utf-8") as file:
                for row in csv.DictReader(file):
                    data.texts.append(row["CONTENT"])
                    data.labels.append(int(row["CLASS"]))
                    data.groups.append(path.stem)
        return data


def run(
    examples: Sequence[Counter[str]],
    labels: Sequence[int],
    splits: list[tuple[str, list[int], list[int]]],
    inner: int,
    fixed: float,
) -> list[Split]:
    results = []
    for name, train, test in splits:
        train_x, train_y = [examples[i] for i in train], [labels[i] for i in train]
        threshold = threshold_from_training(train_x, train_y, inner) if inner else 0.5
        model = fit(train_x, train_y)
        split = Split(name, threshold)
        for s, i in zip(scores(model, [examples[i] for i in test]), test, strict=True):
            split.at_half.add(labels[i], s >= 0.5)
            split.at_threshold.add(labels[i], s >= threshold)
            split.at_fixed.add(labels[i], s >= fixed)
        results.append(split)
    return results


def evaluate(
    data: Dataset, *, folds: int = 5, inner: int = 5, lovo: bool = True, fixed: float = 0.5
) -> dict[str, list[Split]]:
    """Stratified k-fold (shuffled, seed 0) and, with several files, leave-one-file-out."""
    examples = [features(text) for text in data.texts]
    protocols: dict[str, list[Split]] = {}
    k_fold = [(f"fold {n + 1}", train, test) for n, (train, test) in enumerate(stratified_folds(data.labels, folds))]
    protocols[f"{folds}-fold"] = run(examples, data.labels, k_fold, inner, fixed)
    names = sorted(set(data.groups))
    if lovo and len(names) > 1:
        by_file = [
            (
                name,
                [i for i, g in enumerate(data.groups) if g != name],
                [i for i, g in enumerate(data.groups) if g == name],
            )
            for name in names
        ]
        protocols["leave-one-file-out"] = run(examples, data.labels, by_file, inner, fixed)
    return protocols


def production_threshold(data: Dataset, inner: int = 5) -> float:
    """The threshold the whole collection's inner cross-validation picks (the setting's default comes from it)."""
    return threshold_from_training([features(t) for t in data.texts], data.labels, inner)


def table(protocols: dict[str, list[Split]], fixed: float | None = None) -> str:
    """The evaluation as text: pooled metrics at 0.5 and at the picked thresholds, then each test part."""
    lines = []
    head = f"  {'':40}{'precision':>10}{'recall':>9}{'F1':>9}{'accuracy':>10}{'ham FPR':>9}"

    def row(label: str, confusion: Confusion) -> str:
        m = confusion.metrics()
        cells = "".join(
            f"{100 * m[key]:>{width}.2f}%"
            for key, width in [("precision", 9), ("recall", 8), ("f1", 8), ("accuracy", 9), ("ham_fpr", 8)]
        )
        return f"  {label:40}{cells}   (FP {confusion.fp}/{confusion.fp + confusion.tn})"

    for name, splits in protocols.items():
        lines += [name, head]
        thresholds = ", ".join(f"{s.threshold:.3f}" for s in splits)
        lines.append(row("pooled, at 0.5", sum((s.at_half for s in splits), Confusion())))
        lines.append(row("pooled, at picked threshold", sum((s.at_threshold for s in splits), Confusion())))
        if fixed is not None:
            lines.append(row(f"pooled, at the setting {fixed:g}", sum((s.at_fixed for s in splits), Confusion())))
        for split in splits:
            lines.append(row(f"{split.name}, at 0.5", split.at_half))
            lines.append(row(f"{split.name}, at {split.threshold:.3f} (picked)", split.at_threshold))
            if fixed is not None:
                lines.append(row(f"{split.name}, at the setting", split.at_fixed))
        lines += [f"  thresholds picked on the training parts: {thresholds}", ""]
    return "\n".join(lines)


def summary_row(protocols: dict[str, list[Split]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, splits in protocols.items():
        out[name] = {
            "at_0.5": sum((s.at_half for s in splits), Confusion()).metrics(),
            "at_threshold": sum((s.at_threshold for s in splits), Confusion()).metrics(),
            "at_setting": sum((s.at_fixed for s in splits), Confusion()).metrics(),
            "worst_ham_fpr": max(s.at_threshold.metrics()["ham_fpr"] for s in splits),
        }
    return out
