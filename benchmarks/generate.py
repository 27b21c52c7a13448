"""Synthetic dumps for benchmarks and duplicate-detection checks: all three layouts, realistic names, titles and
abstracts, a chosen share of repeated papers (exact or varied as real dumps vary) and of near-miss distinct
papers. Deterministic for a seed; standard library only.

    python benchmarks/generate.py OUT_DIR --records 100000 [--seed 0] [--repeat-share 0.1] [--near-miss-share 0.03]
                                  [--sibling-share 0.0]
                                  [--names classic|world]

Writes ``NNNNNN_<layout>.txt`` files and ``labels.jsonl`` (one line a record: file, line of its meta line,
paper cluster id, kind original|exact|variant|near_miss|sibling, title, authors, et al., org, the layout the record is
written in, each author's name class and locale) so that benchmarks can measure precision and recall of
duplicate detection and what the parser recovers.

``--names world`` (needs Faker, from the ``test`` extra) draws authors from 40 of Faker's locales and from
hand-written lists of hard shapes (``world_names.py``), gives a quarter of the titles a hard ending
(``...for Edge TPUs``, ``...with BERT4Rec``), writes layout-A records in both spacings the sites use, and adds
files that mix layouts A and B record by record (``_M.txt``).
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

GIVEN = ("Wei Hao Yu Xin Jie Lei Yang Ming Jun Tao Fei Lin Qiang Bo Chen Rui Kai Yan Jing Hui Xiao Li Ying Zhen "
         "Jian Xiang Peng Ling Yun Qian Shuo Zihan Yutong Haoran Jiaqi Zhiyuan Yichao Ruiming Huifeng Fajie Xiangnan "
         "Jianghao Weiwen Chuhan Yingxue Kounianhua Binzong Mingjia Pengyue Derong Qidong Kevin Anna Maria David "
         "Michael Sarah Thomas Laura Daniel Julia Peter Emma Lukas Sofia Marco Elena Pierre Claire Jonas Ingrid "
         "Alexandros Ioannis Joemon Priya Rahul Ananya Vikram Amrithaa Vibhas Sanjay Deepak Kavya Arjun Fatima Omar "
         "Yusuf Hana Kenji Yuki Haruto Sakura Minjun Jiwoo Seo-yeon Hyun-woo Olga Dmitri Anya").split()
FAMILY = ("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Xie Tang "
          "Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao "
          "Smith Jones Brown Miller Davis Wilson Taylor Anderson Thomas Moore Martin Jackson White Harris Clark "
          "Lewis Walker Hall Young King Wright Lopez Hill Scott Green Adams Baker Nelson Carter Mitchell Roberts "
          "Karatzoglou Arapakis Jose Nair Kumar Sharma Gupta Patel Singh Reddy Iyer Rao Tanaka Suzuki Sato Kim Park "
          "Choi Jung Kang Ivanov Petrov Novak Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Rossi "
          "Russo Ferrari Esposito Bianchi Dubois Laurent Bernard Moreau Silva Santos Costa Oliveira").split()
ACCENTED = ("José Núñez", "Zoë Müller", "Jürgen Schäfer", "Chloé Lefèvre", "Łukasz Wróbel", "Søren Kierkegård",
            "Inés García", "François Lévêque", "Ayşe Yılmaz", "Björn Åström")
INNER_CAPS = ("XiaoXiao Xu", "JiaQi Wang", "MingYu Li", "YiFan Chen")
TEAMS = ("OneRec Team", "Qwen Team", "Kimi Team", "Gemma Team", "DeepSeek-AI Team")
ORGS = ("microsoft-research", "google-deepmind", "tencent-ai", "alibaba", "stanford", "pku", "tsinghua", "meta-ai")

ADJ = ("Efficient Scalable Robust Adaptive Unified Generative Contrastive Hierarchical Sparse Dynamic Personalized "
       "Lightweight Multimodal Causal Federated Self-Supervised Interpretable Incremental Continual Retrieval-Augmented "
       "Knowledge-Enhanced Graph-Based Parameter-Efficient Multi-Interest Multi-Behavior Long-Context").split()
NOUN = ("Transformers Representations Embeddings Networks Models Agents Retrieval Distillation Pretraining Alignment "
        "Attention Tokenization Quantization Pruning Reasoning Ranking Search Memory Adaptation Optimization "
        "Augmentation Regularization Calibration Fine-Tuning Compression").split()
TASK = ("Sequential Recommendation", "CTR Prediction", "Click-Through Rate Prediction", "Conversational Search",
        "Text-to-Speech", "Knowledge Tracing", "Code Generation", "Document Question Answering",
        "Session-based Recommendation", "Cross-domain Recommendation", "Image Synthesis", "Video Diffusion",
        "Protein Function Prediction", "Audio Deepfake Detection", "Emotion Recognition", "Web Search",
        "Large Language Models", "LLM Inference", "Multi-Scenario Matching", "Information Retrieval",
        "Diffusion Language Models", "Reinforcement Learning from Human Feedback")
END_ACRONYMS = ("RL", "LLMs", "GNNs", "MoE", "CTR", "RLHF", "VAE", "RAG")
SYLLABLES = ("Graph Rec Flow Lean Stack Mem Index Fold Gen Rank Path Sense Mix Deep Fast Meta Auto Cross Prompt "
             "Logic Omni Vision Sound Code Tool Agent Query Seq Net Former").split()
CATEGORIES = ("IR",) * 10 + ("LG",) * 6 + ("CL",) * 5 + ("CV",) * 3 + ("AI",) * 3 + ("SD", "SE", "SI", "QM", "MA")

SENTENCES = (
    "Recent advances in {a} have changed how {t} systems are built.",
    "However, existing methods struggle to capture the {b} structure of real-world data.",
    "To address this gap, we propose {s}, a {a_l} framework that learns {n_l} directly from user behaviour.",
    "{s} combines a lightweight encoder with a {a_l} objective, which reduces training cost by up to $40\\%$.",
    "We further introduce a ``{a_l}'' regulariser whose gradient is bounded by $O(\\sqrt{{d}})$.",
    "Extensive experiments on four public benchmarks show consistent gains over strong baselines.",
    "On the largest dataset, {s} improves Recall@20 by $3.2\\%$ and NDCG by $2.7\\%$ while halving latency.",
    "Ablation studies confirm that each component contributes to the final performance.",
    "We also analyse failure cases and discuss when {n_l} fails to transfer across domains.",
    "Online A/B tests on an industrial platform with millions of users confirm the offline findings.",
    "Our analysis reveals a trade-off between model capacity and {b} generalisation.",
    "Theoretical results show that the estimator is unbiased under mild assumptions on $D^2$.",
    "The approach is simple to implement and adds negligible overhead at inference time.",
    "We release a new dataset with rich annotations to support future research on {t}.",
)


@dataclass
class Paper:
    cluster: int
    title: str
    authors: list[str]
    truncated: bool
    org: str | None
    category: str
    date: dt.date
    code: bool
    abstract: str
    system: str
    classes: list = field(default_factory=list)  # per author: (name class, locale), world mode only


@dataclass
class GenerationResult:
    files: list[Path]
    labels_path: Path
    records: int = 0
    counts: dict = field(default_factory=dict)


class Generator:
    def __init__(self, seed: int, captured: dt.date, names: str = "classic"):
        self.rng = random.Random(seed)
        self.captured = captured
        self.people = self._people(4000)
        self.cluster = 0
        self.near_titles: set[str] = set()
        self.world = None
        if names == "world":
            from world_names import WorldNames

            self.world = WorldNames(random.Random(seed + 7919))

    def _people(self, n: int) -> list[str]:
        rng, people = self.rng, set()
        while len(people) < n:
            roll = rng.random()
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            if roll < 0.08:
                people.add(f"{given} {rng.choice('ABCDEFGHJKLMNPRSTWY')}. {family}")
            elif roll < 0.10:
                people.add(f"{given} {rng.choice(FAMILY)} {family}")
            else:
                people.add(f"{given} {family}")
        pool = sorted(people) + list(ACCENTED) + list(INNER_CAPS)
        rng.shuffle(pool)
        return pool

    def system_name(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            return rng.choice(SYLLABLES) + rng.choice(SYLLABLES)
        if roll < 0.8:
            return "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVX") for _ in range(rng.randint(3, 5)))
        return rng.choice(SYLLABLES) + rng.choice(("GPT", "RAG", "Rec", "Net", "LM", "-R1"))

    def title(self, system: str) -> str:
        rng = self.rng
        if self.world is not None and rng.random() < 0.25:
            from world_names import HARD_ENDINGS

            ending = rng.choice(HARD_ENDINGS)
            return (f"{system}: " if rng.random() < 0.5 else "") + f"{rng.choice(ADJ)} {rng.choice(NOUN)} {ending}"
        a, n, t = rng.choice(ADJ), rng.choice(NOUN), rng.choice(TASK)
        form = rng.random()
        if form < 0.45:
            return f"{system}: {a} {n} for {t}"
        if form < 0.6:
            return f"{a} {n} for {t}"
        if form < 0.7:
            return f"{system}: {a} {n} with {rng.choice(END_ACRONYMS)}"
        if form < 0.78:
            return f"Towards {a} {t}: {n}, {rng.choice(NOUN)}, and Beyond"
        if form < 0.85:
            return f"{system} Technical Report"
        if form < 0.93:
            return f"{a} {n} via {rng.choice(ADJ)} {rng.choice(NOUN)} for {t}"
        return f"Rethinking {n} in {t}"

    def abstract(self, system: str, code: bool, title: str = "") -> str:
        rng = self.rng
        values = {"a": rng.choice(ADJ).lower(), "a_l": rng.choice(ADJ).lower(), "b": rng.choice(ADJ).lower(),
                  "n_l": rng.choice(NOUN).lower(), "t": rng.choice(TASK).lower(), "s": system}
        picked = [SENTENCES[0]] + rng.sample(SENTENCES[1:], rng.randint(4, 11))
        text = " ".join(s.format(**values) for s in picked)
        if self.world is not None and title and rng.random() < 0.5:
            # Abstracts mostly say what the title says: its last words appear in about half of them.
            text += f" We focus on {' '.join(title.split(' ')[-2:]).strip('()?!')} in particular."
        if code:
            text += f" Code is available at https://github.com/{rng.choice(FAMILY).lower()}-lab/{system}."
        return text

    def authors(self, must_include: str | None = None) -> tuple[list[str], bool]:
        rng = self.rng
        shown = 3 if rng.random() < 0.85 else rng.randint(1, 2)
        if self.world is not None:
            picked = [self.world.pick(self.people) for _ in range(shown)]
            names = [p[0] for p in picked]
            if must_include and must_include not in names:
                names[rng.randrange(shown)] = must_include
            self._classes = [next(((c, loc) for n2, c, loc in picked if n2 == n), ("plain", "classic")) for n in names]
            return names, shown == 3 and rng.random() < 0.92
        names = rng.sample(self.people, shown)
        if rng.random() < 0.002:
            names[0] = rng.choice(TEAMS)
        if must_include and must_include not in names:
            names[rng.randrange(shown)] = must_include
        return names, shown == 3 and rng.random() < 0.92

    def date(self) -> dt.date:
        rng = self.rng
        start = dt.date(2016, 1, 1).toordinal()
        return dt.date.fromordinal(rng.randint(start, self.captured.toordinal()))

    def new_paper(self, must_include: str | None = None) -> Paper:
        self.cluster += 1
        system = self.system_name()
        code = self.rng.random() < 0.45
        names, truncated = self.authors(must_include)
        classes = list(getattr(self, "_classes", [])) if self.world is not None else []
        org = self.rng.choice(ORGS) if self.rng.random() < 0.1 else None
        title = self.title(system)
        return Paper(self.cluster, title, names, truncated, org, self.rng.choice(CATEGORIES),
                     self.date(), code, self.abstract(system, code, title if self.world is not None else ""), system,
                     classes)

    def variant(self, p: Paper) -> Paper:
        """The same paper as another dump shows it: one or two realistic differences."""
        rng = self.rng
        v = Paper(p.cluster, p.title, list(p.authors), p.truncated, p.org, p.category, p.date, p.code, p.abstract,
                  p.system, list(p.classes))
        for change in rng.sample(("case", "hyphen", "join", "typo", "year", "category", "code", "initials",
                                  "abstract", "accents"), rng.randint(1, 2)):
            if change == "case":
                v.title = v.title.lower().capitalize() if rng.random() < 0.5 else v.title.title()
            elif change == "hyphen":
                v.title = v.title.replace("-", " ") if "-" in v.title else v.title.replace(" ", "-", 1)
            elif change == "join":  # "Fine-Tuning" as "FineTuning", or two words written as one
                if "-" in v.title:
                    v.title = v.title.replace("-", "", 1)
                else:
                    spaces = [i for i, c in enumerate(v.title) if c == " " and v.title[i + 1:i + 2].isalpha()]
                    if spaces:
                        i = rng.choice(spaces)
                        v.title = v.title[:i] + v.title[i + 1:]
            elif change == "typo":
                words = v.title.split(" ")
                i = max(range(len(words)), key=lambda k: len(words[k]))
                w = words[i]
                if len(w) > 5:
                    j = rng.randrange(1, len(w) - 2)
                    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
                v.title = " ".join(words)
            elif change == "year":
                try:
                    v.date = v.date.replace(year=v.date.year + (1 if v.date.year < self.captured.year - 1 else -1))
                except ValueError:
                    v.date = v.date.replace(day=28, year=v.date.year - 1)
            elif change == "category":
                v.category = rng.choice(CATEGORIES)
            elif change == "code":
                v.code = not v.code
            elif change == "initials":
                i = rng.randrange(len(v.authors))
                parts = v.authors[i].split(" ")
                if len(parts) >= 2 and "Team" not in parts and parts[0][0].isupper() and parts[0][0].isalpha():
                    v.authors[i] = f"{parts[0][0]}. {parts[-1]}"
            elif change == "abstract":
                sentences = v.abstract.split(". ")
                if len(sentences) > 3:
                    del sentences[rng.randrange(1, len(sentences) - 1)]
                v.abstract = ". ".join(sentences)
            elif change == "accents":
                v.title = v.title.replace("e", "é", 1) if rng.random() < 0.3 else v.title
        if v.date > self.captured:
            v.date = self.captured
        return v

    def _near_miss_title(self, p: Paper) -> str:
        rng = self.rng
        kind = rng.randrange(4)
        if kind == 0:
            title = f"{p.system}-2.0 Technical Report"
        elif kind == 1:
            title = f"{p.title}, Part II"
        elif kind == 2:
            title = f"{p.system}-{rng.choice(('VAE', 'Omni', 'Lite', 'R1'))}: {p.title.split(': ', 1)[-1]}"
        else:
            title = f"{p.title} Technical Report" if "Technical Report" not in p.title else f"{p.system} System Card"
        return title

    def sibling(self, p: Paper) -> Paper:
        """A distinct paper of the same authors whose title differs from ``p``'s in one meaningful word or number
        (``Robust Attention for X`` / ``Sparse Attention for X``, ``Foo-7B`` / ``Foo-70B``): a near-miss family
        that must never be merged. Without a number or a word to swap, a numbered title of a new paper."""
        rng = self.rng
        self.cluster += 1
        words = p.title.split(" ")
        numbered = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
        swappable = [i for i, w in enumerate(words) if w.rstrip(":,") in ADJ or w.rstrip(":,") in NOUN]
        title = None
        if numbered and (rng.random() < 0.6 or not swappable):
            i = rng.choice(numbered)
            digits = "".join(c for c in words[i] if c.isdigit())
            new = str(rng.choice([n for n in (1, 2, 3, 7, 8, 13, 14, 30, 32, 34, 65, 70, 72, 128) if str(n) != digits]))
            words[i] = words[i].replace(digits, new, 1)
            title = " ".join(words)
        elif swappable:
            i = rng.choice(swappable)
            word = words[i].rstrip(":,")
            pool = ADJ if word in ADJ else NOUN
            words[i] = words[i].replace(word, rng.choice([w for w in pool if w != word]), 1)
            title = " ".join(words)
        self.near_titles.add(p.title)  # no two members of a family share a title (they could not be told apart)
        sizes = [1, 3, 7, 8, 13, 30, 34, 70]
        rng.shuffle(sizes)
        sizes += range(100, 100 + len(self.near_titles) + 1)
        while title is None or title in self.near_titles:
            size = sizes.pop(0)
            title = (f"{p.system}-{size}B: {p.title.split(': ', 1)[-1]}" if rng.random() < 0.5
                     else f"{p.title.split(': ', 1)[-1]} in {size} Languages")
        self.near_titles.add(title)
        code = rng.random() < 0.5
        date = min(self.captured, p.date + dt.timedelta(days=rng.randint(0, 120)))
        return Paper(self.cluster, title, list(p.authors), p.truncated, p.org, p.category, date, code,
                     self.abstract(p.system, code, title if self.world is not None else ""), p.system,
                     list(p.classes))

    def near_miss(self, p: Paper) -> Paper:
        """A distinct paper whose title is nearly the same: a new version, a second part, a companion report."""
        rng = self.rng
        self.cluster += 1
        for _ in range(6):  # a distinct paper: never the very title of an earlier near miss
            title = self._near_miss_title(p)
            if title not in self.near_titles:
                break
        else:
            title = f"{title}, Part {len(self.near_titles) % 7 + 3}"
        self.near_titles.add(title)
        authors = list(p.authors)
        authors[-1] = rng.choice(self.people)
        classes = list(p.classes[:-1]) + [("plain", "classic")] if p.classes else []
        code = rng.random() < 0.5
        date = min(self.captured, p.date + dt.timedelta(days=rng.randint(30, 500)))
        return Paper(self.cluster, title, authors, p.truncated, p.org, p.category, date, code,
                     self.abstract(p.system, code, title if self.world is not None else ""), p.system, classes)


def meta_line(p: Paper, captured: dt.date, score: float | None) -> str:
    month = calendar.month_abbr[p.date.month]
    when = f"{month} {p.date.day}" if p.date.year == captured.year else f"{month} {p.date.day}, {p.date.year}"
    return f"{'' if score is None else f'{score:.1f}'}{p.category}{when}{'Code' if p.code else ''}"


def author_text(p: Paper) -> str:
    text = ", ".join(p.authors) + (" et al." if p.truncated else "")
    return text + (f" · {p.org}" if p.org else "")


def generate(out_dir, records: int, *, seed: int = 0, layouts=None, records_per_file: int = 500,
             repeat_share: float = 0.1, near_miss_share: float = 0.03, sibling_share: float = 0.0,
             captured: dt.date = dt.date(2026, 6, 5), names: str = "classic") -> GenerationResult:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if layouts is None:
        layouts = ("A", "B", "C", "M") if names == "world" else ("A", "B", "C")
    g = Generator(seed, captured, names)
    rng = g.rng
    files: list[Path] = []
    counts = {"original": 0, "exact": 0, "variant": 0, "near_miss": 0}
    if sibling_share:
        counts["sibling"] = 0
    written_papers: list[Paper] = []
    family: list[Paper] = []  # papers that have siblings: half of the new siblings join an existing family
    labels = open(out / "labels.jsonl", "w", encoding="utf-8")
    made = 0
    index = 0
    while made < records:
        layout = layouts[index % len(layouts)]
        n = min(records_per_file, records - made)
        path = out / f"{index:06d}_{layout}.txt"
        lines: list[str] = []
        profile = rng.choice(g.people) if layout == "A" else None
        if profile:
            lines += [profile, "", rng.choice(CATEGORIES), f"h-index{rng.randint(3, 80)}", f"{n}papers",
                      f"{rng.randint(20, 20000)}citations", f"Novelty{rng.randint(10, 95)}%",
                      f"AI Score{rng.randint(10, 99)}", "", f"{n} Papers", ""]
        for _ in range(n):
            roll = rng.random()
            if written_papers and roll < repeat_share:
                base = rng.choice(written_papers)
                kind = "exact" if rng.random() < 0.3 else "variant"
                paper = base if kind == "exact" else g.variant(base)
            elif written_papers and roll < repeat_share + near_miss_share:
                paper, kind = g.near_miss(rng.choice(written_papers)), "near_miss"
                written_papers.append(paper)
            elif written_papers and roll < repeat_share + near_miss_share + sibling_share:
                base = rng.choice(family) if family and rng.random() < 0.5 else rng.choice(written_papers)
                paper, kind = g.sibling(base), "sibling"
                written_papers.append(paper)
                family += [base, paper]
            else:
                # On a profile page the author is among the three shown names in most records, not all.
                include = profile if profile and rng.random() < 0.8 else None
                paper, kind = g.new_paper(include), "original"
                written_papers.append(paper)
            counts[kind] += 1
            score = round(rng.uniform(10, 99.9), 1) if layout == "C" and rng.random() < 0.4 else None
            line_no = len(lines) + 1
            form = layout if layout != "M" else rng.choice("AB")
            if form == "A" and g.world is not None and rng.random() < 0.5:
                # the seeds' spacing: the title right under the meta line, blank lines around the author line
                lines += [meta_line(paper, captured, None), paper.title, "", author_text(paper), "",
                          paper.abstract, ""]
            elif form == "A":
                lines += [meta_line(paper, captured, None), "", paper.title, "", author_text(paper), "",
                          paper.abstract, ""]
            else:
                lines += [meta_line(paper, captured, score), paper.title + author_text(paper), paper.abstract]
            label = {"file": path.name, "line": line_no, "paper": paper.cluster, "kind": kind,
                     "title": paper.title, "authors": paper.authors}
            if g.world is not None:
                label.update(truncated=paper.truncated, org=paper.org, layout=form if layout != "C" else "C",
                             classes=[c for c, _ in paper.classes], locales=[loc for _, loc in paper.classes])
            labels.write(json.dumps(label, ensure_ascii=False) + "\n")
        path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
        files.append(path)
        made += n
        index += 1
    labels.close()
    return GenerationResult(files, out / "labels.jsonl", made, counts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat-share", type=float, default=0.1)
    parser.add_argument("--near-miss-share", type=float, default=0.03)
    parser.add_argument("--sibling-share", type=float, default=0.0,
                        help="share of near-miss siblings: same authors, one word or number changed")
    parser.add_argument("--records-per-file", type=int, default=500)
    parser.add_argument("--names", choices=("classic", "world"), default="classic")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = generate(args.out_dir, args.records, seed=args.seed, repeat_share=args.repeat_share,
                      near_miss_share=args.near_miss_share, sibling_share=args.sibling_share,
                      records_per_file=args.records_per_file,
                      names=args.names)
    print(f"{result.records} records in {len(result.files)} files ({result.counts}) in "
          f"{time.perf_counter() - start:.1f} s; labels in {result.labels_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
