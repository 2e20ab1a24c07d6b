"""Train the event specificity model (liaison.extract.specificity) on the project's annotated real
articles, and measure it against the rules alone on documents it was not trained on.

    .venv/bin/pip install scikit-learn==1.7.2      # training only: running the model needs none
    .venv/bin/python scripts/train_specificity.py

Training documents are the *tuned* parts of the real development set (../shared/eval/dev) and of
the project's own collection (tests/data/real), split as bench/score.py splits them; the *aside*
parts are only measured. Each event the rules find (with the model off) is labelled by the gold:
1 where a gold event of its type has an overlapping evidence sentence (the scorer's match), else
0. The features and labels are written to tests/data/specificity/train.jsonl (the data the model
is trained on, kept with it), the weights, bias and threshold to
src/liaison/extract/data/specificity.json. The regularisation and the threshold are chosen by
five-fold cross-validation over documents (no document is in the fold that scores it), for
event F1: 2 TP / (kept + gold), among the settings that lose at most 3% of the events the rules
got right (a lost event costs every slot it has).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from score import DEV, REAL, dev_split, load_scorer, real_split  # noqa: E402

OUT = ROOT / "src" / "liaison" / "extract" / "data" / "specificity.json"
DATA = ROOT / "tests" / "data" / "specificity" / "train.jsonl"
THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
CS = [0.05, 0.1, 0.3, 1.0]
MAX_LOST = 0.03


def rows(nlp, docs: Path, gold: Path, stems: list[str], sc) -> tuple[list[dict], int]:  # noqa: ANN001
    """(one row per event the rules find, the number of gold events) of the documents ``stems``."""
    from liaison.ingest.document import to_document
    from liaison.sources.files import read_sources

    out, n_gold = [], 0
    for src in read_sources([str(docs / f"{s}.json") for s in stems], 10_000_000):
        document = to_document(src)
        stem = Path(src.name).stem
        g = json.loads((gold / f"{stem}.json").read_text(encoding="utf-8")).get("events") or []
        n_gold += len(g)
        doc = nlp.make_doc(document.text)
        doc._.published = document.published
        doc._.issuer = document.outlet
        doc = nlp(doc)
        for ev in doc._.events:
            evidence = doc[ev.sent_start:ev.sent_end].text
            label = any(x.get("type") == ev.type and sc.overlap(x.get("evidence"), evidence) >= 0.5 for x in g)
            out.append({"doc": stem, "label": int(label), "features": ev.features})
    return out, n_gold


def f1(kept: int, tp: int, gold: int) -> float:
    return 2 * tp / (kept + gold) if kept + gold else 0.0


def main() -> None:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from liaison.extract.pipeline import build_nlp
    from liaison.settings import Settings

    sc = load_scorer()
    nlp = build_nlp(Settings().spacy_model)
    nlp.replace_pipe("liaison_discourse", "liaison_discourse", config={"specificity": ""})
    tuned_dev, aside_dev = dev_split(DEV / "docs")
    tuned_real, aside_real = real_split(REAL / "docs")
    train, gold_train = [], 0
    for docs, gold, stems in ((DEV / "docs", DEV / "gold", tuned_dev), (REAL / "docs", REAL / "gold", tuned_real)):
        r, n = rows(nlp, docs, gold, stems, sc)
        train += r
        gold_train += n
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in train), encoding="utf-8")

    vec = DictVectorizer()
    x = vec.fit_transform([r["features"] for r in train])
    y = np.array([r["label"] for r in train])
    groups = [r["doc"] for r in train]
    # gold events per document, to count the recall denominator of each fold
    per_doc: dict[str, int] = {}
    for gold, stems in ((DEV / "gold", tuned_dev), (REAL / "gold", tuned_real)):
        for s in stems:
            per_doc[s] = len(json.loads((gold / f"{s}.json").read_text(encoding="utf-8")).get("events") or [])
    best = (f1(len(y), int(y.sum()), gold_train), None, None)  # the rules alone
    print(f"rules alone, all tuned documents: events {len(y)}, right {int(y.sum())}, gold {gold_train}, "
          f"F1 {best[0]:.3f}")
    folds = list(GroupKFold(n_splits=5).split(x, y, groups))
    for c in CS:
        probs = np.zeros(len(y))
        for tr, te in folds:
            model = LogisticRegression(C=c, max_iter=2000).fit(x[tr], y[tr])
            probs[te] = model.predict_proba(x[te])[:, 1]
        for t in THRESHOLDS:
            keep = probs >= t
            right = int((keep & (y == 1)).sum())
            # every slot is scored over the gold events, so a right event lost costs more than the
            # F1 says: the filter may lose at most MAX_LOST of the rules' right events
            if right < (1 - MAX_LOST) * int(y.sum()):
                continue
            score = f1(int(keep.sum()), right, gold_train)
            if score > best[0] + 1e-9:
                best = (score, c, t)
    if best[1] is None:
        print("the model does not beat the rules in cross-validation; writing a model that keeps every event")
        OUT.write_text(json.dumps({"_doc": __doc__.splitlines()[0], "weights": {}, "bias": 10.0, "threshold": 0.0},
                                  indent=1) + "\n", encoding="utf-8")
        return
    score, c, t = best
    print(f"cross-validated over documents: C={c}, threshold {t}: F1 {score:.3f}")
    model = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True)
               if abs(w) >= 1e-4}
    OUT.write_text(json.dumps({
        "_doc": "Event specificity model (liaison.extract.specificity), trained by scripts/train_specificity.py "
                "on the tuned real documents; features and labels in tests/data/specificity/train.jsonl.",
        "trained_on": {"documents": len(set(groups)), "events": len(y), "C": c, "cv_f1": round(score, 4),
                       "cv_f1_rules_alone": round(f1(len(y), int(y.sum()), gold_train), 4)},
        "threshold": t, "bias": round(float(model.intercept_[0]), 4), "weights": dict(sorted(weights.items())),
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(weights)} weights)")
    # the documents kept aside: never trained on, measured here
    from liaison.extract.specificity import SpecificityModel

    trained = SpecificityModel.load(str(OUT))
    assert trained is not None
    for name, docs, gold, stems in (("dev aside", DEV / "docs", DEV / "gold", aside_dev),
                                    ("real aside", REAL / "docs", REAL / "gold", aside_real)):
        r, n = rows(nlp, docs, gold, stems, sc)
        keep = [trained.probability(row["features"]) >= trained.threshold for row in r]
        tp_all = sum(row["label"] for row in r)
        tp_kept = sum(row["label"] for row, k in zip(r, keep, strict=True) if k)
        print(f"{name}: rules alone F1 {f1(len(r), tp_all, n):.3f} ({len(r)} events, {tp_all} right, {n} gold); "
              f"with the model F1 {f1(sum(keep), tp_kept, n):.3f} ({sum(keep)} kept, {tp_kept} right)")


if __name__ == "__main__":
    main()
