"""All 154 seed records, every field, against expectations written from the files themselves.

For the glued lines of files 001-004 the one thing that takes judgement is where the title ends; that is written
down below by hand, as the first author read off each line (the title is everything before that name, the
authors everything after). Everything else is read off the files here with a few lines of independent code
(meta line, blank-line blocks of layout A), never from the parser.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from paperdesk.core.dumps import read_dump

from conftest import SEEDS

CAPTURED = dt.date(2026, 6, 5)

# line of the glued title+authors line -> first author, read by eye from each file
FIRST_AUTHORS = {
    "001_927e0f4092a60a46.txt": {
        2: "Mingyang Hu", 5: "Jin Su", 8: "Yu Cheng", 11: "Ziqi Zhao", 14: "Binzong Geng", 17: "Binzong Geng",
        20: "Jiachun Wang", 23: "Fajie Yuan", 26: "Jinhui Tang", 29: "Binzong Geng", 32: "Fengyuan Dai",
        35: "Yang Sun", 38: "Lei Chen", 41: "Lei Chen", 44: "Fajie Yuan", 47: "Shilin Qu", 50: "Yang Sun",
        53: "Xiaoyu Du", 56: "Fajie Yuan", 59: "Fajie Yuan", 62: "Guibing Guo", 65: "Long Chen",
    },
    "002_b67c07ae9de2cf9e.txt": {
        2: "Jianghao Lin", 5: "Luankang Zhang", 8: "Wei Guo", 11: "Qidong Liu", 14: "Shiwei Li", 17: "Bo Chen",
        20: "Ziru Liu", 23: "Xiaopeng Li", 26: "Qinglin Jia", 29: "Yingyi Zhang", 32: "Pengyue Jia", 35: "Derong Xu",
        38: "Pengyue Jia", 41: "Zirui Zhu", 44: "Wei Guo", 47: "Tingjia Shen", 50: "Yuening Wang", 53: "Derong Xu",
        56: "Yuhao Wang", 59: "Yankai Chen", 62: "Wei Guo", 65: "Yong Gao", 68: "Fuyuan Lyu", 71: "Huifeng Guo",
        74: "Huifeng Guo", 77: "Yichao Wang", 80: "Yishi Xu", 83: "Jianing Sun", 86: "Bin Liu", 89: "Feng Liu",
        92: "Huifeng Guo", 95: "Yanru Qu", 98: "Huifeng Guo", 101: "Feng Liu", 104: "Huifeng Guo",
        107: "Huifeng Guo",
    },
    "003_5bdb977dd99a6d29.txt": {
        2: "Xiaohang Tang", 5: "Yizhou Dang", 8: "Weixun Wang", 11: "Zihao Guo", 14: "Xin An", 17: "Mengmei Zhang",
        20: "Qifang Zhao", 23: "Xiangru Zhu", 26: "Tao Wang", 29: "Bing Zhao", 32: "Nian Liu", 35: "Zekai Zhang",
        38: "Yuxiang Wang", 41: "Mingyu Xu", 44: "Xiangyang Chen", 47: "Chenfei Wu", 50: "Yunyi Xuan",
        53: "Peilun Zhou", 56: "Xiaoxiao Xu", 59: "Han Xu", 62: "Xiaoxiao Xu", 65: "Bei Yang", 68: "Qinghui Sun",
        71: "Jie Gu",
    },
    "004_07af923cf1f16ba9.txt": {
        2: "Jianghao Lin", 5: "Jianghao Lin", 8: "Qi Wan", 11: "Weiwen Liu", 14: "Wei Guo", 17: "Mingjia Yin",
        20: "Liangcai Su", 23: "OneRec Team", 26: "Xiangyang Li", 29: "Hangyu Wang", 32: "Tianlei Chen",
        35: "Hao Wang", 38: "Jianghao Lin", 41: "Qidong Liu", 44: "Shiwei Li", 47: "Chuhan Wu", 50: "Jianghao Lin",
        53: "Yuxin Jiang", 56: "Lingyue Fu", 59: "Mingjia Yin", 62: "Zhicheng He", 65: "Chang Meng", 68: "Yi Li",
        71: "Bo Chen", 74: "Bowei He", 77: "Minxuan Lv", 80: "Haolun Wu", 83: "Yiqing Yang", 86: "Haolun Wu",
        89: "Jianghao Lin", 92: "Ziru Liu", 95: "Lingyue Fu", 98: "Qingyao Li", 101: "Jiachen Zhu",
        104: "Yutao Zhu", 107: "Yahui Liu", 110: "Zhenhua Dong", 113: "Yunjia Xi", 116: "Chuhan Wu",
        119: "Qinglin Jia", 122: "Yuxin Jiang", 125: "Jiaqing Zhang", 128: "Yijia Sun", 131: "Zihan Niu",
        134: "Hangyu Wang", 137: "Hongzhi Zhang", 140: "Boyang Ding", 143: "Kuicai Dong", 146: "Kounianhua Du",
        149: "Pengyue Jia",
    },
}
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
META = re.compile(r"^([\d.]+)?([A-Z]{2})([A-Z][a-z]{2}) (\d+)(?:, (\d{4}))?(Code)?$")


def expected_meta(line: str) -> dict:
    score, category, month, day, year, code = META.match(line).groups()
    return {"score": float(score) if score else None, "category": category, "has_code": bool(code),
            "date": dt.date(int(year or 2026), MONTHS[month], int(day)).isoformat()}


def expected_authors(text: str) -> tuple[list[str], bool, str | None]:
    org = None
    if " · " in text:
        text, org = text.rsplit(" · ", 1)
    truncated = text.endswith(" et al.")
    if truncated:
        text = text[: -len(" et al.")]
    return text.split(", "), truncated, org


def expected_urls(abstract: str) -> list[str]:
    """Links as a reader sees them: the sentence's full stop, a closing LaTeX brace or an unopened parenthesis
    after a link are not part of it."""
    urls = []
    for url in re.findall(r"https?://\S+", abstract):
        url = url.split("}")[0]
        while url and (url[-1] in ".,;:" or (url[-1] == ")" and url.count(")") > url.count("("))):
            url = url[:-1]
        urls.append(url)
    return urls


def expected_records() -> dict[tuple[str, int], dict]:
    records = {}
    for path in sorted(SEEDS.glob("*.txt")):
        lines = path.read_text("utf-8").split("\n")
        metas = [i for i, line in enumerate(lines) if META.match(line)]
        for n, i in enumerate(metas):
            end = metas[n + 1] if n + 1 < len(metas) else len(lines)
            body = [line for line in lines[i + 1 : end] if line.strip()]
            if path.name.startswith("000"):  # layout A: title, authors, abstract on lines of their own
                title, author_text, abstract = body
            else:
                glued, abstract = body
                first = FIRST_AUTHORS[path.name][i + 2]
                cut = glued.index(first)
                title, author_text = glued[:cut], glued[cut:]
            authors, truncated, org = expected_authors(author_text)
            records[(path.name, i + 1)] = {"title": title, "authors": authors, "authors_truncated": truncated,
                                           "org": org, "abstract": abstract, **expected_meta(lines[i])}
    return records


EXPECTED = expected_records()


def test_the_files_hold_154_records_as_the_format_notes_say():
    per_file = {}
    for name, _ in EXPECTED:
        per_file[name[:3]] = per_file.get(name[:3], 0) + 1
    assert per_file == {"000": 22, "001": 22, "002": 36, "003": 24, "004": 50}


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_every_seed_record_parses_with_every_field_right(path):
    parsed = read_dump(path, CAPTURED)
    assert not parsed.report.skipped and not parsed.report.warnings
    got = {(path.name, r.line): r for r in parsed.records}
    expected = {k: v for k, v in EXPECTED.items() if k[0] == path.name}
    assert got.keys() == expected.keys()
    for key, want in expected.items():
        record = got[key]
        have = {field: getattr(record, field) for field in want}
        assert have == want, key
        assert not record.needs_review, key
        assert record.raw.split("\n")[0] == path.read_text("utf-8").split("\n")[key[1] - 1]
        assert record.code_urls == expected_urls(want["abstract"]), key
